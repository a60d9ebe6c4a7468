package io.dbosee.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbosee.internal.engine.db.MigrationScript;
import io.dbosee.internal.engine.db.SchemaFixtures;
import io.dbosee.internal.engine.db.SystemSchema;
import io.dbosee.testing.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The DBA's migration command, run in-process as {@code main} would run it. */
class MigrateCommandTest {
  private final TestPostgres.Database database = TestPostgres.newDatabase();

  /** What one run printed and returned. */
  private record Run(int status, String out, String err) {}

  private Run run(Map<String, String> environment, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        MigrateCommand.run(
            args,
            environment,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The test server's URL without the user it names (?user=postgres): --user gives it. */
  private String url() {
    return database.jdbcUrl().replaceFirst("[?&]user=[^&]*", "");
  }

  private Run migrate(String... extra) {
    List<String> args = new ArrayList<>(List.of("--url", url(), "--user", database.user()));
    args.addAll(List.of(extra));
    return run(Map.of("PGPASSWORD", database.password()), args.toArray(String[]::new));
  }

  private void execute(String... statements) {
    try (Connection c = database.dataSource().getConnection();
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private String version() {
    return database.query("SELECT version::text FROM dbos.dbos_migrations");
  }

  @Test
  void migratesAnEmptyDatabaseAndPrintsTheNumberFoundAndReached() {
    Run run = migrate();

    assertThat(run.status()).isZero();
    assertThat(run.out())
        .isEqualTo(
            "System database schema \"dbos\": found migration 0, reached 123; this library's own"
                + " tables are in place."
                + System.lineSeparator());
    assertThat(run.err()).isEmpty();
    assertThat(version()).isEqualTo("123");
    assertThat(database.column("SELECT tablename FROM pg_tables WHERE tablename LIKE 'dbosee%'"))
        .containsExactlyInAnyOrder("dbosee_executors", "dbosee_trace_contexts");
  }

  @Test
  void upgradesASchemaAt41AndThenFindsNothingToDo() {
    SchemaFixtures.migrateTo(database.dataSource(), "dbos", 41);

    assertThat(migrate().out()).contains("found migration 41, reached 123;");
    assertThat(database.query("SELECT to_regclass('dbos.workflow_input')::text"))
        .isEqualTo("dbos.workflow_input");

    Run again = migrate();
    assertThat(again.status()).isZero();
    assertThat(again.out()).contains("found migration 123, reached 123: nothing to migrate");
  }

  @Test
  void usesTheSchemaGivenAndNoOther() {
    Run run = migrate("--schema", "tenant_a");

    assertThat(run.status()).isZero();
    assertThat(run.out()).startsWith("System database schema \"tenant_a\": found migration 0");
    assertThat(database.query("SELECT version::text FROM tenant_a.dbos_migrations"))
        .isEqualTo("123");
    assertThat(database.query("SELECT nspname FROM pg_namespace WHERE nspname = 'dbos'")).isNull();
  }

  @Test
  void leavesANewerSchemaAsItIsAndSaysSo() {
    SystemSchema.migrate(database.dataSource(), "dbos");
    execute("UPDATE dbos.dbos_migrations SET version = 125");

    Run run = migrate();

    assertThat(run.status()).isZero();
    assertThat(run.out()).contains("found migration 125, newer than 123").contains("left as it is");
    assertThat(version()).isEqualTo("125");
  }

  @Test
  void aNumberOfAnotherSdksOwnHistoryFailsWithItsCodeAndChangesNothing() {
    SystemSchema.migrate(database.dataSource(), "dbos");
    execute("UPDATE dbos.dbos_migrations SET version = 60");

    Run run = migrate();

    assertThat(run.status()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .startsWith("[DBOS-CDI-077] System database schema \"dbos\" is at migration 60,");
    assertThat(version()).isEqualTo("60");
  }

  @Test
  void anUnreachableDatabaseFailsWithTheCodeAndWhatToCheck() {
    Run run =
        run(
            Map.of(),
            "--url",
            "jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2",
            "--user",
            "owner");

    assertThat(run.status()).isEqualTo(1);
    assertThat(run.err())
        .startsWith(
            "[DBOS-CDI-079] Could not migrate schema \"dbos\" at jdbc:postgresql://127.0.0.1:1/none"
                + " as owner: ")
        .contains("SQLSTATE")
        .contains("environment variable PGPASSWORD")
        .doesNotContain("connectTimeout");
  }

  @Test
  void aPasswordOnTheCommandLineIsRefusedWithoutEchoingIt() {
    Run option = migrate("--password", "s3cret");
    Run inline = migrate("--password=s3cret");
    Run inUrl = run(Map.of(), "--url", url() + "?password=s3cret", "--user", "owner");

    for (Run run : List.of(option, inline, inUrl)) {
      assertThat(run.status()).isEqualTo(2);
      assertThat(run.err())
          .startsWith("[DBOS-CDI-079]")
          .contains("environment variable")
          .doesNotContain("s3cret");
    }
    assertThat(database.query("SELECT nspname FROM pg_namespace WHERE nspname = 'dbos'")).isNull();
  }

  @Test
  void wrongArgumentsAreRefusedWithTheUsage() {
    assertThat(run(Map.of(), "--user", "owner").err()).contains("--url is missing.");
    assertThat(run(Map.of(), "--url", url()).err()).contains("--user is missing.");
    assertThat(run(Map.of(), "--url", database.jdbcUrl(), "--user", "someone").err())
        .contains("--url names a user (user=...), which would win over --user");
    assertThat(run(Map.of(), "--url", "jdbc:mysql://h/db", "--user", "u").err())
        .contains("--url must be a PostgreSQL JDBC URL");
    assertThat(run(Map.of(), "--print-sql", "--schema", "my-schema").err())
        .contains("ASCII letters, digits and underscores");
    Run unknown = run(Map.of(), "--verbose");
    assertThat(unknown.status()).isEqualTo(2);
    assertThat(unknown.err())
        .startsWith("[DBOS-CDI-079] Unknown argument '--verbose'.")
        .contains("Usage: java -cp dbos-cdi-<version>.jar:postgresql-<version>.jar")
        .contains(MigrateCommand.class.getName());
  }

  @Test
  void aPasswordVariableNamedButNotSetIsRefused() {
    Run run = migrate("--password-env", "DBOS_SYSTEM_DATABASE_PASSWORD");

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.err())
        .contains(
            "The environment variable DBOS_SYSTEM_DATABASE_PASSWORD (--password-env) is not set");
  }

  @Test
  void printsTheMigrationSqlOfTheSchemaWithoutConnecting() {
    Run run = run(Map.of(), "--print-sql", "--schema", "tenant_a");

    assertThat(run.status()).isZero();
    assertThat(run.out()).isEqualTo(MigrationScript.forSchema("tenant_a"));
  }

  @Test
  void helpPrintsTheUsage() {
    Run run = run(Map.of(), "--help");

    assertThat(run.status()).isZero();
    assertThat(run.out()).startsWith("Usage: ");
  }

  @Test
  void theServersAdviceNamesThisCommand() {
    TestPostgres.Database empty = TestPostgres.newDatabase();

    assertThatThrownBy(() -> SystemSchema.check(empty.dataSource(), "dbos"))
        .hasMessageContaining(
            "java -cp dbos-cdi-<version>.jar:postgresql-<version>.jar "
                + MigrateCommand.class.getName()
                + " --url ");
  }
}
