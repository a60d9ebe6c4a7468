package io.dbosee.sample;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A sale of the orders example, in the sample's own database (the persistence unit {@code sample},
 * table {@code sales}): one per order, under the order's id.
 */
@Entity
@Table(name = "sales")
public class Sale {
  @Id
  @Column(name = "order_id", length = 64)
  private String orderId;

  @Column(nullable = false)
  private String item;

  protected Sale() {}

  public Sale(String orderId, String item) {
    this.orderId = orderId;
    this.item = item;
  }

  public String getOrderId() {
    return orderId;
  }

  public String getItem() {
    return item;
  }
}
