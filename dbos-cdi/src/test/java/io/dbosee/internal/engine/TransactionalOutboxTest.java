package io.dbosee.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbosee.DBOSNonExistentWorkflowException;
import io.dbosee.DBOSQueueDuplicatedException;
import io.dbosee.WorkflowHandle;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The transactional outbox: a start, an enqueue or a send from outside a workflow inside a caller's
 * transaction commits or rolls back with the caller's own work, and what it starts runs once that
 * commit is done, or after a crash that came between the commit and the dispatch.
 */
class TransactionalOutboxTest {
  /** Long enough that only a wake-up, never the polling fallback, can start work in a test. */
  private static final Duration NO_POLLING = Duration.ofHours(1);

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final EngineHarness harness = new EngineHarness();
  private JdbcCallerTransactions transactions;

  /** How many calls asked to join a caller's transaction. */
  private final AtomicInteger joins = new AtomicInteger();

  /** How many times each workflow id's body ran. */
  private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

  private final WorkflowSpec fulfil =
      new WorkflowSpec(
          "fulfil",
          String.class,
          new Class<?>[] {String.class},
          (engine, args) -> {
            String id = engine.currentWorkflowId().orElseThrow();
            runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            return "fulfilled " + args[0];
          });

  private final WorkflowSpec inbox =
      new WorkflowSpec(
          "inbox",
          String.class,
          new Class<?>[0],
          (engine, args) ->
              engine.recv("orders", String.class, Duration.ofMinutes(1)).orElse("nothing"));

  @BeforeEach
  void orders() throws SQLException {
    transactions = new JdbcCallerTransactions(harness.dataSource());
    harness.callerTransactions =
        what -> {
          joins.incrementAndGet();
          return transactions.join(what);
        };
    try (Connection c = harness.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE orders (id text PRIMARY KEY)");
    }
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  private static QueueDefinition queue(String name) {
    return QueueDefinition.unlimited(name).withPollingInterval(NO_POLLING);
  }

  private static void placeOrder(JdbcCallerTransactions.Tx tx, String id) throws SQLException {
    try (PreparedStatement ps = tx.own().prepareStatement("INSERT INTO orders VALUES (?)")) {
      ps.setString(1, id);
      ps.executeUpdate();
    }
  }

  private int rows(String table) {
    return Integer.parseInt(harness.query("SELECT count(*) FROM " + table));
  }

  @Test
  void anEnqueueCommitsWithTheCallersWorkAndRunsAtOnceWithoutAPoll() throws Exception {
    harness.engine("local", List.of(queue("q")), fulfil);

    JdbcCallerTransactions.Tx tx = transactions.begin();
    placeOrder(tx, "o-1");
    WorkflowHandle<Object, Exception> handle =
        fulfil.start(StartSpec.onQueue("q").withWorkflowId("ship-o-1"), "o-1");
    assertThat(rows("dbos.workflow_status"))
        .as("nothing of it is visible before the commit")
        .isZero();
    assertThat(runs).isEmpty();
    tx.commit();

    assertThat(handle.getResult(WAIT)).isEqualTo("fulfilled o-1");
    assertThat(rows("orders")).isEqualTo(1);
    assertThat(harness.query("SELECT queue_name FROM dbos.workflow_status")).isEqualTo("q");
    assertThat(runs.get("ship-o-1")).hasValue(1);
  }

  @Test
  void aRolledBackEnqueueLeavesNothingBehind() throws Exception {
    harness.engine("local", List.of(queue("q")), fulfil);

    JdbcCallerTransactions.Tx tx = transactions.begin();
    placeOrder(tx, "o-1");
    WorkflowHandle<Object, Exception> handle = fulfil.start(StartSpec.onQueue("q"), "o-1");
    tx.rollback();

    assertThat(rows("orders")).isZero();
    assertThat(rows("dbos.workflow_status")).as("not even an ENQUEUED row").isZero();
    assertThat(rows("dbos.workflow_input")).isZero();
    assertThatThrownBy(handle::getStatus).isInstanceOf(DBOSNonExistentWorkflowException.class);
    assertThat(runs).isEmpty();
  }

  @Test
  void aBackgroundStartCommitsWithTheCallersWorkOrNotAtAll() throws Exception {
    harness.engine("local", fulfil);

    JdbcCallerTransactions.Tx rolledBack = transactions.begin();
    fulfil.start(StartSpec.background().withWorkflowId("never"), "o-0");
    rolledBack.rollback();

    JdbcCallerTransactions.Tx tx = transactions.begin();
    placeOrder(tx, "o-1");
    WorkflowHandle<Object, Exception> handle =
        fulfil.start(StartSpec.background().withWorkflowId("ship-o-1"), "o-1");
    assertThat(rows("dbos.workflow_status")).isZero();
    tx.commit();

    assertThat(handle.getResult(WAIT)).isEqualTo("fulfilled o-1");
    assertThat(harness.queryColumn("SELECT workflow_uuid FROM dbos.workflow_status"))
        .containsExactly("ship-o-1");
    assertThat(runs.keySet()).containsExactly("ship-o-1");
  }

  @Test
  void theStatusAndResultAreRefusedUntilTheCommitSaysWhy() throws Exception {
    harness.engine("local", List.of(queue("q")), fulfil);

    JdbcCallerTransactions.Tx tx = transactions.begin();
    WorkflowHandle<Object, Exception> handle =
        fulfil.start(StartSpec.onQueue("q").withWorkflowId("ship-o-1"), "o-1");

    assertThatThrownBy(() -> handle.getResult(WAIT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("[DBOS-CDI-100]")
        .hasMessageContaining("'ship-o-1'")
        .hasMessageContaining("has not committed yet");
    assertThatThrownBy(handle::getStatus).hasMessageStartingWith("[DBOS-CDI-100]");
    tx.commit();
    assertThat(handle.getResult(WAIT)).isEqualTo("fulfilled o-1");
  }

  @Test
  void theResultStageMayBeTakenInsideTheTransactionAndFollowsTheCommit() throws Exception {
    harness.engine("local", List.of(queue("q")), fulfil);

    JdbcCallerTransactions.Tx rolledBack = transactions.begin();
    CompletableFuture<Object> never =
        fulfil
            .start(StartSpec.onQueue("q").withWorkflowId("never"), "o-0")
            .getResultAsync()
            .toCompletableFuture();
    rolledBack.rollback();
    assertThatThrownBy(() -> never.get(30, TimeUnit.SECONDS))
        .hasCauseInstanceOf(DBOSNonExistentWorkflowException.class);

    JdbcCallerTransactions.Tx tx = transactions.begin();
    CompletableFuture<Object> shipped =
        fulfil
            .start(StartSpec.onQueue("q").withWorkflowId("ship-o-1"), "o-1")
            .getResultAsync()
            .toCompletableFuture();
    assertThat(shipped).isNotDone();
    tx.commit();

    assertThat(shipped.get(30, TimeUnit.SECONDS)).isEqualTo("fulfilled o-1");
  }

  @Test
  void aCrashBetweenTheCommitAndTheDispatchLosesNothing() throws Exception {
    DBOSEngine first = harness.engine("server-1", List.of(queue("q")), fulfil);

    JdbcCallerTransactions.Tx tx = transactions.begin();
    fulfil.start(StartSpec.background().withWorkflowId("started"), "o-1");
    fulfil.start(StartSpec.onQueue("q").withWorkflowId("queued"), "o-2");
    // The server dies as the caller's transaction commits: its dispatch finds no executor.
    harness.crash(first);
    tx.commit();
    assertThat(runs).isEmpty();
    assertThat(harness.queryColumn("SELECT status FROM dbos.workflow_status ORDER BY 1"))
        .containsExactly("ENQUEUED", "PENDING");

    WorkflowSpec again = fulfil.copy();
    DBOSEngine second = harness.engine("server-1", List.of(queue("q")), again);
    // The queued one may be claimed first, at the new engine's first look at its queue.
    assertThat(second.recoverPendingWorkflows()).contains("started");
    second.wakeQueues();

    assertThat(second.retrieveWorkflow("started").getResult(WAIT)).isEqualTo("fulfilled o-1");
    assertThat(second.retrieveWorkflow("queued").getResult(WAIT)).isEqualTo("fulfilled o-2");
    assertThat(runs.get("started")).hasValue(1);
    assertThat(runs.get("queued")).hasValue(1);
  }

  @Test
  void aSentMessageArrivesOnlyWithTheCommit() throws Exception {
    DBOSEngine engine = harness.engine("local", inbox);
    WorkflowHandle<Object, Exception> receiver =
        engine.start(StartSpec.background().withWorkflowId("inbox"), inbox::call);

    JdbcCallerTransactions.Tx rolledBack = transactions.begin();
    engine.send("inbox", "lost", "orders", null);
    rolledBack.rollback();
    assertThat(rows("dbos.notifications")).isZero();

    JdbcCallerTransactions.Tx tx = transactions.begin();
    placeOrder(tx, "o-1");
    engine.send("inbox", "o-1 placed", "orders", null);
    assertThat(rows("dbos.notifications")).isZero();
    tx.commit();

    assertThat(receiver.getResult(WAIT)).isEqualTo("o-1 placed");
  }

  @Test
  void messagesSentInOneTransactionArriveInTheOrderTheyWereSent() throws Exception {
    int count = 20;
    WorkflowSpec collector =
        new WorkflowSpec(
            "collector",
            String.class,
            new Class<?>[0],
            (engine, args) -> {
              List<String> received = new java.util.ArrayList<>();
              for (int i = 0; i < count; i++) {
                received.add(
                    (String)
                        engine.recv("orders", String.class, Duration.ofMinutes(1)).orElse("none"));
              }
              return String.join(",", received);
            });
    DBOSEngine engine = harness.engine("local", collector);
    WorkflowHandle<Object, Exception> receiver =
        engine.start(StartSpec.background().withWorkflowId("collector"), collector::call);
    List<String> sent = new java.util.ArrayList<>();

    // One transaction: now() stands still, so every message has the same transaction time.
    JdbcCallerTransactions.Tx tx = transactions.begin();
    for (int i = 0; i < count; i++) {
      sent.add("line " + i);
      engine.send("collector", "line " + i, "orders", null);
    }
    tx.commit();

    assertThat(receiver.getResult(WAIT)).isEqualTo(String.join(",", sent));
  }

  @Test
  void aRefusedDeduplicationIdOrAnUnknownDestinationLeavesTheCallersTransactionUsable()
      throws Exception {
    DBOSEngine engine = harness.engine("local", List.of(queue("q")), fulfil);
    StartSpec dedup = StartSpec.onQueue("q").withDeduplicationId("order-7");
    JdbcCallerTransactions.Tx first = transactions.begin();
    // Delayed, so that it still holds the deduplication id when the second comes.
    fulfil.start(dedup.withWorkflowId("first").withDelay(Duration.ofHours(1)), "o-7");
    first.commit();

    JdbcCallerTransactions.Tx tx = transactions.begin();
    assertThatThrownBy(() -> fulfil.start(dedup, "o-7 again"))
        .isInstanceOf(DBOSQueueDuplicatedException.class);
    assertThatThrownBy(() -> engine.send("nobody", "hello", null, null))
        .isInstanceOf(DBOSNonExistentWorkflowException.class);
    placeOrder(tx, "o-8");
    tx.commit();

    assertThat(rows("orders")).as("the caller's work after the refusals committed").isEqualTo(1);
    assertThat(harness.queryColumn("SELECT workflow_uuid FROM dbos.workflow_status"))
        .containsExactly("first");
  }

  @Test
  void theSameIdEnqueuedTwiceInOneTransactionIsOneWorkflow() throws Exception {
    harness.engine("local", List.of(queue("q")), fulfil);

    JdbcCallerTransactions.Tx tx = transactions.begin();
    StartSpec spec = StartSpec.onQueue("q").withWorkflowId("ship-o-1");
    fulfil.start(spec, "o-1");
    WorkflowHandle<Object, Exception> again = fulfil.start(spec, "o-1");
    tx.commit();

    assertThat(again.getResult(WAIT)).isEqualTo("fulfilled o-1");
    assertThat(rows("dbos.workflow_status")).isEqualTo(1);
    assertThat(runs.get("ship-o-1")).hasValue(1);
  }

  @Test
  void aTransactionThatCannotBeJoinedStopsTheCallBeforeAnythingIsWritten() throws Exception {
    harness.callerTransactions =
        what -> {
          throw new IllegalStateException("cannot join: " + what);
        };
    DBOSEngine engine = harness.engine("local", List.of(queue("q")), fulfil);

    assertThatThrownBy(() -> fulfil.start(StartSpec.onQueue("q").withWorkflowId("w"), "o-1"))
        .hasMessage("cannot join: enqueue of workflow 'w' on queue 'q'");
    assertThatThrownBy(() -> fulfil.start(StartSpec.background().withWorkflowId("b"), "o-1"))
        .hasMessage("cannot join: startWorkflow of workflow 'b'");
    assertThatThrownBy(() -> engine.send("w", "hello", null, null))
        .hasMessage("cannot join: send to workflow 'w'");
    assertThat(rows("dbos.workflow_status")).isZero();
    assertThat(runs).isEmpty();
  }

  @Test
  void aWorkflowsOwnSendIsItsDurableOperationAndIgnoresTheCallersTransaction() throws Exception {
    DBOSEngine engine = harness.engine("local", inbox, sender());
    WorkflowHandle<Object, Exception> receiver =
        engine.start(StartSpec.background().withWorkflowId("inbox"), inbox::call);
    int before = joins.get();

    JdbcCallerTransactions.Tx tx = transactions.begin();
    sender.callWithId("sender", "from a workflow");
    tx.rollback();

    assertThat(receiver.getResult(WAIT)).isEqualTo("from a workflow");
    assertThat(joins).hasValue(before);
  }

  private final WorkflowSpec sender =
      new WorkflowSpec(
          "sender",
          String.class,
          new Class<?>[] {String.class},
          (engine, args) -> {
            engine.send("inbox", args[0], "orders", null);
            return null;
          });

  private WorkflowSpec sender() {
    return sender;
  }
}
