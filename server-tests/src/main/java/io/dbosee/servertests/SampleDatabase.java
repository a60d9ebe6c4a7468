package io.dbosee.servertests;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** Reads of the tests' two databases: the sample's (with the system database) and the orders'. */
final class SampleDatabase {
  private SampleDatabase() {}

  /** The workflow's status in the system database, empty while it has no row. */
  static Optional<String> workflowStatus(String workflowId) throws SQLException {
    if (!tableExists("dbos", "workflow_status")) {
      return Optional.empty();
    }
    return Optional.ofNullable(
        text("SELECT status FROM dbos.workflow_status WHERE workflow_uuid = ?", workflowId));
  }

  /** How many times the sample recorded {@code step} of the workflow (0 when never). */
  static long stepExecutions(String workflowId, String step) throws SQLException {
    if (!tableExists("public", "sample_step_executions")) {
      return 0;
    }
    return count(
        "SELECT coalesce(sum(executions), 0) FROM sample_step_executions"
            + " WHERE workflow_id = ? AND step = ?",
        workflowId,
        step);
  }

  /** The number the query answers in the sample's database (a count), 0 when none. */
  static long count(String sql, String... args) throws SQLException {
    return single(url(), sql, args).map(v -> ((Number) v).longValue()).orElse(0L);
  }

  /** The text the query answers in the sample's database, or null. */
  static String text(String sql, String... args) throws SQLException {
    return single(url(), sql, args).map(String::valueOf).orElse(null);
  }

  /** The text the query answers in the orders database, or null. */
  static String inOrders(String sql, String... args) throws SQLException {
    return single(System.getProperty("test.postgres.orders.url"), sql, args)
        .map(String::valueOf)
        .orElse(null);
  }

  /** Runs an update in the sample's database; the number of rows it changed. */
  static int update(String sql, String... args) throws SQLException {
    try (Connection c = DriverManager.getConnection(url(), "postgres", "");
        PreparedStatement ps = prepare(c, sql, args)) {
      return ps.executeUpdate();
    }
  }

  static boolean tableExists(String schema, String table) throws SQLException {
    return single(
            url(),
            "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            schema,
            table)
        .isPresent();
  }

  private static String url() {
    return System.getProperty("test.postgres.url");
  }

  private static Optional<Object> single(String url, String sql, String... args)
      throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "postgres", "");
        PreparedStatement ps = prepare(c, sql, args);
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.ofNullable(rs.getObject(1)) : Optional.empty();
    }
  }

  private static PreparedStatement prepare(Connection c, String sql, String... args)
      throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    List<String> values = List.of(args);
    for (int i = 0; i < values.size(); i++) {
      ps.setString(i + 1, values.get(i));
    }
    return ps;
  }
}
