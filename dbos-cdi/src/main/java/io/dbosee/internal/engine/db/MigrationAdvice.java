package io.dbosee.internal.engine.db;

import io.dbosee.internal.errors.ErrorCode;

/**
 * The texts that tell an operator what a schema's migration number means and how to migrate it: the
 * same advice whether a server, the migration command or the migration SQL reports it.
 */
final class MigrationAdvice {

  /**
   * The migration command's main class, named here rather than referenced: the engine does not
   * depend on the command that depends on it.
   */
  static final String COMMAND_CLASS = "io.dbosee.tools.MigrateCommand";

  /** Where the migration SQL of schema {@value SystemSchema#DEFAULT_SCHEMA} is in the jar. */
  static final String SQL_RESOURCE = "io/dbosee/tools/system-database-migrations.sql";

  static final String PAGE = "docs/operations/database-migrations.md";

  private MigrationAdvice() {}

  /**
   * The text (after the code) of {@link ErrorCode#FOREIGN_MIGRATION_NUMBER} for {@code number}; the
   * migration SQL passes a placeholder it replaces with the number it finds.
   */
  static String foreignNumber(String schema, String number) {
    return "System database schema \""
        + schema
        + "\" is at migration "
        + number
        + ", a number in "
        + (SystemSchemaMigrations.LAST_HISTORY + 1)
        + "-"
        + (SystemSchemaMigrations.SHARED_BASE - 1)
        + ": another DBOS SDK's own history, which this library cannot read. Start the"
        + " application that created it with a DBOS SDK that migrates to the shared"
        + " numbering (the TypeScript SDK 5 or later, Python 2.x or 3.x, Java 1.3 or"
        + " later), so that it brings the schema to "
        + SystemSchemaMigrations.SHARED_BASE
        + " or above, or point this application at another schema"
        + " (dbos.system-database.schema).";
  }

  /** The text of {@link ErrorCode#SCHEMA_NOT_MIGRATED} for a schema below the latest number. */
  static String notMigrated(String schema, int found, String why) {
    return "System database schema \""
        + schema
        + "\" is at migration "
        + found
        + why
        + ", and this library needs migration "
        + SystemSchema.LATEST_VERSION
        + notMigratingHere()
        + " Run the migrations as a database user that may create tables, indexes and"
        + " functions in that schema, then start again: "
        + commandLine(schema)
        + ". "
        + alternatives();
  }

  /** The text of {@link ErrorCode#SCHEMA_NOT_MIGRATED} for a missing table of this library. */
  static String missingOwnTable(String schema, OwnTable table) {
    return "System database schema \""
        + schema
        + "\" has no table "
        + table.tableName()
        + " ("
        + table.what()
        + "), which this server needs"
        + notMigratingHere()
        + " The migration command creates it (as a database user that may create tables in that"
        + " schema): "
        + commandLine(schema)
        + ". "
        + alternatives();
  }

  /**
   * The text of {@link ErrorCode#SCHEMA_NOT_MIGRATED} for a table of this library that an older
   * version created, in a shape this server cannot use.
   */
  static String olderOwnTable(String schema, OwnTable table) {
    return "System database schema \""
        + schema
        + "\" has table "
        + table.tableName()
        + " ("
        + table.what()
        + ") in the shape an older version of this library created, and this server needs it"
        + " upgraded"
        + notMigratingHere()
        + " The migration command upgrades it (as a database user that may alter tables in that"
        + " schema): "
        + commandLine(schema)
        + ". "
        + alternatives();
  }

  /** The one INFO line for a schema a newer DBOS SDK migrated, as a log pattern. */
  static String newerPattern() {
    return "System database schema \"{0}\" is at migration {1}, newer than {2}, the newest this"
        + " library knows: a newer DBOS SDK manages it, and this library uses it as is; {3}.";
  }

  /** How a DBA runs the migrations of {@code schema}, with placeholders for the site's values. */
  static String commandLine(String schema) {
    return "PGPASSWORD=<password> java -cp dbos-cdi-<version>.jar:postgresql-<version>.jar "
        + COMMAND_CLASS
        + " --url jdbc:postgresql://<host>:<port>/<database> --user <owner> --schema "
        + schema;
  }

  private static String notMigratingHere() {
    return "; migrations at startup are switched off (dbos.system-database.migrate=false), so"
        + " this server runs no DDL.";
  }

  private static String alternatives() {
    return "Or apply the migration SQL ("
        + SQL_RESOURCE
        + " in the dbos-cdi jar, for schema \""
        + SystemSchema.DEFAULT_SCHEMA
        + "\"; the command's --print-sql writes it for any schema) with psql, or set"
        + " dbos.system-database.migrate=true where this server's database user may create"
        + " tables. See "
        + PAGE
        + ".";
  }
}
