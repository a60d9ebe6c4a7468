package io.dbosee.benchmarks.war;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The row the transaction step inserts: {@code (id, 42)} into {@code bench_orders}. */
@Entity
@Table(name = "bench_orders")
public class BenchOrder {
  @Id private String id;
  private int amount;

  protected BenchOrder() {}

  BenchOrder(String id, int amount) {
    this.id = id;
    this.amount = amount;
  }

  public String getId() {
    return id;
  }

  public int getAmount() {
    return amount;
  }
}
