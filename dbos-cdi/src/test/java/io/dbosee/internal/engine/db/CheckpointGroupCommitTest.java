package io.dbosee.internal.engine.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbosee.DBOSSystemDatabaseException;
import io.dbosee.testing.TestPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Concurrent checkpoints share a commit: while the writers are busy, arriving checkpoints queue up
 * and the next writer inserts them all in one statement; each caller still returns only once its
 * own row is committed.
 */
class CheckpointGroupCommitTest {
  private static final int BACKLOG = GroupCommit.EXTRA_WRITER_BACKLOG;

  private TestPostgres.Database db;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final HeldConnections connections = new HeldConnections();
  private SystemDatabase system;
  private Future<Optional<RecordedOperation>> held;

  @BeforeEach
  void database() {
    db = TestPostgres.newDatabase();
    SystemSchema.migrate(db.dataSource(), "dbos");
    system = new SystemDatabase(counted(db.dataSource()), "dbos");
  }

  @AfterEach
  void stop() {
    connections.release();
    threads.shutdownNow();
  }

  private DataSource counted(DataSource target) {
    return connections.wrap(target);
  }

  private void workflow(String id) {
    system.initWorkflow(
        new NewWorkflow(id, "wf", "test.Wf", "local", "v1", "[]", "portable_json", null, null, 1L),
        null);
  }

  private Optional<RecordedOperation> record(String workflowId, int functionId, String output) {
    return record(workflowId, functionId, output, true);
  }

  private Optional<RecordedOperation> record(
      String workflowId, int functionId, String output, boolean readStatus) {
    return system.recordOperation(
        new Checkpoint(
            workflowId,
            functionId,
            "step",
            output,
            null,
            null,
            "portable_json",
            1L,
            2L,
            readStatus));
  }

  private String outputOf(String workflowId, int functionId) {
    return db.query(
        "SELECT output FROM dbos.operation_outputs WHERE workflow_uuid = ? AND function_id = ?",
        workflowId,
        functionId);
  }

  /**
   * Occupies a writer with a checkpoint whose connection is held back, then starts {@code others}
   * (workflow id, position, output, and optionally "no read" for a checkpoint that does not read
   * its workflow's status; fewer than {@link GroupCommit.EXTRA_WRITER_BACKLOG}), which must queue.
   * Returns their futures, in order.
   */
  private List<Future<Optional<RecordedOperation>>> queueBehindABusyWriter(String[]... others) {
    workflow("held");
    connections.holdNext(1);
    held = threads.submit(() -> record("held", 0, "\"held\""));
    await().atMost(Duration.ofSeconds(10)).until(connections::allHeld);
    List<Future<Optional<RecordedOperation>>> results = new ArrayList<>();
    for (String[] c : others) {
      boolean readStatus = c.length < 4 || !c[3].equals("no read");
      results.add(threads.submit(() -> record(c[0], Integer.parseInt(c[1]), c[2], readStatus)));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> queuedCallers() == others.length);
    return results;
  }

  /** Threads waiting in CheckpointCommits for a writer, not writing. */
  private static long queuedCallers() {
    return HeldConnections.waitingIn(CheckpointCommits.class, "record", "write");
  }

  @Test
  void checkpointsThatArriveWhileABatchIsWrittenShareOneCommit() throws Exception {
    String[][] others = new String[BACKLOG - 1][];
    for (int i = 0; i < others.length; i++) {
      workflow("wf-" + i);
      others[i] = new String[] {"wf-" + i, "0", "\"out-" + i + "\""};
    }
    List<Future<Optional<RecordedOperation>>> results = queueBehindABusyWriter(others);
    int before = connections.taken();

    connections.release();
    for (Future<Optional<RecordedOperation>> f : results) {
      assertThat(f.get(10, TimeUnit.SECONDS)).isEmpty();
    }

    // One connection, one INSERT, one commit for all of them.
    assertThat(connections.taken() - before).isEqualTo(1);
    for (int i = 0; i < others.length; i++) {
      assertThat(outputOf("wf-" + i, 0)).isEqualTo("\"out-" + i + "\"");
    }
  }

  @Test
  void inASharedCommitAConflictReturnsTheWinnerAndABadRowFailsOnlyItsCaller() throws Exception {
    workflow("a");
    workflow("b");
    assertThat(record("a", 3, "\"first\"")).isEmpty();
    List<Future<Optional<RecordedOperation>>> results =
        queueBehindABusyWriter(
            new String[] {"a", "3", "\"second\""},
            new String[] {"b", "0", "\"b0\""},
            // PostgreSQL refuses a NUL character in text: one row the batch cannot take.
            new String[] {"bad-row", "0", "\"nul\u0000\""});

    connections.release();

    assertThat(results.get(0).get(10, TimeUnit.SECONDS))
        .hasValueSatisfying(r -> assertThat(r.output()).isEqualTo("\"first\""));
    assertThat(results.get(1).get(10, TimeUnit.SECONDS)).isEmpty();
    assertThatThrownBy(() -> results.get(2).get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(DBOSSystemDatabaseException.class)
        .hasMessageContaining("bad-row");
    assertThat(outputOf("a", 3)).isEqualTo("\"first\"");
    assertThat(outputOf("b", 0)).isEqualTo("\"b0\"");
  }

  @Test
  void aLongQueueIsWrittenAlongsideTheBatchInFrontOfIt() throws Exception {
    String[][] others = new String[BACKLOG - 1][];
    for (int i = 0; i < others.length; i++) {
      workflow("q-" + i);
      others[i] = new String[] {"q-" + i, "0", "\"q" + i + "\""};
    }
    workflow("last");
    List<Future<Optional<RecordedOperation>>> results = queueBehindABusyWriter(others);
    int before = connections.taken();

    // The checkpoint that makes the backlog: its caller writes every queued one, in one commit,
    // while the batch in front is still being written.
    assertThat(record("last", 0, "\"last\"")).isEmpty();
    for (Future<Optional<RecordedOperation>> f : results) {
      assertThat(f.get(10, TimeUnit.SECONDS)).isEmpty();
    }
    assertThat(held).isNotDone();
    assertThat(connections.taken() - before).isEqualTo(1);
    assertThat(outputOf("q-0", 0)).isEqualTo("\"q0\"");
    assertThat(outputOf("last", 0)).isEqualTo("\"last\"");

    connections.release();
    assertThat(held.get(10, TimeUnit.SECONDS)).isEmpty();
  }

  /**
   * The bug: a caller woken while its checkpoint was already in another writer's batch (taken from
   * the queue, not yet committed) became a writer of an empty batch and failed.
   */
  @Test
  void manyConcurrentWorkflowsEachGetEveryCheckpointRecordedOnce() throws Exception {
    int workflows = 32;
    int steps = 40;
    for (int w = 0; w < workflows; w++) {
      workflow("many-" + w);
    }
    // Pooled connections, as in production: writes are fast enough for callers to overtake.
    SystemDataSources.Pool pool =
        SystemDataSources.pooled(
            db.jdbcUrl(), db.user(), db.password(), 10, Duration.ofSeconds(30));
    system = new SystemDatabase(counted(pool), "dbos");
    connections.resetCount();
    List<Future<Integer>> results = new ArrayList<>();
    for (int w = 0; w < workflows; w++) {
      String id = "many-" + w;
      results.add(
          threads.submit(
              () -> {
                int recorded = 0;
                for (int i = 0; i < steps; i++) {
                  if (record(id, i, "\"" + i + "\"").isEmpty()) {
                    recorded++;
                  }
                }
                return recorded;
              }));
    }
    for (Future<Integer> f : results) {
      assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(steps);
    }
    assertThat(
            db.query(
                "SELECT count(*) FROM dbos.operation_outputs WHERE workflow_uuid LIKE 'many-%'"))
        .isEqualTo(Integer.toString(workflows * steps));
    // Shared commits: fewer connections than checkpoints (each batch takes one).
    assertThat(connections.taken()).isLessThan(workflows * steps);
    pool.close();
  }

  @Test
  void aLoneCheckpointIsWrittenAtOnceAndCommittedWhenTheCallReturns() {
    workflow("alone");
    int before = connections.taken();
    for (int i = 0; i < 20; i++) {
      assertThat(record("alone", i, "\"" + i + "\"")).isEmpty();
      // Visible from another connection: committed, not just sent.
      assertThat(outputOf("alone", i)).isEqualTo("\"" + i + "\"");
    }
    assertThat(connections.taken() - before).isEqualTo(20);
  }

  @Test
  void aLoneCheckpointAtARecordedPositionReturnsTheRowRecordedFirst() {
    workflow("twice");
    assertThat(record("twice", 1, "\"first\"")).isEmpty();

    assertThat(record("twice", 1, "\"second\""))
        .hasValueSatisfying(r -> assertThat(r.output()).isEqualTo("\"first\""));
    assertThat(outputOf("twice", 1)).isEqualTo("\"first\"");
  }

  @Test
  void aCheckpointTellsOfItsWorkflowsCancellationOrTakeOverAndOfNothingElse() {
    List<String> told = whatCheckpointsTell(false);
    workflow("mine");
    workflow("cancelled");
    workflow("taken");
    cancelOneAndTakeOverAnother("cancelled", "taken");

    record("mine", 0, "0");
    assertThat(told).isEmpty();
    record("cancelled", 0, "0");
    assertThat(told).containsExactly("cancelled cancelled", "cancelled runs on local");
    told.clear();
    record("taken", 0, "0");
    assertThat(told).containsExactly("taken runs on other");
  }

  /**
   * What the checkpoints tell this server ("local"): cancellations, and each returned row's runner
   * ({@code otherServersOnly}: only runners other than this server, as the engine acts on them).
   */
  private List<String> whatCheckpointsTell(boolean otherServersOnly) {
    List<String> told = new ArrayList<>();
    system.onCancelledWorkflow(id -> told.add("cancelled " + id));
    system.onWorkflowOwner(
        "local",
        (id, executor) -> {
          if (!otherServersOnly || !executor.equals("local")) {
            told.add(id + " runs on " + executor);
          }
        });
    return told;
  }

  /** Cancels one workflow and hands another to server 'other', as other servers would. */
  private void cancelOneAndTakeOverAnother(String cancelled, String taken) {
    db.query(
        "UPDATE dbos.workflow_status SET status = 'CANCELLED' WHERE workflow_uuid = ?"
            + " RETURNING status",
        cancelled);
    db.query(
        "UPDATE dbos.workflow_status SET executor_id = 'other' WHERE workflow_uuid = ?"
            + " RETURNING status",
        taken);
  }

  @Test
  void aCheckpointThatDoesNotReadItsWorkflowsStatusIsRecordedAndTellsOfNothing() {
    List<String> told = whatCheckpointsTell(false);
    workflow("cancelled");
    workflow("taken");
    cancelOneAndTakeOverAnother("cancelled", "taken");

    assertThat(record("cancelled", 0, "\"c\"", false)).isEmpty();
    assertThat(record("taken", 0, "\"t\"", false)).isEmpty();

    assertThat(told).isEmpty();
    assertThat(outputOf("cancelled", 0)).isEqualTo("\"c\"");
    assertThat(outputOf("taken", 0)).isEqualTo("\"t\"");
    // The next checkpoint that reads it sees what happened.
    record("taken", 1, "\"t1\"", true);
    assertThat(told).containsExactly("taken runs on other");
  }

  @Test
  void aSharedCommitReadsTheStatusOfEveryWorkflowInItIfOneOfItsCheckpointsAsks() throws Exception {
    List<String> told = whatCheckpointsTell(true);
    workflow("asks");
    workflow("cancelled");
    workflow("taken");
    cancelOneAndTakeOverAnother("cancelled", "taken");
    List<Future<Optional<RecordedOperation>>> results =
        queueBehindABusyWriter(
            new String[] {"cancelled", "0", "\"c\"", "no read"},
            new String[] {"taken", "0", "\"t\"", "no read"},
            new String[] {"asks", "0", "\"a\""});
    int before = connections.taken();

    connections.release();
    for (Future<Optional<RecordedOperation>> f : results) {
      assertThat(f.get(10, TimeUnit.SECONDS)).isEmpty();
    }
    assertThat(connections.taken() - before).as("one shared commit").isEqualTo(1);
    assertThat(told).containsExactlyInAnyOrder("cancelled cancelled", "taken runs on other");
  }
}
