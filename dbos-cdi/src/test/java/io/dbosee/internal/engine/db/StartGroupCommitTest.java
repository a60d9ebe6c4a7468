package io.dbosee.internal.engine.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbosee.DBOSSystemDatabaseException;
import io.dbosee.internal.engine.db.SystemDatabase.InitResult;
import io.dbosee.testing.TestPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Concurrent workflow starts share a commit, as checkpoints do: while a start is being written,
 * arriving ones queue up and the next writer writes them all in one statement; each caller still
 * gets its own row back, as it stands after the start, and whether this start created it.
 */
class StartGroupCommitTest {
  private TestPostgres.Database db;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final HeldConnections connections = new HeldConnections();
  private SystemDatabase system;
  private Future<InitResult> held;

  @BeforeEach
  void database() {
    db = TestPostgres.newDatabase();
    SystemSchema.migrate(db.dataSource(), "dbos");
    system = new SystemDatabase(connections.wrap(db.dataSource()), "dbos");
  }

  @AfterEach
  void stop() {
    connections.release();
    threads.shutdownNow();
  }

  private static NewWorkflow workflow(String id, String executor, String inputs) {
    return new NewWorkflow(
        id, "wf", "test.Wf", executor, "v1", inputs, "portable_json", null, 60_000L, 7L);
  }

  private InitResult start(NewWorkflow workflow) {
    return system.initWorkflow(workflow, 99L);
  }

  /**
   * Occupies the writer with a start whose connection is held back, then starts {@code others} from
   * other threads, which must queue behind it; returns their futures, in order.
   */
  private List<Future<InitResult>> queueBehindABusyWriter(NewWorkflow... others) {
    connections.holdNext(1);
    held = threads.submit(() -> start(workflow("held", "local", "[]")));
    await().atMost(Duration.ofSeconds(10)).until(connections::allHeld);
    List<Future<InitResult>> results = new ArrayList<>();
    for (NewWorkflow w : others) {
      results.add(threads.submit(() -> start(w)));
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> HeldConnections.waitingIn(StartCommits.class, "start", "write") == others.length);
    return results;
  }

  private String column(String column, String table, String workflowId) {
    return db.query(
        "SELECT " + column + "::text FROM dbos." + table + " WHERE workflow_uuid = ?", workflowId);
  }

  @Test
  void startsThatArriveWhileOneIsWrittenShareOneCommit() throws Exception {
    NewWorkflow[] others = new NewWorkflow[5];
    for (int i = 0; i < others.length; i++) {
      others[i] = workflow("wf-" + i, "local", "[" + i + "]");
    }
    List<Future<InitResult>> results = queueBehindABusyWriter(others);
    int before = connections.taken();

    connections.release();
    for (int i = 0; i < others.length; i++) {
      InitResult r = results.get(i).get(10, TimeUnit.SECONDS);
      assertThat(r.inserted()).isTrue();
      assertThat(r.mayHaveOperations()).isFalse();
      assertThat(r.row().workflowId()).isEqualTo("wf-" + i);
      assertThat(r.row().status()).isEqualTo("PENDING");
      assertThat(r.row().recoveryAttempts()).isEqualTo(1);
      assertThat(r.row().deadlineEpochMs()).isEqualTo(99L);
    }
    assertThat(held.get(10, TimeUnit.SECONDS).inserted()).isTrue();

    // One connection, one statement, one commit for the five queued starts.
    assertThat(connections.taken() - before).isEqualTo(1);
    for (int i = 0; i < others.length; i++) {
      String id = "wf-" + i;
      assertThat(column("inputs", "workflow_input", id)).isEqualTo("[" + i + "]");
      assertThat(column("workflow_timeout_ms", "workflow_status", id)).isEqualTo("60000");
      assertThat(column("created_at", "workflow_status", id)).isEqualTo("7");
      assertThat(column("creator_xid", "workflow_status", id)).isNotBlank();
    }
  }

  @Test
  void inASharedCommitAnExistingRowIsFoundAsAStartAloneFindsIt() throws Exception {
    start(workflow("mine", "local", "[\"first\"]"));
    start(workflow("theirs", "other-server", "[\"first\"]"));
    start(workflow("done", "local", "[\"first\"]"));
    assertThat(system.finishWorkflow("done", FinalStatus.success("\"out\"", "portable_json"), 8L))
        .isTrue();

    List<Future<InitResult>> results =
        queueBehindABusyWriter(
            workflow("mine", "local", "[\"again\"]"),
            workflow("theirs", "local", "[\"again\"]"),
            workflow("done", "local", "[\"again\"]"),
            workflow("new", "local", "[\"new\"]"));
    connections.release();

    InitResult mine = results.get(0).get(10, TimeUnit.SECONDS);
    assertThat(mine.inserted()).isFalse();
    assertThat(mine.mayHaveOperations()).isTrue();
    assertThat(mine.row().recoveryAttempts()).as("a restart by its own executor").isEqualTo(2);
    assertThat(mine.row().inputs()).isEqualTo("[\"first\"]");
    InitResult theirs = results.get(1).get(10, TimeUnit.SECONDS);
    assertThat(theirs.inserted()).isFalse();
    assertThat(theirs.row().executorId()).isEqualTo("other-server");
    assertThat(theirs.row().recoveryAttempts())
        .as("a caller elsewhere uses no attempt")
        .isEqualTo(1);
    InitResult done = results.get(2).get(10, TimeUnit.SECONDS);
    assertThat(done.row().status()).isEqualTo("SUCCESS");
    assertThat(done.row().output()).isEqualTo("\"out\"");
    assertThat(results.get(3).get(10, TimeUnit.SECONDS).inserted()).isTrue();
    assertThat(column("inputs", "workflow_input", "mine")).isEqualTo("[\"first\"]");
    assertThat(column("inputs", "workflow_input", "new")).isEqualTo("[\"new\"]");
  }

  /**
   * One statement cannot insert one workflow twice: the batch is written row by row, and the second
   * start finds the row the first inserted, as it would alone; a row the database refuses fails
   * only its own caller.
   */
  @Test
  void twoStartsOfOneWorkflowInABatchAndABadRowAreWrittenOneByOne() throws Exception {
    List<Future<InitResult>> results =
        queueBehindABusyWriter(
            workflow("twice", "local", "[1]"),
            workflow("other", "local", "[2]"),
            workflow("twice", "local", "[3]"),
            // PostgreSQL refuses a NUL character in text: one row the batch cannot take.
            workflow("bad-row", "local", "[\"nul\u0000\"]"));
    connections.release();

    InitResult first = results.get(0).get(10, TimeUnit.SECONDS);
    InitResult second = results.get(2).get(10, TimeUnit.SECONDS);
    assertThat(List.of(first.inserted(), second.inserted())).containsExactlyInAnyOrder(true, false);
    InitResult found = first.inserted() ? second : first;
    assertThat(found.row().recoveryAttempts()).isEqualTo(2);
    assertThat(results.get(1).get(10, TimeUnit.SECONDS).inserted()).isTrue();
    assertThatThrownBy(() -> results.get(3).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(DBOSSystemDatabaseException.class)
        .hasMessageContaining("bad-row");
    assertThat(column("inputs", "workflow_input", "twice"))
        .isEqualTo(first.inserted() ? "[1]" : "[3]");
    assertThat(column("workflow_uuid", "workflow_status", "bad-row")).isNull();
  }

  @Test
  void aLoneStartIsWrittenAtOnce() {
    int before = connections.taken();

    InitResult r = start(workflow("alone", "local", "[]"));

    assertThat(r.inserted()).isTrue();
    assertThat(connections.taken() - before).isEqualTo(1);
    assertThat(column("status", "workflow_status", "alone")).isEqualTo("PENDING");
  }
}
