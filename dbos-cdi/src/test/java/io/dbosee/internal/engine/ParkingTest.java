package io.dbosee.internal.engine;

import static io.dbosee.internal.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbosee.DBOSInterruptedException;
import io.dbosee.DBOSWorkflowCancelledException;
import io.dbosee.WorkflowHandle;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A workflow in a long durable wait gives its executor thread back and is resumed by replay when it
 * is woken: so a few threads serve any number of waiting workflows.
 */
class ParkingTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  /** Every wait parks at once: the engines below run on a handful of threads. */
  private static final EngineConfig PARK_AT_ONCE =
      new EngineConfig("local", "v1", "dbos").withThreadHold(Duration.ZERO);

  private final EngineHarness harness = new EngineHarness();
  private final AtomicInteger before = new AtomicInteger();
  private final AtomicInteger after = new AtomicInteger();

  @AfterEach
  void stop() {
    harness.close();
  }

  /** Waits until {@code engine} receives notifications: before that, waits keep their thread. */
  private static DBOSEngine listening(DBOSEngine engine) {
    await().atMost(WAIT).until(engine::receivingNotifications);
    return engine;
  }

  /** Four threads: one is the notification listener's, three run workflows. */
  private static ExecutorService fourThreads() {
    return Executors.newFixedThreadPool(4);
  }

  /** A step, a recv of topic "t" with {@code timeout}, a step; returns what it received. */
  private WorkflowSpec receiver(Duration timeout) {
    return new WorkflowSpec(
        "receiver",
        String.class,
        new Class<?>[] {},
        (engine, args) -> {
          step(engine, "before", before::incrementAndGet);
          Optional<Object> message = engine.recv("t", String.class, timeout);
          step(engine, "after", after::incrementAndGet);
          return (String) message.orElse("none");
        });
  }

  @Test
  void aThousandWorkflowsWaitingOnRecvNeedNoThreadEach() throws Exception {
    int count = 1000;
    WorkflowSpec receiver = receiver(Duration.ofMinutes(10));
    DBOSEngine engine = listening(harness.engine(PARK_AT_ONCE, fourThreads(), List.of(), receiver));
    List<WorkflowHandle<Object, Exception>> handles = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      try (AutoCloseable id = engine.assignWorkflowId("rx-" + i)) {
        handles.add(receiver.start(StartSpec.background()));
      }
    }
    // Three threads could hold three waits: all of them wait at once only because they parked.
    await().atMost(WAIT).until(() -> engine.parkedWorkflows() == count);
    assertThat(before.get()).isEqualTo(count);

    for (int i = 0; i < count; i++) {
      engine.send("rx-" + i, "hello " + i, "t", null);
    }
    for (int i = 0; i < count; i++) {
      assertThat(handles.get(i).getResult(WAIT)).isEqualTo("hello " + i);
    }
    assertThat(before.get()).as("completed steps are replayed, not run again").isEqualTo(count);
    assertThat(after.get()).isEqualTo(count);
    assertThat(engine.parkedWorkflows()).isZero();
  }

  @Test
  void waitsShorterThanTheHoldParkOnceEveryPlaceForAHeldWaitIsTaken() throws Exception {
    int count = 64;
    int held = 5;
    WorkflowSpec receiver = receiver(Duration.ofSeconds(50));
    // A hold longer than each wait, and a thread for every workflow: only the budget parks.
    DBOSEngine engine =
        listening(
            harness.engine(
                PARK_AT_ONCE.withThreadHold(Duration.ofMinutes(1)).withMaxHeldWaits(held),
                Executors.newFixedThreadPool(count + 8),
                List.of(),
                receiver));
    List<WorkflowHandle<Object, Exception>> handles = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      try (AutoCloseable id = engine.assignWorkflowId("burst-" + i)) {
        handles.add(receiver.start(StartSpec.background()));
      }
    }

    await().atMost(WAIT).until(() -> engine.parkedWorkflows() == count - held);
    for (int i = 0; i < count; i++) {
      engine.send("burst-" + i, "hello " + i, "t", null);
    }
    for (int i = 0; i < count; i++) {
      assertThat(handles.get(i).getResult(WAIT)).isEqualTo("hello " + i);
    }
    assertThat(engine.parkedWorkflows()).isZero();
  }

  @Test
  void aCallerWaitingForTheResultGetsItAfterTheWorkflowParkedAndResumed() throws Exception {
    WorkflowSpec receiver = receiver(Duration.ofMinutes(10));
    DBOSEngine engine = listening(harness.engine(PARK_AT_ONCE, fourThreads(), List.of(), receiver));
    CompletableFuture<Object> result =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return receiver.callWithId("direct");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    await().atMost(WAIT).until(() -> engine.parkedWorkflows() == 1);

    engine.send("direct", "hi", "t", null);

    assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo("hi");
    assertThat(before.get()).isEqualTo(1);
    assertThat(after.get()).isEqualTo(1);
  }

  @Test
  void aRecvTimeoutEndsAParkedWait() throws Exception {
    WorkflowSpec receiver = receiver(Duration.ofMillis(1500));
    DBOSEngine engine = listening(harness.engine(PARK_AT_ONCE, fourThreads(), List.of(), receiver));
    long start = System.nanoTime();
    WorkflowHandle<Object, Exception> handle;
    try (AutoCloseable id = engine.assignWorkflowId("timeout")) {
      handle = receiver.start(StartSpec.background());
    }
    await().atMost(WAIT).until(() -> engine.parkedWorkflows() == 1);

    assertThat(handle.getResult(WAIT)).isEqualTo("none");
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(1500));
    assertThat(after.get()).isEqualTo(1);
  }

  /** A step, a durable sleep of {@code duration}, a step; returns "awake". */
  private WorkflowSpec sleeper(Duration duration) {
    return new WorkflowSpec(
        "sleeper",
        String.class,
        new Class<?>[] {},
        (engine, args) -> {
          step(engine, "before", before::incrementAndGet);
          engine.sleep(duration);
          step(engine, "after", after::incrementAndGet);
          return "awake";
        });
  }

  @Test
  void aParkedSleepWakesAtItsTimeAndRunsEachStepOnce() throws Exception {
    WorkflowSpec sleeper = sleeper(Duration.ofMillis(1500));
    DBOSEngine engine = listening(harness.engine(PARK_AT_ONCE, fourThreads(), List.of(), sleeper));
    long start = System.nanoTime();
    WorkflowHandle<Object, Exception> handle;
    try (AutoCloseable id = engine.assignWorkflowId("sleeper")) {
      handle = sleeper.start(StartSpec.background());
    }
    await().atMost(WAIT).until(() -> engine.parkedWorkflows() == 1);

    assertThat(handle.getResult(WAIT)).isEqualTo("awake");
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(1500));
    assertThat(before.get()).isEqualTo(1);
    assertThat(after.get()).isEqualTo(1);
  }

  @Test
  void aResumedWorkflowReadsItsRowAndItsCheckpointsInOneRoundTrip() throws Exception {
    WorkflowSpec sleeper = sleeper(Duration.ofMillis(200));
    StatementLog log = new StatementLog();
    DBOSEngine engine = listening(harness.engine(PARK_AT_ONCE, List.of(), log::wrap, sleeper));
    WorkflowHandle<Object, Exception> handle;
    try (AutoCloseable id = engine.assignWorkflowId("resumed")) {
      handle = sleeper.start(StartSpec.background());
    }

    assertThat(handle.getResult(WAIT)).isEqualTo("awake");
    assertThat(before.get()).isEqualTo(1);
    assertThat(after.get()).isEqualTo(1);
    assertThat(log.count(sql -> sql.contains("ORDER BY function_id")))
        .as("reads of the checkpoints: the resume's only")
        .isOne();
    assertThat(
            log.count(
                sql -> sql.contains("ORDER BY function_id") && sql.contains("workflow_status")))
        .as("read together with the row")
        .isOne();
  }

  @Test
  void aCancelEndsAParkedWorkflowAtOnce() throws Exception {
    WorkflowSpec receiver = receiver(Duration.ofMinutes(10));
    DBOSEngine engine = listening(harness.engine(PARK_AT_ONCE, fourThreads(), List.of(), receiver));
    WorkflowHandle<Object, Exception> handle;
    try (AutoCloseable id = engine.assignWorkflowId("cancel-me")) {
      handle = receiver.start(StartSpec.background());
    }
    await().atMost(WAIT).until(() -> engine.parkedWorkflows() == 1);

    engine.cancelWorkflow("cancel-me");

    assertThatThrownBy(() -> handle.getResult(Duration.ofSeconds(10)))
        .isInstanceOf(DBOSWorkflowCancelledException.class);
    assertThat(harness.status("cancel-me")).isEqualTo("CANCELLED");
    assertThat(engine.parkedWorkflows()).isZero();
    assertThat(after.get()).isZero();

    // Resumed, it waits again from where it was; a message then finishes it.
    engine.resumeWorkflow("cancel-me");
    await().atMost(WAIT).until(() -> engine.parkedWorkflows() == 1);
    engine.send("cancel-me", "late", "t", null);
    assertThat(engine.retrieveWorkflow("cancel-me").getResult(WAIT)).isEqualTo("late");
    assertThat(before.get()).isEqualTo(1);
  }

  @Test
  void aResumeRightAfterACancelRunsTheWorkflowAgainOnceTheCancelledExecutionHasLeft()
      throws Exception {
    WorkflowSpec receiver = receiver(Duration.ofMinutes(10));
    DBOSEngine engine = listening(harness.engine(PARK_AT_ONCE, fourThreads(), List.of(), receiver));
    for (int i = 0; i < 5; i++) {
      String id = "steer-" + i;
      try (AutoCloseable assigned = engine.assignWorkflowId(id)) {
        receiver.start(StartSpec.background());
      }
      await().atMost(WAIT).until(() -> engine.parkedWorkflows() == 1);

      // The cancelled execution is still on its way out when the resume arrives.
      engine.cancelWorkflow(id);
      engine.resumeWorkflow(id);

      await().atMost(WAIT).until(() -> engine.parkedWorkflows() == 1);
      engine.send(id, "late", "t", null);
      assertThat(engine.retrieveWorkflow(id).getResult(WAIT)).isEqualTo("late");
    }
  }

  @Test
  void aParkedWorkflowCancelledBySqlEndsWithoutWaitingForItsWakeUp() throws Exception {
    WorkflowSpec receiver = receiver(Duration.ofMinutes(10));
    DBOSEngine engine = listening(harness.engine(PARK_AT_ONCE, fourThreads(), List.of(), receiver));
    WorkflowHandle<Object, Exception> handle;
    try (AutoCloseable id = engine.assignWorkflowId("client-cancel")) {
      handle = receiver.start(StartSpec.background());
    }
    await().atMost(WAIT).until(() -> engine.parkedWorkflows() == 1);

    // What a DBOS client's cancel does: it updates the row and notifies nobody.
    harness.query(
        "UPDATE dbos.workflow_status SET status = 'CANCELLED' WHERE workflow_uuid ="
            + " 'client-cancel' RETURNING status");

    assertThatThrownBy(() -> handle.getResult(Duration.ofSeconds(20)))
        .isInstanceOf(DBOSWorkflowCancelledException.class);
    assertThat(engine.parkedWorkflows()).isZero();
    assertThat(after.get()).isZero();
  }

  @Test
  void aParkedWorkflowIsCancelledAtItsDeadline() throws Exception {
    WorkflowSpec receiver = receiver(Duration.ofMinutes(10));
    DBOSEngine engine = listening(harness.engine(PARK_AT_ONCE, fourThreads(), List.of(), receiver));
    WorkflowHandle<Object, Exception> handle;
    try (AutoCloseable id = engine.assignWorkflowId("bounded");
        AutoCloseable timeout = engine.assignTimeout(Duration.ofMillis(1500))) {
      handle = receiver.start(StartSpec.background());
    }
    await().atMost(WAIT).until(() -> engine.parkedWorkflows() == 1);

    assertThatThrownBy(() -> handle.getResult(WAIT))
        .isInstanceOf(DBOSWorkflowCancelledException.class);
    assertThat(harness.status("bounded")).isEqualTo("CANCELLED");
    assertThat(after.get()).isZero();
  }

  @Test
  void aBodyThatCatchesTheParkIsUnwoundAtItsNextDurableOperation() throws Exception {
    AtomicInteger caught = new AtomicInteger();
    WorkflowSpec swallower =
        new WorkflowSpec(
            "swallower",
            String.class,
            new Class<?>[] {},
            (engine, args) -> {
              Object message = "nothing";
              try {
                message = engine.recv("t", String.class, Duration.ofMinutes(10)).orElse("none");
              } catch (Throwable t) {
                caught.incrementAndGet(); // careless code: the engine must not record this run
              }
              step(engine, "after", after::incrementAndGet);
              return message;
            });
    DBOSEngine engine =
        listening(harness.engine(PARK_AT_ONCE, fourThreads(), List.of(), swallower));
    WorkflowHandle<Object, Exception> handle;
    try (AutoCloseable id = engine.assignWorkflowId("swallower")) {
      handle = swallower.start(StartSpec.background());
    }
    await().atMost(WAIT).until(() -> engine.parkedWorkflows() == 1);
    assertThat(caught.get()).isEqualTo(1);
    assertThat(after.get()).as("the step after the caught park did not run").isZero();

    engine.send("swallower", "hi", "t", null);

    assertThat(handle.getResult(WAIT)).isEqualTo("hi");
    assertThat(after.get()).isEqualTo(1);
  }

  @Test
  void aChildWaitingOnRecvParksWithItsParent() throws Exception {
    WorkflowSpec child = receiver(Duration.ofMinutes(10));
    WorkflowSpec parent =
        new WorkflowSpec(
            "parent",
            String.class,
            new Class<?>[] {},
            (engine, args) -> "parent got " + child.call());
    DBOSEngine engine =
        listening(harness.engine(PARK_AT_ONCE, fourThreads(), List.of(), child, parent));
    WorkflowHandle<Object, Exception> handle;
    try (AutoCloseable id = engine.assignWorkflowId("p")) {
      handle = parent.start(StartSpec.background());
    }
    await().atMost(WAIT).until(() -> engine.parkedWorkflows() == 1);
    assertThat(harness.status("p-0")).isEqualTo("PENDING");

    engine.send("p-0", "hi", "t", null);

    assertThat(handle.getResult(WAIT)).isEqualTo("parent got hi");
    assertThat(harness.status("p-0")).isEqualTo("SUCCESS");
    assertThat(before.get()).isEqualTo(1);
    assertThat(after.get()).isEqualTo(1);
  }

  @Test
  void aParkedQueuedWorkflowKeepsItsSlotUntilItFinishes() throws Exception {
    WorkflowSpec receiver = receiver(Duration.ofMinutes(10));
    QueueDefinition queue = QueueDefinition.unlimited("one").withConcurrency(1);
    DBOSEngine engine =
        listening(harness.engine(PARK_AT_ONCE, fourThreads(), List.of(queue), receiver));
    StartSpec onQueue = StartSpec.onQueue("one");
    WorkflowHandle<Object, Exception> first;
    WorkflowHandle<Object, Exception> second;
    try (AutoCloseable id = engine.assignWorkflowId("q1")) {
      first = receiver.start(onQueue);
    }
    await().atMost(WAIT).until(() -> engine.parkedWorkflows() == 1);
    try (AutoCloseable id = engine.assignWorkflowId("q2")) {
      second = receiver.start(onQueue);
    }
    engine.send("q2", "for the second", "t", null);
    engine.wakeQueues();
    // The parked first one still holds the queue's only slot.
    await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> before.get() == 1);
    assertThat(harness.status("q2")).isEqualTo("ENQUEUED");

    engine.send("q1", "for the first", "t", null);

    assertThat(first.getResult(WAIT)).isEqualTo("for the first");
    assertThat(second.getResult(WAIT)).isEqualTo("for the second");
  }

  @Test
  void aWorkflowParkedWhenTheEngineStopsResumesOnTheNextStart() throws Exception {
    WorkflowSpec receiver = receiver(Duration.ofMinutes(10));
    DBOSEngine first = listening(harness.engine(PARK_AT_ONCE, fourThreads(), List.of(), receiver));
    CompletableFuture<Object> caller =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return receiver.callWithId("survivor");
              } catch (Exception e) {
                return e;
              }
            });
    await().atMost(WAIT).until(() -> first.parkedWorkflows() == 1);

    first.close();

    // The caller waiting on the stopped engine is told; the workflow stays for the next start.
    assertThat(caller.get(10, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(
            DBOSInterruptedException.class,
            e -> assertThat(e).hasMessageContaining("stays PENDING"));
    assertThat(harness.status("survivor")).isEqualTo("PENDING");

    WorkflowSpec again = receiver.copy();
    DBOSEngine second = listening(harness.engine(PARK_AT_ONCE, fourThreads(), List.of(), again));
    assertThat(second.recoverPendingWorkflows()).containsExactly("survivor");
    second.send("survivor", "after the restart", "t", null);
    assertThat(second.retrieveWorkflow("survivor").getResult(WAIT)).isEqualTo("after the restart");
    assertThat(before.get()).isEqualTo(1);
    assertThat(after.get()).isEqualTo(1);
  }

  @Test
  void waitsShorterThanTheHoldKeepTheirThread() throws Exception {
    WorkflowSpec receiver = receiver(Duration.ofMinutes(10));
    DBOSEngine engine =
        listening(
            harness.engine(
                PARK_AT_ONCE.withThreadHold(Duration.ofMinutes(5)),
                fourThreads(),
                List.of(),
                receiver));
    WorkflowHandle<Object, Exception> handle;
    try (AutoCloseable id = engine.assignWorkflowId("held")) {
      handle = receiver.start(StartSpec.background());
    }
    await().atMost(WAIT).until(() -> before.get() == 1);
    await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> engine.parkedWorkflows() == 0);

    engine.send("held", "quick", "t", null);

    assertThat(handle.getResult(WAIT)).isEqualTo("quick");
  }
}
