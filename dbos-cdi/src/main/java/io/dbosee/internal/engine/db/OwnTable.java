package io.dbosee.internal.engine.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * This project's own tables beside the DBOS ones in the system database schema, under names no DBOS
 * SDK uses; the shared tables' shape is left alone. A server creates the one it needs when it first
 * needs it; the migration command and the migration SQL create all of them, so that a server whose
 * database user may not run DDL finds them. A table whose shape changed is upgraded the same ways:
 * its newest shape has a column the older one lacks, and statements that add it.
 */
enum OwnTable {
  /**
   * Server leases, for failover ({@link ExecutorLeases}), one per application and executor id: two
   * applications whose servers keep the same executor id hold a lease each. Before several
   * applications had names here, a lease was keyed by executor id alone; {@code ''} is no
   * application (an empty name is never one).
   */
  EXECUTORS(
      "dbosee_executors",
      "server leases",
      "(application_name TEXT NOT NULL DEFAULT '', executor_id TEXT NOT NULL, application_version"
          + " TEXT NOT NULL, started_at_epoch_ms BIGINT NOT NULL, renewed_at_epoch_ms BIGINT NOT"
          + " NULL, lease_until_epoch_ms BIGINT NOT NULL, PRIMARY KEY (application_name,"
          + " executor_id))",
      "application_name",
      List.of(
          "ALTER TABLE %1$s ADD COLUMN application_name TEXT NOT NULL DEFAULT ''",
          "ALTER TABLE %1$s DROP CONSTRAINT dbosee_executors_pkey",
          "ALTER TABLE %1$s ADD PRIMARY KEY (application_name, executor_id)")),

  /**
   * The starting caller's trace context of each workflow, while tracing is on ({@link
   * TraceContexts}).
   */
  TRACE_CONTEXTS(
      "dbosee_trace_contexts",
      "trace contexts",
      "(workflow_uuid TEXT PRIMARY KEY, context TEXT NOT NULL, created_at_epoch_ms BIGINT NOT"
          + " NULL DEFAULT (extract(epoch from now()) * 1000)::bigint)",
      null,
      List.of());

  private final String name;
  private final String what;
  private final String columns;

  /** A column of the newest shape that an older one lacks; null: the table has one shape. */
  private final String newestColumn;

  /** The statements that bring an older shape to the newest, {@code %1$s} the qualified name. */
  private final List<String> upgrade;

  OwnTable(String name, String what, String columns, String newestColumn, List<String> upgrade) {
    this.name = name;
    this.what = what;
    this.columns = columns;
    this.newestColumn = newestColumn;
    this.upgrade = upgrade;
  }

  /** The unqualified table name. */
  String tableName() {
    return name;
  }

  /** What the table holds, for messages. */
  String what() {
    return what;
  }

  /** The table's name qualified by the quoted schema identifier. */
  String qualified(String quotedSchema) {
    return quotedSchema + "." + name;
  }

  /** The statement that creates the table in the schema {@code quotedSchema} if it is missing. */
  String createStatement(String quotedSchema) {
    return "CREATE TABLE IF NOT EXISTS " + qualified(quotedSchema) + " " + columns;
  }

  /** Whether the existing table has its newest shape. */
  boolean isNewest(Connection c, String quotedSchema) throws SQLException {
    if (newestColumn == null) {
      return true;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass(?) AND attname = ?"
                + " AND NOT attisdropped")) {
      ps.setString(1, qualified(quotedSchema));
      ps.setString(2, newestColumn);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** The statements that bring the existing table of an older shape to its newest. */
  List<String> upgradeStatements(String quotedSchema) {
    return upgrade.stream().map(sql -> String.format(sql, qualified(quotedSchema))).toList();
  }

  /**
   * One statement that upgrades the table if it has an older shape and does nothing otherwise, for
   * the migration SQL; empty when the table has one shape.
   */
  String upgradeScript(String quotedSchema) {
    if (newestColumn == null) {
      return "";
    }
    String literal = "'" + qualified(quotedSchema).replace("'", "''") + "'";
    return "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = "
        + literal
        + "::regclass AND attname = '"
        + newestColumn
        + "' AND NOT attisdropped) THEN "
        + String.join("; ", upgradeStatements(quotedSchema))
        + "; END IF; END $$";
  }
}
