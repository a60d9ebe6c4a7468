package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.dbosee.DBOS;
import io.dbosee.Workflow;
import io.dbosee.internal.engine.DBOSEngine;
import io.dbosee.internal.engine.EngineConfig;
import io.dbosee.internal.engine.ExecutionHooks;
import io.dbosee.internal.engine.db.SystemDataSources;
import io.dbosee.internal.engine.serialization.PortableJsonSerializer;
import io.dbosee.testing.TestPostgres;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Database passwords never appear in what a failed connection leaves behind: the exception (every
 * message, cause and stack trace) and every log record, at every level, of the library and of the
 * PostgreSQL driver. The connections go to a role that PostgreSQL authenticates by password (the
 * test server trusts every other role), with a wrong password given as a property, a password in
 * the URL's query string, and through a whole deployment.
 */
class CredentialsNeverLeakTest {
  private static final String ROLE = "dbos_leak_probe";
  private static final String RIGHT = "Right-Pa55-4f1c9";
  private static final String WRONG = "Wrong-Pa55-7d2e8";
  private static final TestPostgres.Database DATABASE = TestPostgres.newDatabase();

  private final List<String> logged = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        private final SimpleFormatter format = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
          logged.add(format.format(record)); // message, parameters and stack trace
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private final Logger root = Logger.getLogger("");
  private final Logger driver = Logger.getLogger("org.postgresql");
  // HikariCP logs through slf4j, routed to java.util.logging in the tests (slf4j-jdk14).
  private final Logger pool = Logger.getLogger("com.zaxxer.hikari");
  private Level rootLevel;
  private Level driverLevel;
  private Level poolLevel;

  /** A role that must give its password: a line before the test server's "trust" lines. */
  @BeforeAll
  static void passwordRole() throws Exception {
    try (Connection c = DATABASE.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("SET password_encryption = 'scram-sha-256'");
      s.execute("CREATE ROLE " + ROLE + " LOGIN PASSWORD '" + RIGHT + "'");
    }
    Path hba = Path.of(DATABASE.query("SHOW hba_file"));
    String rules = Files.readString(hba);
    String line = "host all " + ROLE + " all scram-sha-256\n";
    if (!rules.contains(line)) {
      Files.writeString(hba, line + rules);
    }
    DATABASE.query("SELECT pg_reload_conf()");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> connectionError(url(DATABASE.name(), ""), WRONG) != null);
    assertThat((Object) connectionError(url(DATABASE.name(), ""), RIGHT))
        .as("the right password is accepted")
        .isNull();
  }

  private static String url(String database, String query) {
    String base = DATABASE.jdbcUrl();
    String hostPort = base.substring(0, base.indexOf('/', "jdbc:postgresql://".length()));
    return hostPort + "/" + database + query;
  }

  private static SQLException connectionError(String url, String password) {
    try (Connection c = DriverManager.getConnection(url, ROLE, password)) {
      return null;
    } catch (SQLException e) {
      return e;
    }
  }

  @BeforeEach
  void captureEverything() {
    rootLevel = root.getLevel();
    driverLevel = driver.getLevel();
    poolLevel = pool.getLevel();
    root.addHandler(capture);
    capture.setLevel(Level.ALL);
    driver.setLevel(Level.ALL);
    pool.setLevel(Level.ALL);
    Logger.getLogger("io.dbosee").setLevel(Level.ALL);
  }

  @AfterEach
  void restore() {
    root.removeHandler(capture);
    driver.setLevel(driverLevel);
    pool.setLevel(poolLevel);
    root.setLevel(rootLevel);
    Logger.getLogger("io.dbosee").setLevel(null);
    CdiTestSupport.releaseConfig();
  }

  private static String everything(Throwable t) {
    StringWriter text = new StringWriter();
    t.printStackTrace(new PrintWriter(text));
    for (Throwable c = t; c != null; c = c.getCause()) {
      text.append(String.valueOf(c)).append('\n');
      if (c instanceof SQLException sql && sql.getNextException() != null) {
        text.append(everything(sql.getNextException()));
      }
    }
    return text.toString();
  }

  private void assertNoSecretIn(String failure, String secret) {
    assertThat(failure).doesNotContain(secret);
    assertThat(logged).noneMatch(record -> record.contains(secret));
  }

  @Test
  void aWrongPasswordLeavesNoTraceOfItInTheErrorOrTheLogs() {
    try (SystemDataSources.Pool pool =
        SystemDataSources.pooled(url(DATABASE.name(), ""), ROLE, WRONG, 2, Duration.ofSeconds(5))) {
      String failure = everything(catchThrowable(pool::getConnection));

      assertThat(failure).contains("password authentication failed");
      assertNoSecretIn(failure, WRONG);
      assertThat(logged)
          .as("the pool's own records were captured, at every level")
          .anyMatch(record -> record.contains("dbos-system-database-") && record.contains("FINE"));
    }
  }

  @Test
  void aPasswordInTheUrlIsCutFromEveryMessage() {
    String[] urls = {
      // rejected by the server
      url(DATABASE.name(), "?user=" + ROLE + "&password=" + WRONG),
      // accepted, then the database is missing
      url("no_such_database", "?user=" + ROLE + "&password=" + RIGHT),
      // refused by the driver before it connects
      url(DATABASE.name(), "?user=" + ROLE + "&password=" + WRONG + "&sslmode=sometimes"),
    };
    for (String url : urls) {
      logged.clear();
      try (SystemDataSources.Pool pool =
          SystemDataSources.pooled(url, null, null, 2, Duration.ofSeconds(5))) {
        String failure = everything(catchThrowable(pool::getConnection));

        assertThat(failure).as(url).contains("Could not open a system database connection");
        assertNoSecretIn(failure, WRONG);
        assertNoSecretIn(failure, RIGHT);
      }
    }
    logged.clear();
    try (SystemDataSources.Pool pool =
            SystemDataSources.pooled(
                url(DATABASE.name(), "?user=" + ROLE + "&password=" + RIGHT),
                null,
                null,
                2,
                Duration.ofSeconds(5));
        Connection connection = pool.getConnection()) {
      assertThat(connection.isValid(5)).as("a password in the URL still logs in").isTrue();
      assertThat(logged).noneMatch(record -> record.contains(RIGHT));
    } catch (SQLException e) {
      throw new AssertionError("the right password in the URL must log in", e);
    }
  }

  @Test
  void anEngineThatCannotConnectSaysSoWithoutThePassword() {
    ExecutorService executor = Executors.newCachedThreadPool();
    try (SystemDataSources.Pool pool =
        SystemDataSources.pooled(
            url(DATABASE.name(), "?password=" + WRONG), ROLE, null, 2, Duration.ofSeconds(5))) {
      DBOSEngine engine =
          new DBOSEngine(
              new EngineConfig("local", "v1", "dbos"),
              pool,
              PortableJsonSerializer.create(),
              executor,
              ExecutionHooks.NONE);
      String failure = everything(catchThrowable(engine::launch));

      assertThat(failure).contains("password authentication failed");
      assertNoSecretIn(failure, WRONG);
    } finally {
      executor.shutdownNow();
    }
  }

  @ApplicationScoped
  public static class Greeter {
    @Inject DBOS dbos;

    @Workflow
    public String greet(String name) {
      return "hello " + name;
    }
  }

  @Test
  void aDeploymentWithAWrongPasswordFailsWithoutShowingIt() {
    Map<String, String> asKey = new HashMap<>();
    asKey.put("dbos.system-database.url", url(DATABASE.name(), ""));
    asKey.put("dbos.system-database.user", ROLE);
    asKey.put("dbos.system-database.password", WRONG);
    Map<String, String> inUrl = new HashMap<>();
    inUrl.put(
        "dbos.system-database.url",
        url(DATABASE.name(), "?user=" + ROLE + "&password=" + WRONG + "&ApplicationName=x"));
    for (Map<String, String> properties : List.of(asKey, inUrl)) {
      logged.clear();
      String failure = CdiTestSupport.deploymentFailure(properties, Greeter.class);

      assertThat(failure).contains("DBOS-CDI-014").contains("password authentication failed");
      assertNoSecretIn(failure, WRONG);
    }
  }

  @Test
  void theCheckSeesAPasswordWhereOneIs() {
    // Without this, a capture that never saw anything would make the other tests pass for nothing.
    Logger.getLogger("io.dbosee.probe").fine("connecting with " + WRONG);
    assertThat(logged).anyMatch(record -> record.contains(WRONG));
  }
}
