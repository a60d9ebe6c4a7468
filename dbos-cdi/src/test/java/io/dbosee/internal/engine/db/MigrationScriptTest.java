package io.dbosee.internal.engine.db;

import static io.dbosee.internal.engine.db.SystemSchemaTest.execute;
import static io.dbosee.internal.engine.db.SystemSchemaTest.ownTables;
import static io.dbosee.internal.engine.db.SystemSchemaTest.queryStrings;
import static io.dbosee.internal.engine.db.SystemSchemaTest.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbosee.testing.TestPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The migration SQL a DBA applies by hand does what the migration command does, and the copy in the
 * jar is the one the code generates.
 */
class MigrationScriptTest {
  static final String REGENERATE =
      "mvn -B -q -o -pl dbos-cdi compile && java -cp dbos-cdi/target/classes "
          + MigrationAdvice.COMMAND_CLASS
          + " --print-sql --schema dbos > dbos-cdi/src/main/resources/"
          + MigrationAdvice.SQL_RESOURCE;

  @Test
  void theShippedScriptIsTheOneTheMigrationsGenerate() throws IOException {
    String shipped;
    try (InputStream in =
        MigrationScriptTest.class
            .getClassLoader()
            .getResourceAsStream(MigrationAdvice.SQL_RESOURCE)) {
      assertThat(in).as(MigrationAdvice.SQL_RESOURCE + " on the class path").isNotNull();
      shipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    assertThat(shipped)
        .withFailMessage(
            "%s is stale: the migrations changed since it was generated. Regenerate it from the"
                + " repository root with:%n  %s",
            MigrationAdvice.SQL_RESOURCE, REGENERATE)
        .isEqualTo(MigrationScript.forSchema("dbos"));
  }

  @Test
  void onAnEmptyDatabaseItMakesTheSchemaTheMigrationCommandMakes() throws SQLException {
    DataSource byScript = TestPostgres.newDatabase().dataSource();
    DataSource byCommand = TestPostgres.newDatabase().dataSource();

    apply(byScript, MigrationScript.forSchema("dbos"));
    migrateForOperator(byCommand, "dbos");

    assertThat(snapshot(byScript, "dbos")).isEqualTo(snapshot(byCommand, "dbos"));
    assertThat(ownTables(byScript)).containsExactly("dbosee_executors", "dbosee_trace_contexts");
    assertThat(queryStrings(byScript, "SELECT version::text FROM dbos.dbos_migrations"))
        .containsExactly("123");
  }

  @Test
  void onASchemaAt41ItAppliesTheRestToTheSameShapeAndAgainChangesNothing() throws SQLException {
    DataSource byScript = TestPostgres.newDatabase().dataSource();
    DataSource byCommand = TestPostgres.newDatabase().dataSource();
    SystemSchema.migrate(byScript, "dbos", 41);
    migrateForOperator(byCommand, "dbos");

    apply(byScript, MigrationScript.forSchema("dbos"));
    assertThat(snapshot(byScript, "dbos")).isEqualTo(snapshot(byCommand, "dbos"));

    // A marker a second run would restore if it applied any migration again.
    execute(byScript, "DROP INDEX dbos.workflow_status_created_at_index");
    apply(byScript, MigrationScript.forSchema("dbos"));
    assertThat(
            queryStrings(byScript, "SELECT to_regclass('dbos.workflow_status_created_at_index')"))
        .containsExactly((String) null);
  }

  @Test
  void anotherSchemaGetsTheSameShapeUnderItsOwnName() throws SQLException {
    DataSource byScript = TestPostgres.newDatabase().dataSource();
    DataSource byCommand = TestPostgres.newDatabase().dataSource();

    apply(byScript, MigrationScript.forSchema("Tenant_A"));
    migrateForOperator(byCommand, "Tenant_A");

    assertThat(snapshot(byScript, "Tenant_A")).isEqualTo(snapshot(byCommand, "Tenant_A"));
    assertThat(queryStrings(byScript, "SELECT nspname FROM pg_namespace WHERE nspname = 'dbos'"))
        .isEmpty();
  }

  @Test
  void aNewerSchemaIsLeftAtItsNumber() throws SQLException {
    DataSource ds = TestPostgres.newDatabase().dataSource();
    SystemSchema.migrate(ds, "dbos");
    execute(ds, "UPDATE dbos.dbos_migrations SET version = 125");

    apply(ds, MigrationScript.forSchema("dbos"));

    assertThat(queryStrings(ds, "SELECT version::text FROM dbos.dbos_migrations"))
        .containsExactly("125");
  }

  @Test
  void aNumberOfAnotherSdksOwnHistoryIsRefusedWithTheServersMessageAndNothingChanges()
      throws SQLException {
    DataSource ds = TestPostgres.newDatabase().dataSource();
    SystemSchema.migrate(ds, "dbos", 47);
    execute(ds, "UPDATE dbos.dbos_migrations SET version = 60");

    assertThatThrownBy(() -> apply(ds, MigrationScript.forSchema("dbos")))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("[DBOS-CDI-077] System database schema \"dbos\" is at migration 60,")
        .hasMessageContaining("48-99");

    assertThat(queryStrings(ds, "SELECT version::text FROM dbos.dbos_migrations"))
        .containsExactly("60");
    assertThat(ownTables(ds)).isEmpty();
  }

  @Test
  void anInvalidSchemaNameIsRefused() {
    assertThatThrownBy(() -> MigrationScript.forSchema("dbos; drop"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ASCII letters, digits and underscores");
  }

  /** Runs the script as one string on one connection, as psql runs a file. */
  private static void apply(DataSource ds, String script) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute(script);
    }
  }

  private static void migrateForOperator(DataSource ds, String schema) throws SQLException {
    try (Connection c = ds.getConnection()) {
      SystemSchema.migrateForOperator(c, schema);
    }
  }
}
