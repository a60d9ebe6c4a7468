package io.dbosee.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbosee.DBOSSystemDatabaseException;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import io.dbosee.internal.engine.db.SchemaFixtures;
import io.dbosee.internal.engine.db.SystemSchema;
import io.dbosee.testing.LogCapture;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link EngineConfig#migrateSchema()} false: launch runs no DDL at all, checks the schema's number
 * and this library's own tables, and refuses what it cannot use with the numbers and the command
 * that migrates; a database user without the right to create anything in the schema then runs
 * workflows. A schema a newer DBOS SDK migrated beyond 123 is used as it is, with one log line.
 */
class MigrationSwitchTest {
  private final EngineHarness harness = new EngineHarness();

  /** A role of its own per database: roles are shared by every database of the test server. */
  private final String role = "app_" + harness.database.name();

  private boolean roleCreated;

  @AfterEach
  void stop() throws SQLException {
    harness.close();
    if (roleCreated) {
      execute("DROP OWNED BY " + role, "DROP ROLE " + role);
    }
  }

  private static EngineConfig switchedOff(String executorId) {
    return new EngineConfig(executorId, "v1", "dbos").withMigrateSchema(false);
  }

  private static WorkflowSpec greet() {
    return new WorkflowSpec(
        "greet", String.class, new Class<?>[] {String.class}, (engine, args) -> "hello " + args[0]);
  }

  @Test
  void aUserWithoutDdlRightsRunsWorkflowsOnASchemaTheMigrationCommandMigrated() throws Exception {
    try (Connection owner = harness.dataSource().getConnection()) {
      SystemSchema.migrateForOperator(owner, "dbos");
    }
    DataSource app = restrictedUser();
    WorkflowSpec greet = greet();

    try (LogCapture log = LogCapture.ofPackage(DBOSEngine.class)) {
      harness.engine(switchedOff("server-1"), app, greet);

      assertThat(migrationLines(log))
          .containsExactly(
              "System database schema \"dbos\" is at migration 123, the one this library needs;"
                  + " not migrating it (dbos.system-database.migrate=false).");
    }
    assertThat(greet.callWithId("wf-1", "you")).isEqualTo("hello you");
    assertThat(harness.status("wf-1")).isEqualTo("SUCCESS");
  }

  @Test
  void anUnmigratedSchemaIsRefusedWithBothNumbersAndNothingIsCreated() throws Exception {
    execute("CREATE SCHEMA dbos");
    DataSource app = restrictedUser();

    assertThatThrownBy(() -> harness.engine(switchedOff("server-1"), app, greet()))
        .isInstanceOf(DBOSSystemDatabaseException.class)
        .hasMessageStartingWith(
            "[DBOS-CDI-078] System database schema \"dbos\" is at migration 0 (it has no"
                + " dbos_migrations table), and this library needs migration 123")
        .hasMessageContaining("io.dbosee.tools.MigrateCommand");
    assertThat(harness.queryColumn("SELECT tablename FROM pg_tables WHERE schemaname = 'dbos'"))
        .isEmpty();

    // The same user with the switch on: it may not create the tables, which is the point.
    assertThatThrownBy(() -> harness.engine(new EngineConfig("server-2", "v1", "dbos"), app))
        .isInstanceOf(DBOSSystemDatabaseException.class)
        .hasMessageContaining("permission denied for schema dbos");
  }

  @Test
  void aSchemaBehindIsRefusedAndStaysWhereItWas() {
    SchemaFixtures.migrateTo(harness.dataSource(), "dbos", 41);

    assertThatThrownBy(() -> harness.engine(switchedOff("server-1"), harness.dataSource()))
        .hasMessageStartingWith(
            "[DBOS-CDI-078] System database schema \"dbos\" is at migration 41, and this library"
                + " needs migration 123");
    assertThat(harness.query("SELECT version::text FROM dbos.dbos_migrations")).isEqualTo("41");
    assertThat(harness.query("SELECT to_regclass('dbos.workflow_input')::text")).isNull();
  }

  @Test
  void aNumberOfAnotherSdksOwnHistoryIsRefusedAsWhenMigrating() throws SQLException {
    SchemaFixtures.migrateTo(harness.dataSource(), "dbos", 47);
    execute("UPDATE dbos.dbos_migrations SET version = 60");

    assertThatThrownBy(() -> harness.engine(switchedOff("server-1"), harness.dataSource()))
        .hasMessageStartingWith(
            "[DBOS-CDI-077] System database schema \"dbos\" is at migration 60,");
  }

  @Test
  void aMissingLeaseTableIsRefusedWhenFailoverNeedsIt() throws Exception {
    // At 123, as a DBOS SDK leaves it: without this library's own tables.
    SystemSchema.migrate(harness.dataSource(), "dbos");

    assertThatThrownBy(() -> harness.engine(switchedOff("server-1"), harness.dataSource()))
        .hasMessageStartingWith(
            "[DBOS-CDI-078] System database schema \"dbos\" has no table dbosee_executors"
                + " (server leases)")
        .hasMessageContaining("io.dbosee.tools.MigrateCommand");
    assertThat(harness.query("SELECT to_regclass('dbos.dbosee_executors')::text")).isNull();

    WorkflowSpec greet = greet();
    harness.engine(switchedOff("server-2").withFailoverLease(null), harness.dataSource(), greet);
    assertThat(greet.call("without failover")).isEqualTo("hello without failover");
  }

  @Test
  void aSchemaBeyond123IsUsedAsItIsWithOneLineNamingBothNumbers() throws Exception {
    SystemSchema.migrate(harness.dataSource(), "dbos");
    execute("UPDATE dbos.dbos_migrations SET version = 125");
    WorkflowSpec greet = greet();

    try (LogCapture log = LogCapture.ofPackage(DBOSEngine.class)) {
      harness.engine(new EngineConfig("server-1", "v1", "dbos"), harness.dataSource(), greet);

      assertThat(migrationLines(log))
          .containsExactly(
              "System database schema \"dbos\" is at migration 125, newer than 123, the newest"
                  + " this library knows: a newer DBOS SDK manages it, and this library uses it as"
                  + " is; leaving it unchanged.");
    }
    assertThat(greet.call("newer")).isEqualTo("hello newer");
    assertThat(harness.query("SELECT version::text FROM dbos.dbos_migrations")).isEqualTo("125");
  }

  @Test
  void aSchemaBeyond123IsUsedAsItIsWithTheSwitchOffToo() throws Exception {
    try (Connection owner = harness.dataSource().getConnection()) {
      SystemSchema.migrateForOperator(owner, "dbos");
    }
    execute("UPDATE dbos.dbos_migrations SET version = 125");

    try (LogCapture log = LogCapture.ofPackage(DBOSEngine.class)) {
      harness.engine(switchedOff("server-1"), restrictedUser(), greet());

      assertThat(migrationLines(log))
          .singleElement()
          .satisfies(
              line ->
                  assertThat(line)
                      .contains("is at migration 125, newer than 123")
                      .contains("not migrating (dbos.system-database.migrate=false)"));
    }
  }

  /** The lines that speak of the schema's migration number. */
  private static List<String> migrationLines(LogCapture log) {
    return log.messages().stream().filter(m -> m.contains("migrat")).toList();
  }

  /**
   * A login that may read and write the rows of schema {@code dbos} but create nothing, in the
   * schema or in the database.
   */
  private DataSource restrictedUser() throws SQLException {
    execute("CREATE ROLE " + role + " LOGIN PASSWORD 'app'");
    roleCreated = true;
    execute(
        "GRANT USAGE ON SCHEMA dbos TO " + role,
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA dbos TO " + role);
    assertThat(
            harness.query(
                "SELECT has_schema_privilege(?, 'dbos', 'CREATE')::text"
                    + " || has_database_privilege(?, current_database(), 'CREATE')::text",
                role,
                role))
        .isEqualTo("falsefalse");
    return harness.pool(role, "app");
  }

  private void execute(String... statements) throws SQLException {
    try (Connection c = harness.dataSource().getConnection();
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  /** The lease table as versions before application names created it: keyed by executor id. */
  private void olderLeaseTable() throws SQLException {
    SystemSchema.migrate(harness.dataSource(), "dbos");
    execute(
        "CREATE TABLE dbos.dbosee_executors (executor_id TEXT PRIMARY KEY, application_version"
            + " TEXT NOT NULL, started_at_epoch_ms BIGINT NOT NULL, renewed_at_epoch_ms BIGINT"
            + " NOT NULL, lease_until_epoch_ms BIGINT NOT NULL)",
        "INSERT INTO dbos.dbosee_executors VALUES ('old-server', 'v1', 0, 0, 0)");
  }

  @Test
  void aLeaseTableOfAnOlderVersionIsKeyedByApplicationAndExecutorIdAtStart() throws Exception {
    olderLeaseTable();

    harness.engine(
        new EngineConfig("local", "v1", "dbos").withApplicationName("alpha"),
        harness.dataSource(),
        greet());

    assertThat(
            harness.query(
                "SELECT string_agg(a.attname, ',' ORDER BY array_position(i.indkey, a.attnum))"
                    + " FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
                    + " AND a.attnum = ANY (i.indkey)"
                    + " WHERE i.indrelid = 'dbos.dbosee_executors'::regclass AND i.indisprimary"))
        .isEqualTo("application_name,executor_id");
    assertThat(
            harness.queryColumn(
                "SELECT application_name || '/' || executor_id FROM dbos.dbosee_executors"
                    + " ORDER BY 1"))
        .as("the older lease is kept, of no application")
        .containsExactly("/old-server", "alpha/local");
  }

  @Test
  void aLeaseTableOfAnOlderVersionIsRefusedWhenMigrationsAreSwitchedOff() throws Exception {
    olderLeaseTable();

    assertThatThrownBy(() -> harness.engine(switchedOff("server-1"), harness.dataSource()))
        .hasMessageStartingWith(
            "[DBOS-CDI-078] System database schema \"dbos\" has table dbosee_executors (server"
                + " leases) in the shape an older version of this library created")
        .hasMessageContaining("io.dbosee.tools.MigrateCommand");
    assertThat(harness.query("SELECT count(*) FROM dbos.dbosee_executors")).isEqualTo("1");
  }
}
