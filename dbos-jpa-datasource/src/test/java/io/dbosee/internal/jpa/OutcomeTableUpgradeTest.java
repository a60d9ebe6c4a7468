package io.dbosee.internal.jpa;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbosee.StepOptions;
import io.dbosee.Transaction;
import io.dbosee.internal.engine.DBOSEngine;
import io.dbosee.internal.engine.EngineConfig;
import io.dbosee.internal.engine.ExecutionHooks;
import io.dbosee.internal.engine.StepDefinition;
import io.dbosee.internal.engine.WorkflowDefinition;
import io.dbosee.internal.engine.serialization.PortableJsonSerializer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.reflect.Type;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
 * A database carried over from a version that recorded in {@code tx_step_outputs}: outcomes the old
 * code path recorded, for a finished workflow and for one that crashed between a step's commit and
 * its checkpoint, are found by the new code started on it, whether it may rename the old table or
 * only read it.
 */
class OutcomeTableUpgradeTest {
  private static EmbeddedPostgres postgres;
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final AtomicInteger runs = new AtomicInteger();
  private String databaseName;
  private DataSource database;
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
    databaseName = "upgrade_" + DATABASES.incrementAndGet();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + databaseName);
    }
    database = postgres.getDatabase("postgres", databaseName);
    engine =
        new DBOSEngine(
            new EngineConfig("local", "v1", "dbos"),
            database,
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

  private static OutcomeTable prepared(TransactionControl tx, OutcomeTable table) throws Exception {
    tx.inNewTransaction(
        () -> {
          try (Connection c = tx.connection()) {
            table.prepare(c);
          }
          return null;
        });
    return table;
  }

  /** A workflow of two transaction steps through {@code table}, counting the bodies' runs. */
  private Object run(String workflowId, TransactionControl tx, OutcomeTable table)
      throws Exception {
    TransactionStepExecution execution =
        new TransactionStepExecution(
            tx, table, Transaction.Isolation.SERIALIZABLE, RetryBackoff.DEFAULT, d -> {});
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
      return engine.runWorkflow(
          workflow,
          new Object[0],
          () ->
              engine.runStep(step("first", execution), () -> "first run " + runs.incrementAndGet())
                  + ", "
                  + engine.runStep(
                      step("second", execution), () -> "second run " + runs.incrementAndGet()));
    }
  }

  private StepDefinition step(String name, TransactionStepExecution execution) {
    return new StepDefinition(name, StepOptions.DEFAULT, String.class, getClass().getClassLoader())
        .withExecution(execution);
  }

  /**
   * The old version's database: {@code done} finished; {@code inflight} crashed after its first
   * step committed, before that step's checkpoint.
   */
  private void oldVersionRan() throws Exception {
    JdbcTransactionControl tx = new JdbcTransactionControl(database);
    OutcomeTable old = prepared(tx, new OutcomeTable("dbos", OutcomeTable.LEGACY_TABLE));
    assertThat(run("done", tx, old)).isEqualTo("first run 1, second run 2");
    TransactionStepExecution execution =
        new TransactionStepExecution(
            tx, old, Transaction.Isolation.SERIALIZABLE, RetryBackoff.DEFAULT, d -> {});
    WorkflowDefinition workflow =
        new WorkflowDefinition(
            "workflow",
            "test.Workflows",
            new Type[0],
            String.class,
            10,
            getClass().getClassLoader(),
            arguments -> null);
    try (AutoCloseable scope = engine.assignWorkflowId("inflight")) {
      engine.runWorkflow(
          workflow,
          new Object[0],
          () ->
              engine.runStep(
                  step("first", execution), () -> "first run " + runs.incrementAndGet()));
    }
    update("DELETE FROM dbos.operation_outputs WHERE workflow_uuid = 'inflight'");
    update("UPDATE dbos.workflow_status SET status = 'PENDING' WHERE workflow_uuid = 'inflight'");
    assertThat(query("SELECT count(*) FROM dbos.tx_step_outputs")).isEqualTo("3");
    runs.set(0);
  }

  private String query(String sql) throws SQLException {
    try (Connection c = database.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private void update(String sql) throws SQLException {
    try (Connection c = database.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  @Test
  void theOwnerRenamesTheOldTableAndAnInFlightWorkflowReplaysItsStepWithoutRunningIt()
      throws Exception {
    oldVersionRan();

    JdbcTransactionControl tx = new JdbcTransactionControl(database);
    OutcomeTable table = prepared(tx, new OutcomeTable("dbos"));

    assertThat(table.legacy()).isFalse();
    assertThat(query("SELECT to_regclass('dbos.tx_step_outputs')")).isNull();
    assertThat(query("SELECT count(*) FROM dbos.datasource_outputs")).isEqualTo("3");
    assertThat(run("inflight", tx, table))
        .as("the first step's outcome is the one the old version recorded")
        .isEqualTo("first run 3, second run 1");
    assertThat(runs).as("only the second step ran").hasValue(1);
    assertThat(
            query(
                "SELECT output FROM dbos.datasource_outputs WHERE workflow_id = 'inflight'"
                    + " AND step_id = 1"))
        .isEqualTo("\"second run 1\"");
    assertThat(run("done", tx, table)).isEqualTo("first run 1, second run 2");
    assertThat(runs).hasValue(1);
  }

  @Test
  void aUserWhoMayNotRunDdlReadsTheOldTableBesideTheOneADbaCreated() throws Exception {
    oldVersionRan();
    String role = "app_" + DATABASES.get();
    update(
        "CREATE TABLE dbos.datasource_outputs (workflow_id TEXT NOT NULL, step_id INT NOT NULL,"
            + " output TEXT, error TEXT, serialization TEXT, created_at BIGINT NOT NULL DEFAULT"
            + " (EXTRACT(EPOCH FROM now()) * 1000.0)::bigint, PRIMARY KEY (workflow_id, step_id))");
    update("CREATE ROLE " + role + " LOGIN");
    try {
      update("GRANT USAGE ON SCHEMA dbos TO " + role);
      update("GRANT SELECT, INSERT ON dbos.datasource_outputs TO " + role);
      update("GRANT SELECT ON dbos.tx_step_outputs TO " + role);
      JdbcTransactionControl tx =
          new JdbcTransactionControl(postgres.getDatabase(role, databaseName));

      OutcomeTable table = prepared(tx, new OutcomeTable("dbos"));

      assertThat(table.legacy()).isTrue();
      assertThat(run("inflight", tx, table))
          .as("the first step's outcome is the one the old version recorded")
          .isEqualTo("first run 3, second run 1");
      assertThat(runs).as("only the second step ran").hasValue(1);
      assertThat(query("SELECT count(*) FROM dbos.tx_step_outputs")).isEqualTo("3");
      assertThat(query("SELECT count(*) FROM dbos.datasource_outputs")).isEqualTo("1");
    } finally {
      update("DROP OWNED BY " + role);
      update("DROP ROLE " + role);
    }
  }
}
