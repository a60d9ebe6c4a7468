package io.dbosee.internal.engine;

import static io.dbosee.internal.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbosee.DBOSNonExistentWorkflowException;
import io.dbosee.DBOSWorkflowCancelledException;
import io.dbosee.WorkflowHandle;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CancellationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final EngineHarness harness = new EngineHarness();
  private final AtomicInteger first = new AtomicInteger();
  private final AtomicInteger second = new AtomicInteger();
  private final CountDownLatch inFirst = new CountDownLatch(1);
  private volatile CountDownLatch releaseFirst = new CountDownLatch(0);
  private volatile Duration nap = Duration.ofMinutes(10);

  @AfterEach
  void stop() {
    harness.close();
  }

  /** Step one, a durable sleep of {@link #nap}, step two. */
  private final WorkflowSpec twoSteps =
      new WorkflowSpec(
          "twoSteps",
          String.class,
          new Class<?>[] {},
          (engine, args) -> {
            step(
                engine,
                "first",
                () -> {
                  inFirst.countDown();
                  if (!releaseFirst.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("never released");
                  }
                  return first.incrementAndGet();
                });
            engine.sleep(nap);
            step(engine, "second", second::incrementAndGet);
            return "done";
          });

  @Test
  void aCancelWakesASleepingWorkflowAndItsWaiters() throws Exception {
    DBOSEngine engine = harness.engine("local", twoSteps);
    WorkflowHandle<Object, Exception> handle = twoSteps.start(StartSpec.background());
    await().atMost(WAIT).until(() -> stepsRecorded(handle) == 2); // first, then the sleep

    engine.cancelWorkflow(handle.workflowId());

    assertThatThrownBy(() -> handle.getResult(WAIT))
        .isInstanceOf(DBOSWorkflowCancelledException.class)
        .hasMessageContaining(handle.workflowId());
    assertThat(harness.status(handle.workflowId())).isEqualTo("CANCELLED");
    assertThat(second).hasValue(0);
  }

  @Test
  void aWorkflowCancelledDuringAStepStopsBeforeTheNextAndResumesFromThere() throws Exception {
    DBOSEngine engine = harness.engine("local", twoSteps);
    releaseFirst = new CountDownLatch(1);
    nap = Duration.ZERO;
    WorkflowHandle<Object, Exception> handle = twoSteps.start(StartSpec.background());
    assertThat(inFirst.await(30, TimeUnit.SECONDS)).isTrue();

    engine.cancelWorkflow(handle.workflowId());
    releaseFirst.countDown();

    assertThatThrownBy(() -> handle.getResult(WAIT))
        .isInstanceOf(DBOSWorkflowCancelledException.class);
    // The step in progress finished and is recorded; nothing after it ran.
    assertThat(stepsRecorded(handle)).isEqualTo(1);
    assertThat(second).hasValue(0);

    WorkflowHandle<Object, Exception> resumed = engine.resumeWorkflow(handle.workflowId());

    assertThat(resumed.getResult(WAIT)).isEqualTo("done");
    assertThat(first).as("the completed step is not run again").hasValue(1);
    assertThat(second).hasValue(1);
    assertThat(harness.status(handle.workflowId())).isEqualTo("SUCCESS");
  }

  @Test
  void aCancelledEnqueuedWorkflowNeverStarts() throws Exception {
    DBOSEngine engine =
        harness.engine(
            "local", List.of(QueueDefinition.unlimited("q").withConcurrency(1)), twoSteps);
    releaseFirst = new CountDownLatch(1);
    nap = Duration.ZERO;
    WorkflowHandle<Object, Exception> running = twoSteps.start(on("q", null));
    WorkflowHandle<Object, Exception> waiting = twoSteps.start(on("q", null));
    assertThat(inFirst.await(30, TimeUnit.SECONDS)).isTrue();

    engine.cancelWorkflow(waiting.workflowId());
    releaseFirst.countDown();

    assertThat(running.getResult(WAIT)).isEqualTo("done");
    assertThatThrownBy(() -> waiting.getResult(WAIT))
        .isInstanceOf(DBOSWorkflowCancelledException.class);
    assertThat(first).hasValue(1);
  }

  @Test
  void aDirectCallWithATimeoutIsCancelledWhenItPasses() throws Exception {
    DBOSEngine engine = harness.engine("local", twoSteps);

    try (AutoCloseable timeout = engine.assignTimeout(Duration.ofMillis(300));
        AutoCloseable id = engine.assignWorkflowId("timed")) {
      assertThatThrownBy(twoSteps::call)
          .isInstanceOf(DBOSWorkflowCancelledException.class)
          .hasMessageContaining("deadline");
    }
    assertThat(harness.status("timed")).isEqualTo("CANCELLED");
    assertThat(harness.query("SELECT workflow_timeout_ms FROM dbos.workflow_status"))
        .isEqualTo("300");
    assertThat(second).hasValue(0);
  }

  @Test
  void aBackgroundWorkflowsTimeoutCancelsIt() throws Exception {
    DBOSEngine engine = harness.engine("local", twoSteps);
    WorkflowHandle<Object, Exception> handle;
    try (AutoCloseable timeout = engine.assignTimeout(Duration.ofMillis(300))) {
      handle = twoSteps.start(StartSpec.background());
    }

    assertThatThrownBy(() -> handle.getResult(WAIT))
        .isInstanceOf(DBOSWorkflowCancelledException.class);
    assertThat(harness.status(handle.workflowId())).isEqualTo("CANCELLED");
  }

  @Test
  void aQueuedWorkflowsTimeoutStartsWhenItIsDequeued() throws Exception {
    harness.engine("local", List.of(QueueDefinition.unlimited("q").withConcurrency(1)), twoSteps);
    releaseFirst = new CountDownLatch(1);
    nap = Duration.ZERO;
    WorkflowHandle<Object, Exception> blocker = twoSteps.start(on("q", null));
    WorkflowHandle<Object, Exception> timed = twoSteps.start(on("q", Duration.ofSeconds(2)));
    assertThat(inFirst.await(30, TimeUnit.SECONDS)).isTrue();
    // The timed workflow waits in the queue for longer than its timeout...
    await()
        .atMost(WAIT)
        .until(
            () ->
                System.currentTimeMillis()
                        - Long.parseLong(
                            harness.query(
                                "SELECT created_at FROM dbos.workflow_status WHERE"
                                    + " workflow_uuid = ?",
                                timed.workflowId()))
                    > 2500);
    releaseFirst.countDown();

    // ...and still finishes: its clock started when it was dequeued.
    assertThat(blocker.getResult(WAIT)).isEqualTo("done");
    assertThat(timed.getResult(WAIT)).isEqualTo("done");
    assertThat(
            harness.query(
                "SELECT workflow_deadline_epoch_ms - started_at_epoch_ms FROM dbos.workflow_status"
                    + " WHERE workflow_uuid = ?",
                timed.workflowId()))
        .isEqualTo("2000");
  }

  @Test
  void aChildInheritsItsParentsDeadline() throws Exception {
    WorkflowSpec child =
        new WorkflowSpec(
            "child",
            String.class,
            new Class<?>[] {},
            (engine, args) -> {
              engine.sleep(Duration.ofMinutes(10));
              return "never";
            });
    WorkflowSpec parent =
        new WorkflowSpec(
            "parent",
            String.class,
            new Class<?>[] {},
            (engine, args) -> {
              String result = (String) child.call();
              step(engine, "after", second::incrementAndGet);
              return result;
            });
    DBOSEngine engine = harness.engine("local", child, parent);

    try (AutoCloseable timeout = engine.assignTimeout(Duration.ofMillis(400));
        AutoCloseable id = engine.assignWorkflowId("parent-1")) {
      assertThatThrownBy(parent::call).isInstanceOf(DBOSWorkflowCancelledException.class);
    }

    assertThat(harness.status("parent-1-0")).isEqualTo("CANCELLED");
    assertThat(harness.status("parent-1")).isEqualTo("CANCELLED");
    assertThat(
            harness.query(
                "SELECT (SELECT workflow_deadline_epoch_ms FROM dbos.workflow_status WHERE"
                    + " workflow_uuid = 'parent-1-0') = (SELECT workflow_deadline_epoch_ms FROM"
                    + " dbos.workflow_status WHERE workflow_uuid = 'parent-1')"))
        .isEqualTo("t");
    assertThat(second).hasValue(0);
  }

  @Test
  void cancellingAnUnknownWorkflowSaysSo() {
    DBOSEngine engine = harness.engine("local", twoSteps);

    assertThatThrownBy(() -> engine.cancelWorkflow("ghost"))
        .isInstanceOf(DBOSNonExistentWorkflowException.class)
        .hasMessageContaining("'ghost'");
  }

  @Test
  void aCancelInsideAWorkflowIsRecordedAsAStep() throws Exception {
    WorkflowSpec canceller =
        new WorkflowSpec(
            "canceller",
            String.class,
            new Class<?>[] {String.class},
            (engine, args) -> {
              engine.cancelWorkflow((String) args[0]);
              return "cancelled " + args[0];
            });
    DBOSEngine engine = harness.engine("local", twoSteps, canceller);
    WorkflowHandle<Object, Exception> victim = twoSteps.start(StartSpec.background());

    try (AutoCloseable id = engine.assignWorkflowId("canceller-1")) {
      canceller.call(victim.workflowId());
    }

    assertThatThrownBy(() -> victim.getResult(WAIT))
        .isInstanceOf(DBOSWorkflowCancelledException.class);
    assertThat(
            harness.query(
                "SELECT function_name FROM dbos.operation_outputs WHERE workflow_uuid ="
                    + " 'canceller-1'"))
        .isEqualTo("DBOS.cancelWorkflow");
  }

  @Test
  void aCancelOnAnotherServerStopsTheWorkflowAtItsNextStep() throws Exception {
    harness.engine("a", twoSteps);
    DBOSEngine other = harness.engine("b", twoSteps.copy());
    releaseFirst = new CountDownLatch(1);
    nap = Duration.ZERO;
    WorkflowHandle<Object, Exception> handle = twoSteps.start(StartSpec.background());
    assertThat(inFirst.await(30, TimeUnit.SECONDS)).isTrue();
    long running = System.nanoTime();

    other.cancelWorkflow(handle.workflowId()); // recorded in the database only
    EngineHarness.untilItsStatusIsReadAgain(running);
    releaseFirst.countDown();

    // Step one's checkpoint sees the cancellation; step two never starts.
    assertThatThrownBy(() -> handle.getResult(WAIT))
        .isInstanceOf(DBOSWorkflowCancelledException.class);
    assertThat(stepsRecorded(handle)).isEqualTo(1);
    assertThat(second).hasValue(0);
    assertThat(harness.status(handle.workflowId())).isEqualTo("CANCELLED");
  }

  @Test
  void aWorkflowOfFastStepsSeesACancelOnAnotherServerWithinTheStatusReadInterval()
      throws Exception {
    AtomicInteger steps = new AtomicInteger();
    CountDownLatch running = new CountDownLatch(3);
    WorkflowSpec fastSteps =
        new WorkflowSpec(
            "fastSteps",
            String.class,
            new Class<?>[] {},
            (engine, args) -> {
              // Each step takes far less than the interval: most checkpoints read no status.
              for (int i = 0; i < 1_000_000; i++) {
                step(
                    engine,
                    "fast",
                    () -> {
                      running.countDown();
                      return steps.incrementAndGet();
                    });
              }
              return "never cancelled";
            });
    harness.engine("a", fastSteps);
    DBOSEngine other = harness.engine("b", fastSteps.copy());
    WorkflowHandle<Object, Exception> handle = fastSteps.start(StartSpec.background());
    assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();

    other.cancelWorkflow(handle.workflowId()); // recorded in the database only
    int atCancel = steps.get();

    assertThatThrownBy(() -> handle.getResult(WAIT))
        .isInstanceOf(DBOSWorkflowCancelledException.class);
    assertThat(harness.status(handle.workflowId())).isEqualTo("CANCELLED");
    assertThat(steps.get()).isGreaterThanOrEqualTo(atCancel).isLessThan(1_000_000);
  }

  private static StartSpec on(String queue, Duration timeout) {
    return StartSpec.onQueue(queue).withTimeout(timeout);
  }

  private int stepsRecorded(WorkflowHandle<Object, Exception> handle) {
    return Integer.parseInt(
        harness.query(
            "SELECT count(*) FROM dbos.operation_outputs WHERE workflow_uuid = ?",
            handle.workflowId()));
  }
}
