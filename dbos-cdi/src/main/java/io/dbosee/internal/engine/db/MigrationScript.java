package io.dbosee.internal.engine.db;

import io.dbosee.internal.engine.db.SystemSchemaMigrations.Migration;
import io.dbosee.internal.errors.ErrorCode;

/**
 * Writes the system database migrations as one plain SQL script, for a DBA who applies them with
 * psql or their own tooling instead of letting a server or the migration command do it: the same
 * statements as {@link SystemSchema#migrateForOperator}, with the same effect on any schema state.
 *
 * <pre>{@code
 * String sql = MigrationScript.forSchema("dbos"); // psql -v ON_ERROR_STOP=1 -f that file
 * }</pre>
 *
 * <p>Invariants: the script is one transaction ({@code BEGIN} ... {@code COMMIT}) that takes the
 * advisory lock a server takes to migrate; it runs each migration only when the number in {@code
 * dbos_migrations} is below it, refuses a number of another SDK's own history (48-99) with the
 * message a server gives, and leaves a schema at {@value SystemSchema#LATEST_VERSION} or above as
 * it is, this library's own tables aside. Each migration's statements run through {@code EXECUTE}
 * inside a {@code DO} block, which is what lets the script skip them without psql's meta-commands.
 */
public final class MigrationScript {

  /** Quotes each {@code DO} block; no migration statement contains it. */
  private static final String BLOCK = "$dbos_migration$";

  /** Quotes each statement inside a block; no migration statement contains it either. */
  private static final String STATEMENT = "$dbos_sql$";

  private static final String FOUND_PLACEHOLDER = "{found}";

  private MigrationScript() {}

  /**
   * The script that migrates {@code schema}.
   *
   * @throws IllegalArgumentException if {@code schema} is not a plain identifier
   */
  public static String forSchema(String schema) {
    String quoted = SystemSchema.quote(schema);
    String current = "(SELECT coalesce(max(version), 0) FROM " + quoted + ".dbos_migrations)";
    StringBuilder sql = new StringBuilder();
    header(sql, schema);
    sql.append("BEGIN;\n\n")
        .append(
            "-- Without the notices of the IF EXISTS / IF NOT EXISTS that find nothing to do.\n")
        .append("SET LOCAL client_min_messages = warning;\n\n")
        .append(
            "-- The lock a server takes to migrate this schema (one migrator at a time), held\n")
        .append("-- until COMMIT.\n")
        .append("DO ")
        .append(BLOCK)
        .append("\nBEGIN\n  PERFORM pg_advisory_xact_lock(")
        .append(SystemSchema.lockKey(schema))
        .append(");\nEND\n")
        .append(BLOCK)
        .append(";\n\n")
        .append("-- Looked up first: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database.\n")
        .append("DO ")
        .append(BLOCK)
        .append("\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ")
        .append(literal(schema))
        .append(") THEN\n    CREATE SCHEMA ")
        .append(quoted)
        .append(";\n  END IF;\nEND\n")
        .append(BLOCK)
        .append(";\n\nCREATE TABLE IF NOT EXISTS ")
        .append(quoted)
        .append(".dbos_migrations (version bigint NOT NULL PRIMARY KEY);\n\n");
    refuseForeignNumber(sql, schema, current);
    for (Migration migration : SystemSchemaMigrations.ALL) {
      migration(sql, migration, quoted, current);
    }
    int latest = SystemSchema.LATEST_VERSION;
    sql.append("-- The single row the DBOS SDKs keep: the number of the last migration applied.\n")
        .append("UPDATE ")
        .append(quoted)
        .append(".dbos_migrations SET version = ")
        .append(latest)
        .append(" WHERE version < ")
        .append(latest)
        .append(";\nINSERT INTO ")
        .append(quoted)
        .append(".dbos_migrations (version) SELECT ")
        .append(latest)
        .append(" WHERE NOT EXISTS (SELECT 1 FROM ")
        .append(quoted)
        .append(".dbos_migrations);\n\n")
        .append("-- This library's own tables, under names no DBOS SDK uses.\n");
    for (OwnTable table : OwnTable.values()) {
      sql.append("-- ").append(table.what()).append('\n');
      sql.append(table.createStatement(quoted)).append(";\n");
      String upgrade = table.upgradeScript(quoted);
      if (!upgrade.isEmpty()) {
        sql.append("-- ").append(table.what()).append(": an older version's shape upgraded\n");
        sql.append(upgrade).append(";\n");
      }
    }
    return sql.append("\nCOMMIT;\n").toString();
  }

  private static void header(StringBuilder sql, String schema) {
    sql.append("-- The DBOS system database schema \"")
        .append(schema)
        .append("\": the DBOS SDKs' migrations 1-")
        .append(SystemSchemaMigrations.LAST_HISTORY)
        .append(" and ")
        .append(SystemSchemaMigrations.SHARED_BASE)
        .append('-')
        .append(SystemSchema.LATEST_VERSION)
        .append(", then this library's own tables.\n")
        .append("-- Generated: ")
        .append(MigrationAdvice.COMMAND_CLASS)
        .append(" --print-sql --schema ")
        .append(schema)
        .append(". Do not edit.\n")
        .append("--\n")
        .append("-- Run it as a database user that may create tables, indexes and functions in the")
        .append(" schema:\n")
        .append(
            "--   psql -v ON_ERROR_STOP=1 -f <this file> postgresql://<owner>@<host>:<port>/<db>\n")
        .append("-- It is one transaction (do not add psql's --single-transaction): it applies the")
        .append(" migrations\n")
        .append("-- above the number in dbos_migrations, or nothing if the schema is at ")
        .append(SystemSchema.LATEST_VERSION)
        .append(" or above.\n")
        .append("-- See ")
        .append(MigrationAdvice.PAGE)
        .append(".\n\n");
  }

  private static void refuseForeignNumber(StringBuilder sql, String schema, String current) {
    String message =
        ErrorCode.FOREIGN_MIGRATION_NUMBER.message(
            MigrationAdvice.foreignNumber(schema, FOUND_PLACEHOLDER));
    sql.append("-- A number of another SDK's own history: its shape is unknown here.\n")
        .append("DO ")
        .append(BLOCK)
        .append("\nDECLARE\n  found bigint := ")
        .append(current)
        .append(";\nBEGIN\n  IF found > ")
        .append(SystemSchemaMigrations.LAST_HISTORY)
        .append(" AND found < ")
        .append(SystemSchemaMigrations.SHARED_BASE)
        .append(" THEN\n    RAISE EXCEPTION USING MESSAGE = replace(")
        .append(literal(message))
        .append(", ")
        .append(literal(FOUND_PLACEHOLDER))
        .append(", found::text);\n  END IF;\nEND\n")
        .append(BLOCK)
        .append(";\n\n");
  }

  private static void migration(
      StringBuilder sql, Migration migration, String quoted, String current) {
    sql.append("-- Migration ")
        .append(migration.version())
        .append(": ")
        .append(migration.description().replace('\n', ' '))
        .append("\nDO ")
        .append(BLOCK)
        .append("\nBEGIN\n  IF ")
        .append(current)
        .append(" < ")
        .append(migration.version())
        .append(" THEN\n");
    for (String statement : migration.statementsFor(quoted)) {
      if (statement.contains(BLOCK) || statement.contains(STATEMENT)) {
        throw new IllegalStateException(
            "Migration " + migration.version() + " contains a quote tag of the migration SQL");
      }
      sql.append("    EXECUTE ")
          .append(STATEMENT)
          .append(statement)
          .append(STATEMENT)
          .append(";\n");
    }
    sql.append("  END IF;\nEND\n").append(BLOCK).append(";\n\n");
  }

  /** A standard SQL string literal. */
  private static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }
}
