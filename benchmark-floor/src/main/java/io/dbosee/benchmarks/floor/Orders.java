package io.dbosee.benchmarks.floor;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The application side of the transaction-step workload, the same for every contender: a step
 * inserts one order row, in the contender's database, in a transaction of its own.
 */
public final class Orders {
  private Orders() {}

  /** Creates the application's table when missing. */
  public static void createTable(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS bench_orders (id TEXT PRIMARY KEY, amount INT)");
    }
  }

  /** The step's own work: one insert, on the transaction's connection. */
  public static void insert(Connection c, String workflowId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO bench_orders (id, amount) VALUES (?, 42)")) {
      ps.setString(1, workflowId);
      ps.executeUpdate();
    }
  }
}
