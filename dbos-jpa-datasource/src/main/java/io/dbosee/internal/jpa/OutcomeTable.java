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
 * The table {@code datasource_outputs} in an application database (the name and shape DBOS Python
 * gives it): one row per transaction step execution that ended, written in the step's own
 * transaction (or, for a failure, in a separate one after the rollback). Its primary key {@code
 * (workflow_id, step_id)} is what makes two executions of one workflow record one outcome.
 *
 * <p>Earlier versions of this library named it {@code tx_step_outputs}, with the same columns.
 * {@link #prepare} renames that table when its user owns it, so recorded outcomes stay where steps
 * look; otherwise the old table is kept and read after the new one (see {@link #legacy()}).
 */
final class OutcomeTable {
  static final String TABLE = "datasource_outputs";
  static final String LEGACY_TABLE = "tx_step_outputs";

  private final String schema;
  private final String qualified;
  private final String legacyQualified;
  private volatile boolean legacy;

  /**
   * @param schema a plain SQL identifier (checked as the system schema's name is)
   */
  OutcomeTable(String schema) {
    this(schema, TABLE);
  }

  /**
   * A table of another name: {@link #LEGACY_TABLE} is how the previous versions of this library
   * recorded (its tests run that code path to build a database to upgrade).
   */
  OutcomeTable(String schema, String table) {
    this.schema = SystemSchema.quote(schema);
    this.qualified = this.schema + "." + table;
    this.legacyQualified = this.schema + "." + LEGACY_TABLE;
  }

  String qualifiedName() {
    return qualified;
  }

  /**
   * Whether an old {@code tx_step_outputs} is still read after this table (see {@link #prepare}).
   */
  boolean legacy() {
    return legacy;
  }

  String legacyName() {
    return legacyQualified;
  }

  /**
   * Makes the table ready. Runs inside the caller's transaction. An existing table gets no DDL at
   * all: {@code CREATE ... IF NOT EXISTS} still demands the CREATE privilege, which the user of a
   * table a DBA created need not have. A missing one is, under an advisory lock so that servers
   * starting together do not race on the catalog, renamed from {@code tx_step_outputs} when that
   * exists and this user owns it (the rows carry over at once), or else created. An old table left
   * beside it is then read after it, so that no recorded outcome is lost.
   */
  void prepare(Connection c) throws SQLException {
    if (!exists(c, qualified)) {
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(hashtext('dbos-jakarta:" + qualified + "'))");
      }
      if (!exists(c, qualified)) {
        if (!legacyQualified.equals(qualified) && owned(c, legacyQualified)) {
          try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE " + legacyQualified + " RENAME TO " + TABLE);
          }
        } else {
          create(c);
        }
      }
    }
    legacy = !legacyQualified.equals(qualified) && exists(c, legacyQualified);
  }

  private void create(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
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

  private static boolean exists(Connection c, String table) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  /** Whether the table exists and this user may alter it (owns it, or is in its owner's role). */
  private static boolean owned(Connection c, String table) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class"
                + " WHERE oid = to_regclass(?)")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  /** The recorded outcome, in this table or else in the old one left beside it. */
  Optional<RecordedOutcome> find(Connection c, String workflowId, int stepId) throws SQLException {
    Optional<RecordedOutcome> found = find(c, qualified, workflowId, stepId);
    return found.isPresent() || !legacy ? found : find(c, legacyQualified, workflowId, stepId);
  }

  private static Optional<RecordedOutcome> find(
      Connection c, String table, String workflowId, int stepId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT output, error, serialization FROM "
                + table
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
