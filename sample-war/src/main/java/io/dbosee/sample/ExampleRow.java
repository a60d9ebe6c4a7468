package io.dbosee.sample;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;

/** A row of the tutorial's {@code example_table}. */
@Entity
@Table(name = "example_table")
public class ExampleRow {
  @Id
  @Column(length = 64)
  private String id;

  @Column(nullable = false)
  private String name;

  protected ExampleRow() {}

  public ExampleRow(String id, String name) {
    this.id = id;
    this.name = name;
  }

  /** A new row with a fresh id. */
  public static ExampleRow named(String name) {
    return new ExampleRow(UUID.randomUUID().toString(), name);
  }

  public String getId() {
    return id;
  }

  public String getName() {
    return name;
  }
}
