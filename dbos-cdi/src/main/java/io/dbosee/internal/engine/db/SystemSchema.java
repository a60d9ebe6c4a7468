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
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Creates or upgrades the system database schema to the shape the DBOS SDKs share at their
 * migration {@value #LATEST_VERSION}, in one transaction under a PostgreSQL advisory lock keyed by
 * the schema name.
 *
 * <pre>{@code
 * SystemSchema.migrate(dataSource, "dbos"); // at startup, before anything reads the schema
 * SystemSchema.check(dataSource, "dbos");   // instead, where the database user may not run DDL
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
 *   <li>Each call logs exactly one INFO line naming the schema, the number found and the number
 *       this class knows (or, when migrating, the number it migrates to).
 *   <li>The same migrations run outside a server through {@code io.dbosee.tools.MigrateCommand}
 *       ({@link #migrateForOperator}), and as plain SQL ({@link MigrationScript}): all three read
 *       {@link SystemSchemaMigrations#ALL}.
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
    return run(dataSource, schema, target).reached();
  }

  /**
   * What a migration found and where it left the schema.
   *
   * @param found the number before (0: no schema, no {@code dbos_migrations} table, or no row)
   * @param reached the number after: the target, or {@code found} when that was not below it
   */
  public record Outcome(int found, int reached) {}

  /** As {@link #migrate(DataSource, String, int)}, saying what it found too. */
  static Outcome run(DataSource dataSource, String schema, int target) {
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
    try (Connection connection = connect(dataSource, schema, "migrate")) {
      return migrateOn(connection, schema, quoted, target, EnumSet.noneOf(OwnTable.class));
    } catch (SQLException e) {
      throw closeFailure(schema, e);
    }
  }

  /**
   * What the migration command runs: brings {@code schema} to {@value #LATEST_VERSION} as {@link
   * #migrate(DataSource, String)} does, and creates every table of this library's own beside the
   * DBOS ones, in the same transaction under the same lock, so that a server whose database user
   * may not run DDL finds all it needs.
   *
   * @param connection a connection this method uses and leaves open, in its auto-commit mode
   * @throws IllegalArgumentException if {@code schema} is not a plain identifier
   * @throws DBOSSystemDatabaseException if the database refuses a step; nothing is changed then
   */
  public static Outcome migrateForOperator(Connection connection, String schema) {
    Objects.requireNonNull(connection, "connection");
    return migrateOn(
        connection, schema, quote(schema), LATEST_VERSION, EnumSet.allOf(OwnTable.class));
  }

  private static Outcome migrateOn(
      Connection connection, String schema, String quoted, int target, Set<OwnTable> ownTables) {
    try {
      return inTransaction(
          connection, c -> migrateInTransaction(c, schema, quoted, target, ownTables));
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
   * Checks, without any DDL, that {@code schema} is at migration {@value #LATEST_VERSION} or above
   * (above: a newer DBOS SDK manages it, and it is used as is), and returns its number; for a
   * database user that may not run DDL, whose schema a DBA migrates ({@code
   * io.dbosee.tools.MigrateCommand}). Waits for a migration of the schema that holds its lock, then
   * reads the committed number.
   *
   * @throws IllegalArgumentException if {@code schema} is not a plain identifier
   * @throws DBOSSystemDatabaseException ({@code DBOS-CDI-078}) if the schema is missing or behind,
   *     with what to run; ({@code DBOS-CDI-077}) if its number is of another SDK's own history; or
   *     if the database cannot be reached
   */
  public static int check(DataSource dataSource, String schema) {
    Objects.requireNonNull(dataSource, "dataSource");
    String quoted = quote(schema);
    Found found;
    try (Connection connection = connect(dataSource, schema, "check")) {
      found =
          inTransaction(
              connection,
              c -> {
                // Shared: waits for a migrator (which holds the lock exclusively), not for other
                // checks.
                try (PreparedStatement lock =
                    c.prepareStatement("SELECT pg_advisory_xact_lock_shared(?)")) {
                  lock.setLong(1, lockKey(schema));
                  lock.executeQuery().close();
                }
                return find(c, schema, quoted);
              });
    } catch (SQLException e) {
      throw new DBOSSystemDatabaseException(
          "Could not read the migration number of the system database schema \""
              + schema
              + "\": "
              + e.getMessage()
              + " (SQLSTATE "
              + e.getSQLState()
              + "). Check that the database user may read that schema (USAGE on it, SELECT on"
              + " dbos_migrations).",
          e);
    }
    refuseForeignNumber(schema, found.version(), DBOSSystemDatabaseException::new);
    if (found.version() < LATEST_VERSION) {
      throw ErrorCode.SCHEMA_NOT_MIGRATED.exception(
          DBOSSystemDatabaseException::new,
          MigrationAdvice.notMigrated(schema, found.version(), found.why()),
          null);
    }
    if (found.version() > LATEST_VERSION) {
      logNewer(schema, found.version(), "not migrating (dbos.system-database.migrate=false)");
    } else {
      LOG.log(
          Level.INFO,
          "System database schema \"{0}\" is at migration {1}, the one this library needs;"
              + " not migrating it (dbos.system-database.migrate=false).",
          schema,
          String.valueOf(found.version()));
    }
    return found.version();
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
   * Makes sure one of this project's own tables exists beside the DBOS ones: an existing table gets
   * no DDL at all (not even {@code CREATE TABLE IF NOT EXISTS}, which demands the CREATE privilege
   * on the schema); a missing one is created under the schema's migration lock (servers starting
   * together do not race on the catalog), or refused when {@code mayCreate} is false.
   *
   * @return whether it created the table
   * @throws DBOSSystemDatabaseException ({@code DBOS-CDI-078}) if the table is missing and {@code
   *     mayCreate} is false, or if the database refuses
   */
  static boolean createOwnTable(
      DataSource dataSource, String schema, OwnTable table, boolean mayCreate) {
    String quoted = quote(schema);
    try (Connection connection = dataSource.getConnection()) {
      boolean exists = tableExists(connection, table.qualified(quoted));
      if (exists && table.isNewest(connection, quoted)) {
        return false;
      }
      if (!mayCreate) {
        throw ErrorCode.SCHEMA_NOT_MIGRATED.exception(
            DBOSSystemDatabaseException::new,
            exists
                ? MigrationAdvice.olderOwnTable(schema, table)
                : MigrationAdvice.missingOwnTable(schema, table),
            null);
      }
      return inTransaction(
          connection,
          c -> {
            try (Statement s = c.createStatement()) {
              s.execute("SELECT pg_advisory_xact_lock(" + lockKey(schema) + ")");
            }
            return createOwnTables(c, quoted, Set.of(table));
          });
    } catch (SQLException e) {
      throw Sql.failure(
          schema, "create the table of " + table.what() + " " + table.qualified(quoted), e);
    }
  }

  /** The advisory-lock key of {@code schema}: stable across JVMs and versions of this class. */
  static long lockKey(String schema) {
    // String.hashCode is specified by the JLS, so every server computes the same key; the high
    // word ("DBOS") keeps it apart from small application-chosen keys.
    int hash = ("dbosee.migrate:" + schema).hashCode();
    return (0x44424F53L << 32) | (hash & 0xFFFF_FFFFL);
  }

  /** Work on a connection inside one local transaction. */
  private interface TransactionWork<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction on {@code connection}: committed if it returns, rolled
   * back if it throws; the connection's auto-commit mode is restored either way.
   */
  private static <T> T inTransaction(Connection connection, TransactionWork<T> work)
      throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      T result = work.run(connection);
      connection.commit();
      return result;
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
  }

  private static Outcome migrateInTransaction(
      Connection c, String schema, String quoted, int target, Set<OwnTable> ownTables)
      throws SQLException {
    // Held until commit or rollback: concurrent migrators of the same schema queue up here and
    // then see the committed version, so each migration runs exactly once.
    try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
      lock.setLong(1, lockKey(schema));
      lock.executeQuery().close();
    }
    Found found = find(c, schema, quoted);
    // Checked first because CREATE SCHEMA IF NOT EXISTS still demands the CREATE privilege on
    // the database, which a runtime user of an existing schema need not have.
    if (!found.schemaExists()) {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE SCHEMA IF NOT EXISTS " + quoted);
      }
    }
    if (!found.tableExists()) {
      try (Statement s = c.createStatement()) {
        s.execute(
            "CREATE TABLE IF NOT EXISTS "
                + quoted
                + ".dbos_migrations (version bigint NOT NULL PRIMARY KEY)");
      }
    }
    int current = found.version();
    refuseForeignNumber(schema, current, MigrationStepException::new);
    Outcome outcome;
    if (current > LATEST_VERSION) {
      logNewer(schema, current, "leaving it unchanged");
      outcome = new Outcome(current, current);
    } else if (current >= target) {
      LOG.log(
          Level.INFO,
          "System database schema \"{0}\" is at migration {1}: nothing to migrate (this library"
              + " knows migrations up to {2}).",
          schema,
          String.valueOf(current),
          String.valueOf(LATEST_VERSION));
      outcome = new Outcome(current, current);
    } else {
      LOG.log(
          Level.INFO,
          "Migrating system database schema \"{0}\" from migration {1} to {2} (this library knows"
              + " migrations up to {3}), in one transaction.",
          schema,
          String.valueOf(current),
          String.valueOf(target),
          String.valueOf(LATEST_VERSION));
      applyMigrations(c, schema, quoted, current, target);
      setVersion(c, quoted, target);
      outcome = new Outcome(current, target);
    }
    createOwnTables(c, quoted, ownTables);
    return outcome;
  }

  private static void applyMigrations(
      Connection c, String schema, String quoted, int current, int target) {
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
  }

  /**
   * Creates the missing ones of {@code tables} and upgrades those of an older shape; one of the
   * newest shape gets no DDL.
   */
  private static boolean createOwnTables(Connection c, String quoted, Set<OwnTable> tables)
      throws SQLException {
    boolean changed = false;
    for (OwnTable table : tables) {
      if (!tableExists(c, table.qualified(quoted))) {
        try (Statement s = c.createStatement()) {
          s.execute(table.createStatement(quoted));
        }
        changed = true;
      } else if (!table.isNewest(c, quoted)) {
        for (String sql : table.upgradeStatements(quoted)) {
          try (Statement s = c.createStatement()) {
            s.execute(sql);
          }
        }
        changed = true;
      }
    }
    return changed;
  }

  /**
   * What the catalog says of the schema; {@link #version} is 0 when the schema, its {@code
   * dbos_migrations} table or its row does not exist.
   */
  private record Found(boolean schemaExists, boolean tableExists, int version) {
    /** Why the number is 0, when that is not a number found in the table. */
    String why() {
      if (!schemaExists) {
        return " (it does not exist)";
      }
      if (!tableExists) {
        return " (it has no dbos_migrations table)";
      }
      return "";
    }
  }

  /** Reads the schema's state without changing anything. */
  private static Found find(Connection c, String schema, String quoted) throws SQLException {
    boolean schemaExists;
    try (PreparedStatement s =
        c.prepareStatement("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ?")) {
      s.setString(1, schema);
      try (ResultSet rs = s.executeQuery()) {
        schemaExists = rs.next();
      }
    }
    if (!schemaExists) {
      return new Found(false, false, 0);
    }
    if (!tableExists(c, quoted + ".dbos_migrations")) {
      return new Found(true, false, 0);
    }
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT max(version) FROM " + quoted + ".dbos_migrations")) {
      rs.next();
      long version = rs.getLong(1);
      return new Found(true, true, (int) Math.max(0, Math.min(version, Integer.MAX_VALUE)));
    }
  }

  static boolean tableExists(Connection c, String qualified) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      s.setString(1, qualified);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  private static Connection connect(DataSource dataSource, String schema, String what) {
    try {
      return dataSource.getConnection();
    } catch (SQLException e) {
      throw new DBOSSystemDatabaseException(
          "Could not connect to the system database to "
              + what
              + " schema \""
              + schema
              + "\": "
              + e.getMessage()
              + ". Check the system database URL, user and password, and that PostgreSQL is"
              + " reachable.",
          e);
    }
  }

  /** Closing the connection failed after the work was decided; reported as the library does. */
  private static DBOSSystemDatabaseException closeFailure(String schema, SQLException e) {
    return new DBOSSystemDatabaseException(
        "Could not close the connection that migrated the system database schema \""
            + schema
            + "\": "
            + e.getMessage(),
        e);
  }

  /** Refuses a number of another SDK's own history, whose shape this library cannot know. */
  private static <E extends RuntimeException> void refuseForeignNumber(
      String schema, int current, BiFunction<String, Throwable, E> exception) {
    if (current > SystemSchemaMigrations.LAST_HISTORY
        && current < SystemSchemaMigrations.SHARED_BASE) {
      throw ErrorCode.FOREIGN_MIGRATION_NUMBER.exception(
          exception, MigrationAdvice.foreignNumber(schema, String.valueOf(current)), null);
    }
  }

  private static void logNewer(String schema, int current, String whatNow) {
    LOG.log(
        Level.INFO,
        MigrationAdvice.newerPattern(),
        schema,
        String.valueOf(current),
        String.valueOf(LATEST_VERSION),
        whatNow);
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
