package io.dbosee.internal.engine.db;

/**
 * This project's own tables beside the DBOS ones in the system database schema, under names no DBOS
 * SDK uses; the shared tables' shape is left alone. A server creates the one it needs when it first
 * needs it; the migration command and the migration SQL create all of them, so that a server whose
 * database user may not run DDL finds them.
 */
enum OwnTable {
  /** Server leases, for failover ({@link ExecutorLeases}). */
  EXECUTORS(
      "dbosee_executors",
      "server leases",
      "(executor_id TEXT PRIMARY KEY, application_version TEXT NOT NULL, started_at_epoch_ms"
          + " BIGINT NOT NULL, renewed_at_epoch_ms BIGINT NOT NULL, lease_until_epoch_ms BIGINT"
          + " NOT NULL)"),

  /**
   * The starting caller's trace context of each workflow, while tracing is on ({@link
   * TraceContexts}).
   */
  TRACE_CONTEXTS(
      "dbosee_trace_contexts",
      "trace contexts",
      "(workflow_uuid TEXT PRIMARY KEY, context TEXT NOT NULL, created_at_epoch_ms BIGINT NOT"
          + " NULL DEFAULT (extract(epoch from now()) * 1000)::bigint)");

  private final String name;
  private final String what;
  private final String columns;

  OwnTable(String name, String what, String columns) {
    this.name = name;
    this.what = what;
    this.columns = columns;
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
}
