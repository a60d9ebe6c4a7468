package io.dbosee.internal.engine;

import static io.dbosee.internal.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StreamTest {
  private final EngineHarness harness = new EngineHarness();
  private final CountDownLatch half = new CountDownLatch(1);
  private final CountDownLatch resume = new CountDownLatch(1);
  private final AtomicInteger bodies = new AtomicInteger();

  @AfterEach
  void stop() {
    harness.close();
  }

  /** Writes 0..4 to "numbers" (2 inside a step), pausing after 1, then closes when asked. */
  private WorkflowSpec writer(boolean close) {
    return new WorkflowSpec(
        "writer",
        String.class,
        new Class<?>[] {},
        (engine, args) -> {
          bodies.incrementAndGet();
          engine.writeStream("numbers", 0);
          engine.writeStream("numbers", 1);
          half.countDown();
          resume.await();
          step(
              engine,
              "inside",
              () -> {
                engine.writeStream("numbers", 2);
                return null;
              });
          engine.writeStream("numbers", 3);
          engine.writeStream("numbers", 4);
          if (close) {
            engine.closeStream("numbers");
          }
          return "written";
        });
  }

  @Test
  void aReaderGetsEveryValueInOrderAndWaitsForTheWriterUntilTheStreamIsClosed() throws Exception {
    WorkflowSpec writer = writer(true);
    DBOSEngine engine = harness.engine("local", writer);
    engine.setWaitPollInterval(Duration.ofHours(1)); // only notifications wake the reader
    try (AutoCloseable id = engine.assignWorkflowId("w-1")) {
      writer.start(StartSpec.background());
    }
    assertThat(half.await(30, TimeUnit.SECONDS)).isTrue();
    Iterator<Object> values = engine.readStream("w-1", "numbers", Integer.class);
    List<Object> read = new ArrayList<>();
    read.add(values.next());
    read.add(values.next());

    CompletableFuture<List<Object>> rest =
        CompletableFuture.supplyAsync(
            () -> {
              List<Object> more = new ArrayList<>();
              values.forEachRemaining(more::add); // blocks while the writer is paused
              return more;
            });
    resume.countDown();

    read.addAll(rest.get(30, TimeUnit.SECONDS));
    assertThat(read).containsExactly(0, 1, 2, 3, 4);
    assertThat(values.hasNext()).isFalse();
    assertThat(
            harness.queryColumn(
                "SELECT \"offset\" || ':' || function_id FROM dbos.streams ORDER BY \"offset\""))
        .containsExactly("0:0", "1:1", "2:2", "3:3", "4:4", "5:5");
  }

  @Test
  void aReaderEndsWhenTheWorkflowFinishesWithoutClosingTheStream() throws Exception {
    WorkflowSpec writer = writer(false);
    DBOSEngine engine = harness.engine("local", writer);
    resume.countDown();
    try (AutoCloseable id = engine.assignWorkflowId("w-2")) {
      writer.call();
    }

    List<Object> read = new ArrayList<>();
    engine.readStream("w-2", "numbers", Integer.class).forEachRemaining(read::add);

    assertThat(read).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void aReplayDoesNotWriteAgain() throws Exception {
    DBOSEngine engine = writeAllAndClose("w-3");
    harness.query("DELETE FROM dbos.operation_outputs WHERE function_id = 5 RETURNING 1");

    replay(engine, "w-3");

    // Only the close, whose checkpoint was removed, was written again.
    assertThat(harness.query("SELECT count(*) FROM dbos.streams")).isEqualTo("7");
  }

  @Test
  void aReplayPastTheCloseFindsItRecordedAsTheClose() throws Exception {
    DBOSEngine engine = writeAllAndClose("w-4");
    // Recorded as the DBOS SDKs name it, which is also the name a replay checks.
    assertThat(
            harness.query(
                "SELECT function_name FROM dbos.operation_outputs WHERE workflow_uuid = 'w-4'"
                    + " AND function_id = 5"))
        .isEqualTo("DBOS.closeStream");

    replay(engine, "w-4");
  }

  /** An engine that has run the writer to its end (close included) as {@code workflowId}. */
  private DBOSEngine writeAllAndClose(String workflowId) throws Exception {
    WorkflowSpec writer = writer(true);
    DBOSEngine engine = harness.engine("local", writer);
    resume.countDown();
    try (AutoCloseable id = engine.assignWorkflowId(workflowId)) {
      writer.call();
    }
    return engine;
  }

  /** Marks the finished workflow PENDING and recovers it: it replays to SUCCESS. */
  private void replay(DBOSEngine engine, String workflowId) {
    harness.query(
        "UPDATE dbos.workflow_status SET status = 'PENDING' WHERE workflow_uuid = ? RETURNING 1",
        workflowId);

    engine.recoverPendingWorkflows();

    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> "SUCCESS".equals(harness.status(workflowId)));
    assertThat(bodies).hasValue(2);
  }

  @Test
  void writingOutsideAWorkflowSaysWhere() {
    DBOSEngine engine = harness.engine("local");

    assertThatThrownBy(() -> engine.writeStream("k", 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("written by a workflow");
  }
}
