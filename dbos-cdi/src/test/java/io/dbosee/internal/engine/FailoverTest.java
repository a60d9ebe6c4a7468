package io.dbosee.internal.engine;

import static io.dbosee.internal.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Servers sharing a system database hold leases; a live server takes over the PENDING workflows of
 * a dead one once its lease has expired, and never those of a server that is alive.
 */
class FailoverTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Duration LEASE = Duration.ofMillis(900);

  private final EngineHarness harness = new EngineHarness();
  private final AtomicInteger firstStep = new AtomicInteger();
  private final AtomicInteger secondStep = new AtomicInteger();
  private final CountDownLatch inSecondStep = new CountDownLatch(1);
  private volatile boolean hang = true;

  @AfterEach
  void stop() {
    harness.close();
  }

  private static EngineConfig server(String executorId) {
    return new EngineConfig(executorId, "v1", "dbos").withFailoverLease(LEASE);
  }

  /** Step one; step two, which hangs (until its server dies) while {@link #hang} is set. */
  private WorkflowSpec twoSteps() {
    return new WorkflowSpec(
        "twoSteps",
        String.class,
        new Class<?>[] {},
        (engine, args) -> {
          step(engine, "first", firstStep::incrementAndGet);
          step(
              engine,
              "second",
              () -> {
                inSecondStep.countDown();
                if (hang) {
                  new CountDownLatch(1).await(); // until the server dies
                }
                return secondStep.incrementAndGet();
              });
          return "done";
        });
  }

  private DBOSEngine engine(String executorId, List<QueueDefinition> queues, WorkflowSpec spec) {
    return harness.engine(server(executorId), Executors.newCachedThreadPool(), queues, spec);
  }

  private String owner(String workflowId) {
    return harness.query(
        "SELECT executor_id FROM dbos.workflow_status WHERE workflow_uuid = ?", workflowId);
  }

  @Test
  void aDeadServersWorkflowIsTakenOverOnlyOnceItsLeaseHasExpired() throws Exception {
    WorkflowSpec onA = twoSteps();
    DBOSEngine a = engine("a", List.of(), onA);
    engine("b", List.of(), onA.copy());
    try (AutoCloseable id = a.assignWorkflowId("wf")) {
      onA.start(StartSpec.background());
    }
    assertThat(inSecondStep.await(30, TimeUnit.SECONDS)).isTrue();

    // Alive, server a renews its lease: b leaves its workflow alone for many lease times.
    await()
        .during(LEASE.multipliedBy(4))
        .atMost(WAIT)
        .until(() -> "a".equals(owner("wf")) && "PENDING".equals(harness.status("wf")));

    harness.crash(a); // interrupts the hanging step: it stays unrecorded
    hang = false; // only now: set earlier, the step could still finish on a

    await().atMost(WAIT).until(() -> "SUCCESS".equals(harness.status("wf")));
    assertThat(owner("wf")).isEqualTo("b");
    assertThat(firstStep.get()).as("the completed step is not run again").isEqualTo(1);
    assertThat(secondStep.get()).isEqualTo(1);
    assertThat(harness.query("SELECT count(*) FROM dbos.dbosee_executors WHERE executor_id = 'a'"))
        .isEqualTo("0");
  }

  @Test
  void aDeadServersQueuedWorkflowGoesBackOnItsQueueForTheLiveOne() throws Exception {
    QueueDefinition queue = QueueDefinition.unlimited("work").withConcurrency(1);
    WorkflowSpec onA = twoSteps();
    DBOSEngine a = engine("a", List.of(queue), onA);
    DBOSEngine b = engine("b", List.of(queue), onA.copy());
    try (AutoCloseable id = a.assignWorkflowId("queued")) {
      onA.start(StartSpec.onQueue("work"));
    }
    assertThat(inSecondStep.await(30, TimeUnit.SECONDS)).isTrue();
    String runner = owner("queued"); // whichever server claimed it
    harness.crash("a".equals(runner) ? a : b);
    hang = false;

    await().atMost(WAIT).until(() -> "SUCCESS".equals(harness.status("queued")));
    assertThat(owner("queued")).isNotEqualTo(runner);
    assertThat(firstStep.get()).isEqualTo(1);
    assertThat(secondStep.get()).isEqualTo(1);
  }

  @Test
  void aServerBackBeforeItsLeaseExpiredKeepsItsWorkflows() throws Exception {
    WorkflowSpec onA = twoSteps();
    EngineConfig longLease = server("a").withFailoverLease(Duration.ofMinutes(5));
    DBOSEngine a = harness.engine(longLease, Executors.newCachedThreadPool(), List.of(), onA);
    engine("b", List.of(), onA.copy());
    try (AutoCloseable id = a.assignWorkflowId("kept")) {
      onA.start(StartSpec.background());
    }
    assertThat(inSecondStep.await(30, TimeUnit.SECONDS)).isTrue();
    harness.crash(a); // interrupts the hanging step: it stays unrecorded
    hang = false; // only now: set earlier, the step could still finish on a

    WorkflowSpec again = onA.copy();
    DBOSEngine back = harness.engine(longLease, Executors.newCachedThreadPool(), List.of(), again);
    assertThat(back.recoverPendingWorkflows()).containsExactly("kept");
    await().atMost(WAIT).until(() -> "SUCCESS".equals(harness.status("kept")));
    assertThat(owner("kept")).isEqualTo("a");
  }

  @Test
  void aWorkflowTakenOverWhileItRanStopsAtItsNextCheckpoint() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger third = new AtomicInteger();
    WorkflowSpec spec =
        new WorkflowSpec(
            "fenced",
            String.class,
            new Class<?>[] {},
            (engine, args) -> {
              step(
                  engine,
                  "first",
                  () -> {
                    inSecondStep.countDown();
                    return release.await(30, TimeUnit.SECONDS);
                  });
              step(engine, "third", third::incrementAndGet);
              return "done";
            });
    DBOSEngine a = engine("a", List.of(), spec);
    CountDownLatch ended = new CountDownLatch(1);
    AtomicInteger interrupted = new AtomicInteger();
    Thread caller =
        new Thread(
            () -> {
              try {
                spec.callWithId("fenced");
              } catch (io.dbosee.DBOSInterruptedException e) {
                if (e.getMessage().contains("taken over by server 'b'")) {
                  interrupted.incrementAndGet();
                }
              } catch (Exception e) {
                // counted as not interrupted
              } finally {
                ended.countDown();
              }
            });
    caller.start();
    assertThat(inSecondStep.await(30, TimeUnit.SECONDS)).isTrue();
    long running = System.nanoTime();
    // What a take-over by server b does to the row while a, cut off, still runs the step.
    harness.query(
        "UPDATE dbos.workflow_status SET executor_id = 'b' WHERE workflow_uuid = 'fenced'"
            + " RETURNING executor_id");
    EngineHarness.untilItsStatusIsReadAgain(running);
    release.countDown();

    assertThat(ended.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(interrupted.get()).isEqualTo(1);
    assertThat(third.get()).as("a stopped before its next step").isZero();
    assertThat(harness.status("fenced")).isEqualTo("PENDING");
    assertThat(a.isRunning()).isTrue();
  }

  @Test
  void twoApplicationsKeepingOneExecutorIdHoldALeaseEach() throws Exception {
    WorkflowSpec onAlpha = twoSteps();
    DBOSEngine alpha =
        harness.engine(
            server("local").withApplicationName("alpha"),
            Executors.newCachedThreadPool(),
            List.of(),
            onAlpha);
    harness.engine(
        server("a2").withApplicationName("alpha"),
        Executors.newCachedThreadPool(),
        List.of(),
        onAlpha.copy());
    // Alive and renewing its lease, beta's server keeps the executor id alpha's dead one had.
    harness.engine(
        server("local").withApplicationName("beta"),
        Executors.newCachedThreadPool(),
        List.of(),
        onAlpha.copy());
    try (AutoCloseable id = alpha.assignWorkflowId("alphas")) {
      onAlpha.start(StartSpec.background());
    }
    assertThat(inSecondStep.await(30, TimeUnit.SECONDS)).isTrue();

    harness.crash(alpha);
    hang = false;

    await().atMost(WAIT).until(() -> "SUCCESS".equals(harness.status("alphas")));
    assertThat(owner("alphas")).isEqualTo("a2");
    assertThat(
            harness.queryColumn(
                "SELECT application_name || '/' || executor_id FROM dbos.dbosee_executors"
                    + " ORDER BY 1"))
        .containsExactly("alpha/a2", "beta/local");
  }
}
