package io.dbosee.sample;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A purchase of the checkout example, in the sample's database (the persistence unit {@code
 * sample}, table {@code purchases}): placed by the checkout's transaction, shipped by the
 * fulfilment workflow that transaction enqueued.
 */
@Entity
@Table(name = "purchases")
public class Purchase {
  @Id
  @Column(length = 64)
  private String id;

  @Column(nullable = false)
  private String item;

  @Column(nullable = false)
  private boolean shipped;

  protected Purchase() {}

  public Purchase(String id, String item) {
    this.id = id;
    this.item = item;
  }

  public String getId() {
    return id;
  }

  public String getItem() {
    return item;
  }

  public boolean isShipped() {
    return shipped;
  }

  public void ship() {
    this.shipped = true;
  }
}
