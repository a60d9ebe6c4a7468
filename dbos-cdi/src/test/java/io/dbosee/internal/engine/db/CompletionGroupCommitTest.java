package io.dbosee.internal.engine.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbosee.testing.TestPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Concurrent workflow completions share a commit, as checkpoints do: while a completion is being
 * written, arriving ones queue up and the next writer records them all in one statement; each
 * caller still learns whether its own workflow was PENDING and is now final.
 */
class CompletionGroupCommitTest {
  private TestPostgres.Database db;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final HeldConnections connections = new HeldConnections();
  private SystemDatabase system;
  private Future<Boolean> held;

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

  private void workflow(String id) {
    system.initWorkflow(
        new NewWorkflow(id, "wf", "test.Wf", "local", "v1", "[]", "portable_json", null, null, 1L),
        null);
  }

  private boolean finish(String workflowId, FinalStatus outcome) {
    return system.finishWorkflow(workflowId, outcome, 5L);
  }

  /**
   * Occupies the writer with a completion whose connection is held back, then finishes {@code
   * others} from other threads, which must queue behind it; returns their futures, in order.
   */
  private List<Future<Boolean>> queueBehindABusyWriter(List<String> ids, List<FinalStatus> others) {
    workflow("held");
    connections.holdNext(1);
    held = threads.submit(() -> finish("held", FinalStatus.success("\"held\"", "portable_json")));
    await().atMost(Duration.ofSeconds(10)).until(connections::allHeld);
    List<Future<Boolean>> results = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      FinalStatus outcome = others.get(i);
      results.add(threads.submit(() -> finish(id, outcome)));
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                HeldConnections.waitingIn(CompletionCommits.class, "finish", "write")
                    == ids.size());
    return results;
  }

  private String column(String column, String table, String workflowId) {
    return db.query(
        "SELECT " + column + "::text FROM dbos." + table + " WHERE workflow_uuid = ?", workflowId);
  }

  @Test
  void completionsThatArriveWhileOneIsWrittenShareOneCommit() throws Exception {
    List<String> ids = new ArrayList<>();
    List<FinalStatus> outcomes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      workflow("wf-" + i);
      ids.add("wf-" + i);
      outcomes.add(
          i % 2 == 0
              ? FinalStatus.success("\"out-" + i + "\"", "portable_json")
              : FinalStatus.error("{\"message\":\"boom-" + i + "\"}", "portable_json"));
    }
    List<Future<Boolean>> results = queueBehindABusyWriter(ids, outcomes);
    int before = connections.taken();

    connections.release();
    for (Future<Boolean> f : results) {
      assertThat(f.get(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(held.get(10, TimeUnit.SECONDS)).isTrue();

    // One connection, one statement, one commit for the five queued completions.
    assertThat(connections.taken() - before).isEqualTo(1);
    for (int i = 0; i < 5; i++) {
      String id = "wf-" + i;
      assertThat(column("status", "workflow_status", id))
          .isEqualTo(i % 2 == 0 ? "SUCCESS" : "ERROR");
      assertThat(column("completed_at", "workflow_status", id)).isEqualTo("5");
      assertThat(column("updated_at", "workflow_status", id)).isEqualTo("5");
      assertThat(column("output", "workflow_output", id))
          .isEqualTo(i % 2 == 0 ? "\"out-" + i + "\"" : null);
      assertThat(column("error", "workflow_output", id))
          .isEqualTo(i % 2 == 0 ? null : "{\"message\":\"boom-" + i + "\"}");
    }
  }

  @Test
  void inASharedCommitOnlyPendingWorkflowsAreFinished() throws Exception {
    workflow("pending");
    workflow("cancelled");
    db.query(
        "UPDATE dbos.workflow_status SET status = 'CANCELLED', deduplication_id = 'd'"
            + " WHERE workflow_uuid = 'cancelled' RETURNING workflow_uuid");
    List<Future<Boolean>> results =
        queueBehindABusyWriter(
            List.of("cancelled", "pending", "absent"),
            List.of(
                FinalStatus.success("\"c\"", "portable_json"),
                FinalStatus.success("\"p\"", "portable_json"),
                FinalStatus.success("\"a\"", "portable_json")));

    connections.release();

    assertThat(results.get(0).get(10, TimeUnit.SECONDS)).isFalse();
    assertThat(results.get(1).get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(results.get(2).get(10, TimeUnit.SECONDS)).isFalse();
    assertThat(column("status", "workflow_status", "cancelled")).isEqualTo("CANCELLED");
    assertThat(column("deduplication_id", "workflow_status", "cancelled")).isEqualTo("d");
    assertThat(column("output", "workflow_output", "cancelled")).isNull();
    assertThat(column("status", "workflow_status", "pending")).isEqualTo("SUCCESS");
    assertThat(column("output", "workflow_output", "pending")).isEqualTo("\"p\"");
    assertThat(column("workflow_uuid", "workflow_status", "absent")).isNull();
  }

  /**
   * One statement cannot write two outputs of one workflow: the batch is written row by row, and
   * the first completion wins as it would alone.
   */
  @Test
  void twoCompletionsOfOneWorkflowInABatchFinishItOnce() throws Exception {
    workflow("twice");
    workflow("other");
    List<Future<Boolean>> results =
        queueBehindABusyWriter(
            List.of("twice", "other", "twice"),
            List.of(
                FinalStatus.success("\"first\"", "portable_json"),
                FinalStatus.success("\"other\"", "portable_json"),
                FinalStatus.error("\"second\"", "portable_json")));

    connections.release();

    List<Boolean> finished = new ArrayList<>();
    for (Future<Boolean> f : results) {
      finished.add(f.get(10, TimeUnit.SECONDS));
    }
    assertThat(finished.get(1)).isTrue();
    assertThat(List.of(finished.get(0), finished.get(2))).containsExactlyInAnyOrder(true, false);
    boolean firstWon = finished.get(0);
    assertThat(column("status", "workflow_status", "twice"))
        .isEqualTo(firstWon ? "SUCCESS" : "ERROR");
    assertThat(column("output", "workflow_output", "twice"))
        .isEqualTo(firstWon ? "\"first\"" : null);
    assertThat(column("error", "workflow_output", "twice"))
        .isEqualTo(firstWon ? null : "\"second\"");
    assertThat(column("output", "workflow_output", "other")).isEqualTo("\"other\"");
  }

  @Test
  void aLoneCompletionIsWrittenAtOnceAndSaysWhetherItsWorkflowWasPending() {
    workflow("alone");
    int before = connections.taken();

    assertThat(finish("alone", FinalStatus.only("MAX_RECOVERY_ATTEMPTS_EXCEEDED", "portable_json")))
        .isTrue();
    assertThat(connections.taken() - before).isEqualTo(1);
    assertThat(column("status", "workflow_status", "alone"))
        .isEqualTo("MAX_RECOVERY_ATTEMPTS_EXCEEDED");
    assertThat(column("completed_at", "workflow_status", "alone")).isNull();
    assertThat(finish("alone", FinalStatus.success("\"late\"", "portable_json"))).isFalse();
    assertThat(column("status", "workflow_status", "alone"))
        .isEqualTo("MAX_RECOVERY_ATTEMPTS_EXCEEDED");
  }
}
