package io.dbosee.internal.jpa;

import io.dbosee.internal.engine.StepExecution.RecordedOutcome;
import io.dbosee.internal.engine.db.SystemSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * The table {@code tx_step_outputs} in the application database: one row per transaction step
 * execution that ended, written in the step's own transaction (or, for a failure, in a separate one
 * after the rollback). Its primary key {@code (workflow_id, step_id)} is what makes two executions
 * of one workflow record one outcome.
 */
final class OutcomeTable {
  static final String TABLE = "tx_step_outputs";

  private final String schema;
  private final String qualified;

  /**
   * @param schema a plain SQL identifier (checked as the system schema's name is)
   */
  OutcomeTable(String schema) {
    this.schema = SystemSchema.quote(schema);
    this.qualified = this.schema + "." + TABLE;
  }

  String qualifiedName() {
    return qualified;
  }

  /**
   * Creates the schema and table when missing. Runs inside the caller's transaction, under an
   * advisory lock, so that servers starting together do not race on the catalog. An existing table
   * gets no DDL at all: {@code CREATE ... IF NOT EXISTS} still demands the CREATE privilege, which
   * the user of a table a DBA created need not have.
   */
  void create(Connection c) throws SQLException {
    try (PreparedStatement exists = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      exists.setString(1, qualified);
      try (ResultSet rs = exists.executeQuery()) {
        if (rs.next() && rs.getBoolean(1)) {
          return;
        }
      }
    }
    try (Statement s = c.createStatement()) {
      s.execute("SELECT pg_advisory_xact_lock(hashtext('dbos-jakarta:" + qualified + "'))");
      s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + qualified
              + " (workflow_id TEXT NOT NULL,"
              + " step_id INT NOT NULL,"
              + " output TEXT,"
              + " error TEXT,"
              + " serialization TEXT,"
              + " created_at BIGINT NOT NULL"
              + " DEFAULT (EXTRACT(EPOCH FROM now()) * 1000.0)::bigint,"
              + " PRIMARY KEY (workflow_id, step_id))");
    }
  }

  Optional<RecordedOutcome> find(Connection c, String workflowId, int stepId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT output, error, serialization FROM "
                + qualified
                + " WHERE workflow_id = ? AND step_id = ?")) {
      ps.setString(1, workflowId);
      ps.setInt(2, stepId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(new RecordedOutcome(rs.getString(1), rs.getString(2), rs.getString(3)))
            : Optional.empty();
      }
    }
  }

  /**
   * Inserts the outcome; a unique violation (SQLSTATE 23505) means another execution recorded this
   * step first.
   */
  void insert(Connection c, String workflowId, int stepId, RecordedOutcome outcome)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + qualified
                + " (workflow_id, step_id, output, error, serialization) VALUES (?, ?, ?, ?, ?)")) {
      ps.setString(1, workflowId);
      ps.setInt(2, stepId);
      ps.setString(3, outcome.output());
      ps.setString(4, outcome.error());
      ps.setString(5, outcome.serialization());
      ps.executeUpdate();
    }
  }
}
