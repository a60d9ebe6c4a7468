package io.dbosee.internal.engine.db;

import io.dbosee.DBOSSystemDatabaseException;
import io.dbosee.internal.engine.db.SystemSchemaMigrations.Migration;
import io.dbosee.internal.errors.ErrorCode;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Creates or upgrades the system database schema to the shape the DBOS SDKs share at their
 * migration {@value #LATEST_VERSION}, in one transaction under a PostgreSQL advisory lock keyed by
 * the schema name.
 *
 * <pre>{@code
 * SystemSchema.migrate(dataSource, "dbos"); // at startup, before anything reads the schema
 * }</pre>
 *
 * <p>Pitfalls:
 *
 * <ul>
 *   <li>Call it outside any JTA transaction: it commits its own local transaction on a connection
 *       of {@code dataSource}.
 *   <li>A schema already at {@value #LATEST_VERSION} is not touched at all (no DDL, no {@code
 *       CREATE SCHEMA}), so a database user without DDL rights works once the schema exists. A
 *       schema at a higher number was made by a newer DBOS SDK: it is left alone as well, and the
 *       engine reads it as if it were at {@value #LATEST_VERSION}.
 *   <li>Upgrading a schema an older DBOS SDK created builds its new indexes without {@code
 *       CONCURRENTLY} (they run inside the migration transaction), which blocks writes to {@code
 *       workflow_status} while they build on a large table.
 * </ul>
 */
public final class SystemSchema {

  /** The migration number of the shape this class creates. */
  public static final int LATEST_VERSION = SystemSchemaMigrations.LATEST;

  /** The schema name used when none is configured. */
  public static final String DEFAULT_SCHEMA = "dbos";

  private static final System.Logger LOG = System.getLogger(SystemSchema.class.getName());

  // Unquoted-identifier characters only, so the name can never break out of its quotes, and
  // PostgreSQL's limit of 63 bytes; "pg_" names are reserved for the system.
  private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  private SystemSchema() {}

  /**
   * Brings {@code schema} to migration {@value #LATEST_VERSION} and returns the number it is at
   * afterwards ({@value #LATEST_VERSION}, or higher when a newer DBOS SDK manages it).
   *
   * @throws IllegalArgumentException if {@code schema} is not a plain identifier
   * @throws DBOSSystemDatabaseException if the database refuses a step; nothing is changed then
   */
  public static int migrate(DataSource dataSource, String schema) {
    return migrate(dataSource, schema, LATEST_VERSION);
  }

  /** As {@link #migrate(DataSource, String)} but stops at {@code target}; for upgrade tests. */
  static int migrate(DataSource dataSource, String schema, int target) {
    Objects.requireNonNull(dataSource, "dataSource");
    String quoted = quote(schema);
    if (!SystemSchemaMigrations.known(target)) {
      throw new IllegalArgumentException(
          "target must be a migration number: 1.."
              + SystemSchemaMigrations.LAST_HISTORY
              + " or "
              + SystemSchemaMigrations.SHARED_BASE
              + ".."
              + LATEST_VERSION);
    }
    Connection connection;
    try {
      connection = dataSource.getConnection();
    } catch (SQLException e) {
      throw new DBOSSystemDatabaseException(
          "Could not connect to the system database to migrate schema \""
              + schema
              + "\": "
              + e.getMessage()
              + ". Check the system database URL, user and password, and that PostgreSQL is"
              + " reachable.",
          e);
    }
    try (connection) {
      boolean autoCommit = connection.getAutoCommit();
      connection.setAutoCommit(false);
      try {
        int version = migrateInTransaction(connection, schema, quoted, target);
        connection.commit();
        return version;
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(connection, e);
        throw e;
      } finally {
        try {
          connection.setAutoCommit(autoCommit);
        } catch (SQLException e) {
          // The outcome is already decided; a pool resets or discards the connection on close.
        }
      }
    } catch (MigrationStepException e) {
      throw new DBOSSystemDatabaseException(e.getMessage(), e.getCause());
    } catch (SQLException e) {
      throw new DBOSSystemDatabaseException(
          "Could not migrate the system database schema \""
              + schema
              + "\": "
              + e.getMessage()
              + " (SQLSTATE "
              + e.getSQLState()
              + "). Check that the database is PostgreSQL 13 or newer and that the connection is"
              + " not inside a JTA transaction.",
          e);
    }
  }

  /**
   * The schema name double-quoted for use in SQL, after checking that it is a plain identifier.
   *
   * @throws IllegalArgumentException if it is not one
   */
  public static String quote(String schema) {
    if (schema == null
        || !PLAIN_IDENTIFIER.matcher(schema).matches()
        || schema.toLowerCase(java.util.Locale.ROOT).startsWith("pg_")) {
      throw new IllegalArgumentException(
          "Invalid system database schema name "
              + (schema == null ? "null" : "'" + schema + "'")
              + ": use 1 to 63 ASCII letters, digits and underscores, starting with a letter or"
              + " an underscore and not with 'pg_' (for example 'dbos').");
    }
    return '"' + schema + '"';
  }

  /**
   * Creates one of the project's own tables beside the DBOS ones, if it is missing, under the
   * schema's migration lock (servers starting together do not race on the catalog).
   *
   * @param table the schema-qualified, quoted table name
   * @param columns the column definitions, parenthesized
   * @param what what the table holds, for the error message
   */
  static void createOwnTable(
      DataSource dataSource, String schema, String table, String columns, String what) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(" + lockKey(schema) + ")");
        s.execute("CREATE TABLE IF NOT EXISTS " + table + " " + columns);
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw Sql.failure(schema, "create the table of " + what + " " + table, e);
    }
  }

  /** The advisory-lock key of {@code schema}: stable across JVMs and versions of this class. */
  static long lockKey(String schema) {
    // String.hashCode is specified by the JLS, so every server computes the same key; the high
    // word ("DBOS") keeps it apart from small application-chosen keys.
    int hash = ("dbosee.migrate:" + schema).hashCode();
    return (0x44424F53L << 32) | (hash & 0xFFFF_FFFFL);
  }

  private static int migrateInTransaction(Connection c, String schema, String quoted, int target)
      throws SQLException {
    // Held until commit or rollback: concurrent migrators of the same schema queue up here and
    // then see the committed version, so each migration runs exactly once.
    try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
      lock.setLong(1, lockKey(schema));
      lock.executeQuery().close();
    }
    int current = currentVersion(c, schema, quoted);
    if (current > SystemSchemaMigrations.LAST_HISTORY
        && current < SystemSchemaMigrations.SHARED_BASE) {
      throw ErrorCode.FOREIGN_MIGRATION_NUMBER.exception(
          MigrationStepException::new,
          "System database schema \""
              + schema
              + "\" is at migration "
              + current
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
              + " (dbos.system-database.schema).",
          null);
    }
    if (current >= target) {
      if (current > LATEST_VERSION) {
        LOG.log(
            Level.INFO,
            "System database schema \"{0}\" is at migration {1}, newer than {2}: a newer DBOS SDK"
                + " manages it; leaving it unchanged.",
            schema,
            current,
            LATEST_VERSION);
      }
      return current;
    }
    LOG.log(
        Level.INFO,
        "Migrating system database schema \"{0}\" from migration {1} to {2}.",
        schema,
        current,
        target);
    for (Migration migration : SystemSchemaMigrations.ALL) {
      if (migration.version() <= current || migration.version() > target) {
        continue;
      }
      for (String sql : migration.statementsFor(quoted)) {
        try (Statement s = c.createStatement()) {
          s.execute(sql);
        } catch (SQLException e) {
          throw new MigrationStepException(
              "Migration "
                  + migration.version()
                  + " ("
                  + migration.description()
                  + ") of system database schema \""
                  + schema
                  + "\" failed: "
                  + e.getMessage()
                  + " (SQLSTATE "
                  + e.getSQLState()
                  + "). Nothing was changed. Check that the database user may create tables,"
                  + " indexes, functions and triggers in that schema, and that objects of the"
                  + " same names there were not created by something other than DBOS.",
              e);
        }
      }
    }
    setVersion(c, quoted, target);
    return target;
  }

  /** 0 when the schema or its {@code dbos_migrations} table does not exist yet (then made). */
  private static int currentVersion(Connection c, String schema, String quoted)
      throws SQLException {
    boolean schemaExists;
    try (PreparedStatement s =
        c.prepareStatement("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ?")) {
      s.setString(1, schema);
      try (ResultSet rs = s.executeQuery()) {
        schemaExists = rs.next();
      }
    }
    // Checked first because CREATE SCHEMA IF NOT EXISTS still demands the CREATE privilege on
    // the database, which a runtime user of an existing schema need not have.
    if (!schemaExists) {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE SCHEMA IF NOT EXISTS " + quoted);
      }
    }
    boolean tableExists;
    try (PreparedStatement s = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      s.setString(1, quoted + ".dbos_migrations");
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        tableExists = rs.getBoolean(1);
      }
    }
    if (!tableExists) {
      try (Statement s = c.createStatement()) {
        s.execute(
            "CREATE TABLE IF NOT EXISTS "
                + quoted
                + ".dbos_migrations (version bigint NOT NULL PRIMARY KEY)");
      }
      return 0;
    }
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT max(version) FROM " + quoted + ".dbos_migrations")) {
      rs.next();
      long version = rs.getLong(1);
      return (int) Math.min(version, Integer.MAX_VALUE);
    }
  }

  /** Keeps the single row the SDKs keep: the number of the last migration applied. */
  private static void setVersion(Connection c, String quoted, int to) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("UPDATE " + quoted + ".dbos_migrations SET version = ?")) {
      s.setLong(1, to);
      if (s.executeUpdate() > 0) {
        return;
      }
    }
    try (PreparedStatement s =
        c.prepareStatement("INSERT INTO " + quoted + ".dbos_migrations (version) VALUES (?)")) {
      s.setLong(1, to);
      s.executeUpdate();
    }
  }

  private static void rollbackQuietly(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  /** Carries a message that already names the failed migration out of the transaction. */
  private static final class MigrationStepException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MigrationStepException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
