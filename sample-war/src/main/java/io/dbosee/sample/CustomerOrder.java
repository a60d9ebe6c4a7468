package io.dbosee.sample;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * An order of the orders example, in the sample's second application database (the persistence unit
 * {@code orders}, table {@code customer_orders}).
 */
@Entity
@Table(name = "customer_orders")
public class CustomerOrder {
  @Id
  @Column(length = 64)
  private String id;

  @Column(nullable = false)
  private String item;

  protected CustomerOrder() {}

  public CustomerOrder(String id, String item) {
    this.id = id;
    this.item = item;
  }

  public String getId() {
    return id;
  }

  public String getItem() {
    return item;
  }
}
