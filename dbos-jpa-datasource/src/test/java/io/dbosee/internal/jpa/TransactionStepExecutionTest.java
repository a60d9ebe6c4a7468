package io.dbosee.internal.jpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbosee.DBOSTransactionRolledBackException;
import io.dbosee.StepOptions;
import io.dbosee.Transaction;
import io.dbosee.internal.engine.DBOSEngine;
import io.dbosee.internal.engine.EngineConfig;
import io.dbosee.internal.engine.ExecutionHooks;
import io.dbosee.internal.engine.Invocation;
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
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * The transaction step's rules through the real engine, on PostgreSQL with plain JDBC standing in
 * for JTA (the same rules run on Liberty's JTA in sample-war's TransactionStepIT).
 */
class TransactionStepExecutionTest {
  private static EmbeddedPostgres postgres;
  private static DataSource dataSource;
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<Duration> waits = new CopyOnWriteArrayList<>();
  private final AtomicInteger runs = new AtomicInteger();
  private DataSource database;
  private JdbcTransactionControl tx;
  private DBOSEngine engine;
  private OutcomeTable table;

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.builder().setPort(0).start();
    dataSource = postgres.getPostgresDatabase();
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    postgres.close();
  }

  @BeforeEach
  void start() throws Exception {
    String name = "tx_" + DATABASES.incrementAndGet();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    database = postgres.getDatabase("postgres", name);
    tx = new JdbcTransactionControl(database);
    table = new OutcomeTable("dbos");
    tx.inNewTransaction(
        () -> {
          try (Connection c = tx.connection()) {
            table.prepare(c);
            c.createStatement()
                .execute(
                    "CREATE TABLE user_rows (id TEXT PRIMARY KEY DEFERRABLE INITIALLY DEFERRED,"
                        + " workflow_id TEXT)");
          }
          return null;
        });
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

  private TransactionStepExecution execution(Transaction.Isolation isolation, int maxAttempts) {
    return new TransactionStepExecution(
        tx,
        table,
        isolation,
        new RetryBackoff(Duration.ofMillis(10), Duration.ofMillis(25), maxAttempts),
        waits::add);
  }

  private Object run(String workflowId, TransactionStepExecution execution, Invocation body)
      throws Exception {
    StepDefinition step =
        new StepDefinition("insert", StepOptions.DEFAULT, String.class, getClass().getClassLoader())
            .withExecution(execution);
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
      return engine.runWorkflow(workflow, new Object[0], () -> engine.runStep(step, body));
    }
  }

  private void insertUserRow(String id, String workflowId) throws SQLException {
    try (Connection c = tx.connection();
        PreparedStatement ps =
            c.prepareStatement("INSERT INTO user_rows (id, workflow_id) VALUES (?, ?)")) {
      ps.setString(1, id);
      ps.setString(2, workflowId);
      ps.executeUpdate();
    }
  }

  private String query(String sql, String... args) throws SQLException {
    try (Connection c = database.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private void update(String sql, String... args) throws SQLException {
    try (Connection c = database.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      ps.executeUpdate();
    }
  }

  private String userRows(String workflowId) throws SQLException {
    return query("SELECT count(*) FROM user_rows WHERE workflow_id = ?", workflowId);
  }

  private void makePendingAgain(String workflowId) throws SQLException {
    update(
        "UPDATE dbos.workflow_status SET status = 'PENDING' WHERE workflow_uuid = ?", workflowId);
  }

  @Test
  void theUserWritesAndTheOutcomeRowCommitTogetherAtTheChosenIsolation() throws Exception {
    Object result =
        run(
            "w-1",
            execution(Transaction.Isolation.REPEATABLE_READ, 3),
            () -> {
              runs.incrementAndGet();
              insertUserRow("a", "w-1");
              try (Connection c = tx.connection();
                  Statement s = c.createStatement();
                  ResultSet rs = s.executeQuery("SHOW transaction_isolation")) {
                rs.next();
                return "isolation " + rs.getString(1);
              }
            });

    assertThat(result).isEqualTo("isolation repeatable read");
    assertThat(userRows("w-1")).isEqualTo("1");
    assertThat(query("SELECT output FROM dbos.datasource_outputs WHERE workflow_id = 'w-1'"))
        .isEqualTo("\"isolation repeatable read\"");
    assertThat(query("SELECT output FROM dbos.operation_outputs WHERE workflow_uuid = 'w-1'"))
        .isEqualTo("\"isolation repeatable read\"");
  }

  @Test
  void aFailingBodyRollsBackRecordsTheErrorAndIsRethrownOnReplayWithoutRunning() throws Exception {
    Invocation body =
        () -> {
          runs.incrementAndGet();
          insertUserRow("b", "w-2");
          throw new IOException("disk full");
        };
    assertThatThrownBy(() -> run("w-2", execution(Transaction.Isolation.SERIALIZABLE, 3), body))
        .isExactlyInstanceOf(IOException.class)
        .hasMessage("disk full");
    assertThat(userRows("w-2")).isEqualTo("0");
    assertThat(query("SELECT error FROM dbos.datasource_outputs WHERE workflow_id = 'w-2'"))
        .contains("IOException");

    // The crash case: the outcome row is there, the checkpoint is not.
    update("DELETE FROM dbos.operation_outputs WHERE workflow_uuid = 'w-2'");
    makePendingAgain("w-2");
    assertThatThrownBy(() -> run("w-2", execution(Transaction.Isolation.SERIALIZABLE, 3), body))
        .isExactlyInstanceOf(IOException.class)
        .hasMessage("disk full");
    assertThat(runs).hasValue(1);
  }

  @Test
  void aFailedCommitIsTheStepsRecordedFailure() throws Exception {
    update("INSERT INTO user_rows (id, workflow_id) VALUES ('taken', 'someone else')");

    assertThatThrownBy(
            () ->
                run(
                    "w-3",
                    execution(Transaction.Isolation.SERIALIZABLE, 3),
                    () -> {
                      insertUserRow("taken", "w-3"); // checked only at commit (deferred)
                      return "inserted";
                    }))
        .isExactlyInstanceOf(DBOSTransactionRolledBackException.class)
        .hasMessageContaining("Transaction step 'insert' of workflow 'w-3' could not commit")
        .hasMessageContaining("duplicate key");
    assertThat(userRows("w-3")).isEqualTo("0");
    assertThat(query("SELECT error FROM dbos.datasource_outputs WHERE workflow_id = 'w-3'"))
        .contains("DBOSTransactionRolledBackException");
  }

  @Test
  void serializationFailuresAreRetriedWithAGrowingBoundedWait() throws Exception {
    Object result =
        run(
            "w-4",
            execution(Transaction.Isolation.SERIALIZABLE, 5),
            () -> {
              int attempt = runs.incrementAndGet();
              insertUserRow("row-" + attempt, "w-4");
              if (attempt <= 3) {
                throw new SQLException("could not serialize access", "40001");
              }
              return "attempt " + attempt;
            });

    assertThat(result).isEqualTo("attempt 4");
    assertThat(waits)
        .containsExactly(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(25));
    assertThat(userRows("w-4")).as("the failed attempts rolled back").isEqualTo("1");
  }

  @Test
  void whenRetriesRunOutTheLastFailureIsRecorded() throws Exception {
    assertThatThrownBy(
            () ->
                run(
                    "w-5",
                    execution(Transaction.Isolation.SERIALIZABLE, 2),
                    () -> {
                      runs.incrementAndGet();
                      throw new SQLException("deadlock detected", "40P01");
                    }))
        .isInstanceOf(SQLException.class)
        .hasMessage("deadlock detected");
    assertThat(runs).hasValue(2);
    assertThat(query("SELECT error FROM dbos.datasource_outputs WHERE workflow_id = 'w-5'"))
        .contains("deadlock detected");
  }

  @Test
  void whenAnotherExecutionRecordedTheStepFirstItsOutcomeIsReturnedAndOurWritesRollBack()
      throws Exception {
    Object result =
        run(
            "w-6",
            execution(Transaction.Isolation.READ_COMMITTED, 3),
            () -> {
              insertUserRow("mine", "w-6");
              // Another execution of w-6 commits its outcome for this step meanwhile.
              update(
                  "INSERT INTO dbos.datasource_outputs (workflow_id, step_id, output, serialization)"
                      + " VALUES ('w-6', 0, '\"theirs\"', 'portable_json')");
              return "mine";
            });

    assertThat(result).isEqualTo("theirs");
    assertThat(userRows("w-6")).isEqualTo("0");
    assertThat(query("SELECT output FROM dbos.operation_outputs WHERE workflow_uuid = 'w-6'"))
        .isEqualTo("\"theirs\"");
  }

  @Test
  void outsideAWorkflowItIsATransactionWithoutBookkeeping() throws Exception {
    Object result =
        execution(Transaction.Isolation.SERIALIZABLE, 3)
            .joinOrBegin(
                () -> {
                  insertUserRow("plain", "none");
                  return tx.active();
                });

    assertThat(result).isEqualTo(true);
    assertThat(userRows("none")).isEqualTo("1");
    assertThat(query("SELECT count(*) FROM dbos.datasource_outputs")).isEqualTo("0");
  }

  @Test
  void aTableCreatedBeforehandNeedsNoRightToCreateAnything() throws Exception {
    String role = "tx_user_" + DATABASES.get();
    update("CREATE ROLE " + role + " LOGIN");
    try {
      update("GRANT USAGE ON SCHEMA dbos TO " + role);
      update("GRANT SELECT, INSERT ON dbos.datasource_outputs TO " + role);
      String database = query("SELECT current_database()");

      try (Connection c = postgres.getDatabase(role, database).getConnection()) {
        table.prepare(c);
        assertThat(c.getMetaData().getUserName()).isEqualTo(role);
      }
    } finally {
      update("DROP OWNED BY " + role);
      update("DROP ROLE " + role);
    }
  }

  @Test
  void theBackoffDoublesUpToItsBound() {
    RetryBackoff backoff = new RetryBackoff(Duration.ofMillis(10), Duration.ofMillis(100), 6);

    assertThat(List.of(1, 2, 3, 4, 5).stream().map(backoff::delayAfter))
        .containsExactly(
            Duration.ofMillis(10),
            Duration.ofMillis(20),
            Duration.ofMillis(40),
            Duration.ofMillis(80),
            Duration.ofMillis(100));
    assertThat(backoff.mayRetryAfter(5)).isTrue();
    assertThat(backoff.mayRetryAfter(6)).isFalse();
  }

  @Test
  void retryableStatesAreFoundThroughWrappers() {
    Exception wrapped =
        new IllegalStateException(
            "commit failed", new RuntimeException(new SQLException("x", "40001")));
    SQLException chained = new SQLException("batch failed", "25P02");
    chained.setNextException(new SQLException("deadlock", "40P01"));

    assertThat(SqlStates.isRetryable(wrapped)).isTrue();
    assertThat(SqlStates.isRetryable(chained)).isTrue();
    assertThat(SqlStates.isRetryable(new SQLException("unique", "23505"))).isFalse();
    assertThat(SqlStates.isUniqueViolation(new SQLException("unique", "23505"))).isTrue();
  }
}
