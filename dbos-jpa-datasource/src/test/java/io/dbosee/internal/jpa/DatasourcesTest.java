package io.dbosee.internal.jpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbosee.StepOptions;
import io.dbosee.Transaction;
import io.dbosee.TransactionOptions;
import io.dbosee.internal.engine.DBOSEngine;
import io.dbosee.internal.engine.EngineConfig;
import io.dbosee.internal.engine.ExecutionHooks;
import io.dbosee.internal.engine.Invocation;
import io.dbosee.internal.engine.StartSpec;
import io.dbosee.internal.engine.StepDefinition;
import io.dbosee.internal.engine.WorkflowDefinition;
import io.dbosee.internal.engine.serialization.PortableJsonSerializer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.reflect.Type;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Transaction steps on several application databases, and the programmatic step, through the real
 * engine: two PostgreSQL databases, each recording its own steps in its own {@code
 * datasource_outputs}, with plain JDBC standing in for JTA. The system database shares the first
 * one.
 */
class DatasourcesTest {
  private static EmbeddedPostgres postgres;
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final AtomicInteger runsOnOrders = new AtomicInteger();
  private DataSource main;
  private DataSource orders;
  private JdbcTransactionControl mainTx;
  private JdbcTransactionControl ordersTx;
  private Datasources datasources;
  private DBOSEngine engine;

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.builder().setPort(0).start();
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    postgres.close();
  }

  @BeforeEach
  void start() throws Exception {
    main = database("main_");
    orders = database("orders_");
    mainTx = new JdbcTransactionControl(main);
    ordersTx = new JdbcTransactionControl(orders);
    datasources =
        new Datasources(
            Map.of(
                "", prepared("", mainTx, "dbos"),
                "orders", prepared("orders", ordersTx, "shop")));
    engine =
        new DBOSEngine(
            new EngineConfig("local", "v1", "dbos"),
            main,
            PortableJsonSerializer.create(),
            executor,
            ExecutionHooks.NONE);
    engine.launch();
  }

  @AfterEach
  void stop() {
    engine.close();
    executor.shutdownNow();
  }

  private static DataSource database(String prefix) throws SQLException {
    String name = prefix + DATABASES.incrementAndGet();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    DataSource database = postgres.getDatabase("postgres", name);
    try (Connection c = database.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE user_rows (id TEXT PRIMARY KEY, workflow_id TEXT)");
    }
    return database;
  }

  private static DatasourceSteps prepared(String name, TransactionControl tx, String schema)
      throws Exception {
    DatasourceSteps steps =
        new DatasourceSteps(
            name, tx, new OutcomeTable(schema), RetryBackoff.DEFAULT, duration -> {});
    steps.prepareTable();
    return steps;
  }

  private Object runWorkflow(String workflowId, Invocation body) throws Exception {
    WorkflowDefinition workflow =
        new WorkflowDefinition(
            "workflow",
            "test.Workflows",
            new Type[0],
            String.class,
            10,
            getClass().getClassLoader(),
            arguments -> null);
    try (AutoCloseable scope = engine.assignWorkflowId(workflowId)) {
      return engine.runWorkflow(workflow, new Object[0], body);
    }
  }

  private Object step(String name, TransactionOptions options, Invocation body) throws Exception {
    return datasources.runProgrammatic(
        engine, name, options, String.class, getClass().getClassLoader(), body);
  }

  private static void insertUserRow(TransactionControl tx, String id, String workflowId)
      throws SQLException {
    try (Connection c = tx.connection();
        PreparedStatement ps =
            c.prepareStatement("INSERT INTO user_rows (id, workflow_id) VALUES (?, ?)")) {
      ps.setString(1, id);
      ps.setString(2, workflowId);
      ps.executeUpdate();
    }
  }

  private static String query(DataSource database, String sql) throws SQLException {
    try (Connection c = database.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static void update(DataSource database, String sql) throws SQLException {
    try (Connection c = database.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** A step on each database; the second one's body counts its runs. */
  private Object twoSteps(String workflowId) throws Exception {
    return runWorkflow(
        workflowId,
        () -> {
          Object first =
              step(
                  "pay",
                  TransactionOptions.DEFAULT,
                  () -> {
                    insertUserRow(mainTx, "paid", workflowId);
                    return "paid";
                  });
          Object second =
              step(
                  "ship",
                  TransactionOptions.DEFAULT.withDatasource("orders"),
                  () -> {
                    runsOnOrders.incrementAndGet();
                    insertUserRow(ordersTx, "shipped", workflowId);
                    return "shipped";
                  });
          return first + "+" + second;
        });
  }

  @Test
  void eachDatasourceRecordsItsStepsInItsOwnDatabaseAndSchema() throws Exception {
    assertThat(twoSteps("w-1")).isEqualTo("paid+shipped");

    assertThat(query(main, "SELECT string_agg(id, ',') FROM user_rows")).isEqualTo("paid");
    assertThat(query(orders, "SELECT string_agg(id, ',') FROM user_rows")).isEqualTo("shipped");
    assertThat(
            query(main, "SELECT string_agg(step_id || output, ',') FROM dbos.datasource_outputs"))
        .isEqualTo("0\"paid\"");
    assertThat(
            query(orders, "SELECT string_agg(step_id || output, ',') FROM shop.datasource_outputs"))
        .isEqualTo("1\"shipped\"");
    assertThat(query(orders, "SELECT to_regclass('dbos.datasource_outputs')")).isNull();
  }

  @Test
  void aCrashBetweenTheSecondDatabasesCommitAndTheCheckpointDoesNotRunItAgain() throws Exception {
    twoSteps("w-2");
    // The crash: the second step committed on its database, its checkpoint never happened.
    update(
        main, "DELETE FROM dbos.operation_outputs WHERE workflow_uuid = 'w-2' AND function_id = 1");
    update(main, "UPDATE dbos.workflow_status SET status = 'PENDING' WHERE workflow_uuid = 'w-2'");

    assertThat(twoSteps("w-2")).isEqualTo("paid+shipped");

    assertThat(runsOnOrders).hasValue(1);
    assertThat(query(orders, "SELECT count(*) FROM user_rows")).isEqualTo("1");
    assertThat(
            query(
                main,
                "SELECT output FROM dbos.operation_outputs WHERE workflow_uuid = 'w-2'"
                    + " AND function_id = 1"))
        .isEqualTo("\"shipped\"");
  }

  @Test
  void theProgrammaticStepRunsAtItsIsolationAndReplaysItsRecordedFailure() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    Invocation body =
        () -> {
          runs.incrementAndGet();
          insertUserRow(ordersTx, "never", "w-3");
          try (Connection c = ordersTx.connection();
              Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SHOW transaction_isolation")) {
            rs.next();
            throw new IllegalStateException("refused at " + rs.getString(1));
          }
        };
    TransactionOptions options =
        TransactionOptions.DEFAULT
            .withDatasource("orders")
            .withIsolation(Transaction.Isolation.REPEATABLE_READ);

    assertThatThrownBy(() -> runWorkflow("w-3", () -> step("refuse", options, body)))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("refused at repeatable read");
    assertThat(query(orders, "SELECT count(*) FROM user_rows")).isEqualTo("0");
    assertThat(query(orders, "SELECT error FROM shop.datasource_outputs")).contains("refused");

    update(main, "DELETE FROM dbos.operation_outputs WHERE workflow_uuid = 'w-3'");
    update(main, "UPDATE dbos.workflow_status SET status = 'PENDING' WHERE workflow_uuid = 'w-3'");
    assertThatThrownBy(() -> runWorkflow("w-3", () -> step("refuse", options, body)))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("refused at repeatable read");
    assertThat(runs).hasValue(1);
  }

  @Test
  void theProgrammaticStepRetriesSerializationFailures() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    Object result =
        runWorkflow(
            "w-4",
            () ->
                step(
                    "retried",
                    TransactionOptions.DEFAULT.withDatasource("orders"),
                    () -> {
                      if (runs.incrementAndGet() < 3) {
                        throw new SQLException("could not serialize access", "40001");
                      }
                      return "attempt " + runs.get();
                    }));

    assertThat(result).isEqualTo("attempt 3");
    assertThat(query(orders, "SELECT output FROM shop.datasource_outputs"))
        .isEqualTo("\"attempt 3\"");
  }

  @Test
  void outsideAWorkflowItIsAPlainTransactionAndInsideAStepAPlainCall() throws Exception {
    Object outside =
        step(
            "outside",
            TransactionOptions.DEFAULT.withDatasource("orders"),
            () -> {
              insertUserRow(ordersTx, "outside", "none");
              return String.valueOf(ordersTx.active());
            });
    assertThat(outside).isEqualTo("true");
    assertThat(query(orders, "SELECT count(*) FROM user_rows")).isEqualTo("1");
    assertThat(query(orders, "SELECT count(*) FROM shop.datasource_outputs")).isEqualTo("0");

    StepDefinition plainStep =
        new StepDefinition("outer", StepOptions.DEFAULT, String.class, getClass().getClassLoader());
    Object nested =
        runWorkflow(
            "w-5",
            () ->
                engine.runStep(
                    plainStep,
                    () ->
                        step(
                            "inner",
                            TransactionOptions.DEFAULT.withDatasource("orders"),
                            () -> String.valueOf(ordersTx.active()))));
    assertThat(nested).as("no transaction is begun inside another step").isEqualTo("false");
    assertThat(query(orders, "SELECT count(*) FROM shop.datasource_outputs")).isEqualTo("0");
  }

  @Test
  void aDatasourceThatIsNotConfiguredIsNamedWithTheKeyToSet() {
    assertThatThrownBy(
            () ->
                runWorkflow(
                    "w-6",
                    () ->
                        step(
                            "lost",
                            TransactionOptions.DEFAULT.withDatasource("billing"),
                            () -> "never")))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[DBOS-JPA-003] No datasource named 'billing' is configured")
        .hasMessageContaining("configured: 'orders', the default")
        .hasMessageContaining("dbos.datasource.\"billing\".jndi-name");
  }

  @Test
  void aTransactionStepStartedOnItsOwnIsRefusedBeforeItRuns() {
    AtomicInteger runs = new AtomicInteger();

    assertThatThrownBy(
            () ->
                engine.start(
                    StartSpec.background(),
                    () ->
                        step(
                            "alone",
                            TransactionOptions.DEFAULT.withDatasource("orders"),
                            () -> "ran " + runs.incrementAndGet())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot be started or enqueued on its own");
    assertThat(runs).hasValue(0);
  }
}
