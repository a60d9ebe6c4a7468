package io.dbosee.internal.engine;

import static io.dbosee.internal.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbosee.DBOSQueueDuplicatedException;
import io.dbosee.DBOSUnknownQueueException;
import io.dbosee.WorkflowHandle;
import io.dbosee.WorkflowState;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class QueueTest {
  /** Long enough that only a wake-up, never the polling fallback, can start work in a test. */
  private static final Duration NO_POLLING = Duration.ofHours(1);

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final EngineHarness harness = new EngineHarness();

  /** How many times each workflow id's body ran. */
  private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

  private final List<String> startOrder = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger maxRunning = new AtomicInteger();
  private final Map<String, AtomicInteger> runningByPartition = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> maxByPartition = new ConcurrentHashMap<>();
  private volatile CountDownLatch gate = new CountDownLatch(0);

  @AfterEach
  void stop() {
    harness.close();
  }

  /** Records its run, holds a slot for {@code millis}, returns its argument doubled. */
  private WorkflowSpec work() {
    return new WorkflowSpec(
        "work",
        Integer.class,
        new Class<?>[] {Integer.class, Long.class},
        (engine, args) -> {
          String id = engine.currentWorkflowId().orElseThrow();
          runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
          startOrder.add(id);
          maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
          try {
            if (!gate.await(60, TimeUnit.SECONDS)) {
              throw new IllegalStateException("gate never opened");
            }
            Thread.sleep((Long) args[1]); // the workload: hold the slot a while
          } finally {
            running.decrementAndGet();
          }
          return (Integer) args[0] * 2;
        });
  }

  private WorkflowSpec partitioned() {
    return new WorkflowSpec(
        "partitioned",
        String.class,
        new Class<?>[] {String.class},
        (engine, args) -> {
          String partition = (String) args[0];
          AtomicInteger now =
              runningByPartition.computeIfAbsent(partition, k -> new AtomicInteger());
          maxByPartition
              .computeIfAbsent(partition, k -> new AtomicInteger())
              .accumulateAndGet(now.incrementAndGet(), Math::max);
          maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
          try {
            Thread.sleep(100); // the workload: hold the slot a while
          } finally {
            now.decrementAndGet();
            running.decrementAndGet();
          }
          return partition;
        });
  }

  private static QueueDefinition queue(String name) {
    return QueueDefinition.unlimited(name).withPollingInterval(NO_POLLING);
  }

  private static StartSpec on(String queue) {
    return StartSpec.onQueue(queue);
  }

  @Test
  void aCallerAwaitingAQueuedWorkflowThatSucceedsHereIsHandedItsResultWithoutReadingItBack()
      throws Exception {
    WorkflowSpec work = work();
    StatementLog log = new StatementLog();
    // A result poll interval longer than the test: only the finish here wakes the caller.
    EngineConfig config =
        new EngineConfig("local", "v1", "dbos")
            .toBuilder().resultPollInterval(Duration.ofHours(1)).build();
    harness.engine(config, List.of(queue("q").withConcurrency(1)), log::wrap, work);
    gate = new CountDownLatch(1);
    work.start(on("q"), 1, 0L);
    await().atMost(WAIT).until(() -> running.get() == 1); // it holds the queue's one slot
    WorkflowHandle<Object, Exception> queued = work.start(on("q"), 21, 0L);
    FutureTask<Object> result = new FutureTask<>(() -> queued.getResult(WAIT));
    Thread caller = new Thread(result, "caller");
    caller.start();
    // The caller read the row once (ENQUEUED) and waits; then the queue moves on.
    await().atMost(WAIT).until(() -> log.count("workflow_status", caller) == 1);
    gate.countDown();

    assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo(42);
    assertThat(log.count("workflow_status", caller)).as("reads of the row by the caller").isOne();
  }

  @Test
  void anEnqueuedWorkflowRunsAndItsHandleGivesTheResult() throws Exception {
    WorkflowSpec work = work();
    harness.engine("local", List.of(queue("q")), work);

    WorkflowHandle<Object, Exception> handle = work.start(on("q"), 21, 0L);

    assertThat(handle.getResult(WAIT)).isEqualTo(42);
    assertThat(harness.status(handle.workflowId())).isEqualTo("SUCCESS");
    assertThat(
            harness.query(
                "SELECT queue_name || ' ' || executor_id || ' ' || (started_at_epoch_ms IS NOT"
                    + " NULL) || ' ' || recovery_attempts FROM dbos.workflow_status WHERE"
                    + " workflow_uuid = ?",
                handle.workflowId()))
        .isEqualTo("q local true 1");
  }

  @Test
  void anEnqueueOnAnotherServerWakesTheListeningServerWithoutPolling() throws Exception {
    WorkflowSpec onA = work();
    WorkflowSpec onB = onA.copy();
    // A declares the queue but does not listen to it; B listens, and never polls in this test.
    DBOSEngine a = harness.engine("a", List.of(), onA);
    a.registerQueue(queue("q"), false);
    harness.engine("b", List.of(queue("q")), onB);

    WorkflowHandle<Object, Exception> handle = onA.start(on("q"), 5, 0L);

    assertThat(handle.getResult(WAIT)).isEqualTo(10);
    assertThat(
            harness.query(
                "SELECT executor_id FROM dbos.workflow_status WHERE workflow_uuid = ?",
                handle.workflowId()))
        .isEqualTo("b");
  }

  @Test
  void globalConcurrencyHoldsAcrossTwoServers() throws Exception {
    WorkflowSpec onA = work();
    WorkflowSpec onB = onA.copy();
    QueueDefinition limited = queue("q").withConcurrency(2);
    harness.engine("a", List.of(limited), onA);
    harness.engine("b", List.of(limited), onB);

    List<WorkflowHandle<Object, Exception>> handles = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      handles.add((i % 2 == 0 ? onA : onB).start(on("q"), i, 30L));
    }
    for (WorkflowHandle<Object, Exception> handle : handles) {
      handle.getResult(WAIT);
    }

    assertThat(maxRunning.get()).isEqualTo(2);
    assertThat(runs).hasSize(12).allSatisfy((id, count) -> assertThat(count.get()).isOne());
  }

  @Test
  void workerConcurrencyLimitsEachServer() throws Exception {
    WorkflowSpec onA = work();
    WorkflowSpec onB = onA.copy();
    QueueDefinition perServer = queue("q").withWorkerConcurrency(1);
    harness.engine("a", List.of(perServer), onA);
    harness.engine("b", List.of(perServer), onB);

    List<WorkflowHandle<Object, Exception>> handles = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      handles.add(onA.start(on("q"), i, 30L));
    }
    for (WorkflowHandle<Object, Exception> handle : handles) {
      handle.getResult(WAIT);
    }

    // Each server runs one at a time; both together never more than two.
    assertThat(maxRunning.get()).isBetween(1, 2);
    for (String server : List.of("a", "b")) {
      List<String> starts =
          harness.queryColumn(
              "SELECT started_at_epoch_ms || ',' || completed_at FROM dbos.workflow_status WHERE"
                  + " executor_id = ? ORDER BY started_at_epoch_ms",
              server);
      for (int i = 1; i < starts.size(); i++) {
        long previousEnd = Long.parseLong(starts.get(i - 1).split(",")[1]);
        long start = Long.parseLong(starts.get(i).split(",")[0]);
        assertThat(start)
            .as("server %s started one before the previous finished", server)
            .isGreaterThanOrEqualTo(previousEnd);
      }
    }
  }

  @Test
  void aServerRunsAtMostItsServerConcurrencyAndLeavesTheRestToOthers() throws Exception {
    WorkflowSpec onA = work();
    WorkflowSpec onB = onA.copy();
    gate = new CountDownLatch(1);
    EngineConfig capped = new EngineConfig("a", "v1", "dbos").withQueueServerConcurrency(3);
    harness.engine(capped, Executors.newCachedThreadPool(), List.of(queue("q"), queue("r")), onA);

    List<WorkflowHandle<Object, Exception>> handles = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      handles.add(onA.start(on(i % 2 == 0 ? "q" : "r"), i, 0L));
    }
    // Three run on a, over both queues; the other five wait ENQUEUED, not claimed by a.
    await().atMost(WAIT).until(() -> running.get() == 3);
    await()
        .during(Duration.ofMillis(300))
        .atMost(WAIT)
        .until(
            () ->
                running.get() == 3
                    && "5"
                        .equals(
                            harness.query(
                                "SELECT count(*) FROM dbos.workflow_status WHERE status ="
                                    + " 'ENQUEUED'")));

    // Another server takes what a left; a starts more as its own finish.
    harness.engine("b", List.of(queue("q"), queue("r")), onB);
    await().atMost(WAIT).until(() -> running.get() == 8);
    gate.countDown();
    for (WorkflowHandle<Object, Exception> handle : handles) {
      handle.getResult(WAIT);
    }
    assertThat(runs).hasSize(8).allSatisfy((id, count) -> assertThat(count.get()).isOne());
    assertThat(harness.query("SELECT count(*) FROM dbos.workflow_status WHERE executor_id = 'a'"))
        .isEqualTo("3");
  }

  @Test
  void aClaimWithinTheServersConcurrencyCountsAndTakesItsWorkflowsInOneStatement()
      throws Exception {
    WorkflowSpec work = work();
    StatementLog log = new StatementLog();
    EngineConfig capped = new EngineConfig("a", "v1", "dbos").withQueueServerConcurrency(2);
    harness.engine(capped, List.of(queue("q")), log::wrap, work);

    runToTheEnd(work, 6);

    assertThat(maxRunning.get()).isEqualTo(2);
    long claims = log.count(sql -> sql.contains("SKIP LOCKED"));
    assertThat(log.count(sql -> sql.contains("SKIP LOCKED") && sql.contains("count(*)")))
        .as("claims that count the server's running workflows in their own statement")
        .isEqualTo(claims);
    // A count of its own only after a claim that took nothing (to tell whether the cap stopped it).
    assertThat(log.count(sql -> sql.contains("count(*)") && !sql.contains("SKIP LOCKED")))
        .isLessThan(claims);
  }

  /** Enqueues {@code count} workflows of 20 ms on queue q and waits for all of them. */
  private static void runToTheEnd(WorkflowSpec work, int count) throws Exception {
    List<WorkflowHandle<Object, Exception>> handles = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      handles.add(work.start(on("q"), i, 20L));
    }
    for (WorkflowHandle<Object, Exception> handle : handles) {
      handle.getResult(WAIT);
    }
  }

  @Test
  void aServerAtItsServerConcurrencyStartsMoreAsItsWorkflowsFinish() throws Exception {
    WorkflowSpec work = work();
    EngineConfig capped = new EngineConfig("a", "v1", "dbos").withQueueServerConcurrency(2);
    harness.engine(capped, Executors.newCachedThreadPool(), List.of(queue("q")), work);

    // No polling in this test: only the finishes can start the rest.
    runToTheEnd(work, 10);
    assertThat(maxRunning.get()).isEqualTo(2);
    assertThat(runs).hasSize(10);
  }

  @Test
  void aRateLimitAllowsAtMostItsStartsPerWindow() throws Exception {
    WorkflowSpec work = work();
    harness.engine("local", List.of(queue("q").withRateLimit(2, Duration.ofMillis(700))), work);

    List<WorkflowHandle<Object, Exception>> handles = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      handles.add(work.start(on("q"), i, 0L));
    }
    for (WorkflowHandle<Object, Exception> handle : handles) {
      handle.getResult(WAIT);
    }

    List<String> starts =
        harness.queryColumn(
            "SELECT started_at_epoch_ms FROM dbos.workflow_status ORDER BY started_at_epoch_ms");
    assertThat(starts).hasSize(6);
    for (int i = 2; i < starts.size(); i++) {
      assertThat(Long.parseLong(starts.get(i)) - Long.parseLong(starts.get(i - 2)))
          .as("the third start within one window")
          .isGreaterThanOrEqualTo(700);
    }
  }

  @Test
  void lowerPriorityRunsFirst() throws Exception {
    WorkflowSpec work = work();
    harness.engine("local", List.of(queue("q").withConcurrency(1).withPriorityEnabled(true)), work);
    gate = new CountDownLatch(1);
    WorkflowHandle<Object, Exception> blocker = work.start(on("q"), 0, 0L);
    await().atMost(WAIT).until(() -> running.get() == 1);

    List<String> expected = new ArrayList<>();
    for (int priority : new int[] {5, 1, 3, 0}) {
      String id = "p" + priority;
      work.start(StartSpec.onQueue("q").withWorkflowId(id).withPriority(priority), priority, 0L);
    }
    expected.addAll(List.of(blocker.workflowId(), "p0", "p1", "p3", "p5"));
    gate.countDown();

    for (String id : List.of("p0", "p1", "p3", "p5")) {
      await().atMost(WAIT).until(() -> "SUCCESS".equals(harness.status(id)));
    }
    assertThat(startOrder).containsExactlyElementsOf(expected);
  }

  @Test
  void aDeduplicationIdIsRefusedWhileActiveAndFreeAfterwards() throws Exception {
    WorkflowSpec work = work();
    harness.engine("local", List.of(queue("q")), work);
    gate = new CountDownLatch(1);
    StartSpec dedup = StartSpec.onQueue("q").withDeduplicationId("order-7");
    WorkflowHandle<Object, Exception> first = work.start(dedup, 1, 0L);

    assertThatThrownBy(() -> work.start(dedup, 2, 0L))
        .isInstanceOfSatisfying(
            DBOSQueueDuplicatedException.class,
            e -> {
              assertThat(e.queueName()).isEqualTo("q");
              assertThat(e.deduplicationId()).isEqualTo("order-7");
            })
        .hasMessageContaining("'order-7'")
        .hasMessageContaining("'q'");

    gate.countDown();
    assertThat(first.getResult(WAIT)).isEqualTo(2);
    assertThat(work.start(dedup, 3, 0L).getResult(WAIT)).isEqualTo(6);
  }

  @Test
  void partitionsHaveTheirOwnConcurrency() throws Exception {
    WorkflowSpec partitioned = partitioned();
    harness.engine(
        "local",
        List.of(
            queue("q")
                .withPartitioned(true)
                .withPartitionLimits(PartitionLimits.NONE.withConcurrency(1))),
        partitioned);

    List<WorkflowHandle<Object, Exception>> handles = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      for (String partition : List.of("red", "blue")) {
        handles.add(
            partitioned.start(StartSpec.onQueue("q").withPartitionKey(partition), partition));
      }
    }
    for (WorkflowHandle<Object, Exception> handle : handles) {
      handle.getResult(WAIT);
    }

    assertThat(maxByPartition.get("red").get()).isOne();
    assertThat(maxByPartition.get("blue").get()).isOne();
    assertThat(maxRunning.get()).as("the partitions ran side by side").isEqualTo(2);
  }

  @Test
  void aDelayedWorkflowWaitsForItsDelay() throws Exception {
    WorkflowSpec work = work();
    harness.engine("local", List.of(queue("q")), work);

    WorkflowHandle<Object, Exception> handle =
        work.start(StartSpec.onQueue("q").withDelay(Duration.ofMillis(800)), 4, 0L);

    assertThat(handle.getStatus().state()).isEqualTo(WorkflowState.DELAYED);
    assertThat(handle.getResult(WAIT)).isEqualTo(8);
    assertThat(
            Long.parseLong(
                harness.query(
                    "SELECT started_at_epoch_ms - created_at FROM dbos.workflow_status WHERE"
                        + " workflow_uuid = ?",
                    handle.workflowId())))
        .isGreaterThanOrEqualTo(800);
  }

  @Test
  void enqueueChecksTheQueueAndItsOptions() {
    WorkflowSpec work = work();
    harness.engine("local", List.of(queue("plain"), queue("parts").withPartitioned(true)), work);

    assertThatThrownBy(() -> work.start(on("nope"), 1, 0L))
        .isInstanceOf(DBOSUnknownQueueException.class)
        .hasMessageContaining("'nope'")
        .hasMessageContaining("[parts, plain]");
    assertThatThrownBy(() -> work.start(on("parts"), 1, 0L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("partition key");
    assertThatThrownBy(() -> work.start(StartSpec.onQueue("plain").withPartitionKey("k"), 1, 0L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not partitioned");
    assertThatThrownBy(() -> work.start(StartSpec.onQueue("plain").withPriority(2), 1, 0L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("priorities");
    assertThat(harness.query("SELECT count(*) FROM dbos.workflow_status")).isEqualTo("0");
  }

  @Test
  void aCrashedServersQueuedWorkIsPutBackOnItsQueueAndFinishesWithoutRerunningSteps()
      throws Exception {
    AtomicInteger firstStep = new AtomicInteger();
    CountDownLatch inSecondStep = new CountDownLatch(1);
    AtomicBoolean hang = new AtomicBoolean(true);
    WorkflowSpec twoSteps =
        new WorkflowSpec(
            "twoSteps",
            String.class,
            new Class<?>[] {},
            (engine, args) -> {
              step(engine, "one", firstStep::incrementAndGet);
              step(
                  engine,
                  "two",
                  () -> {
                    inSecondStep.countDown();
                    if (hang.get()) {
                      new CountDownLatch(1).await(); // until the crash interrupts it
                    }
                    return 2;
                  });
              return "done";
            });
    QueueDefinition single = queue("q").withConcurrency(1);
    DBOSEngine first = harness.engine("server", List.of(single), twoSteps);
    WorkflowHandle<Object, Exception> running = twoSteps.start(on("q"));
    WorkflowHandle<Object, Exception> waiting = twoSteps.start(on("q"));
    assertThat(inSecondStep.await(30, TimeUnit.SECONDS)).isTrue();
    harness.crash(first);
    assertThat(harness.status(running.workflowId())).isEqualTo("PENDING");
    assertThat(harness.status(waiting.workflowId())).isEqualTo("ENQUEUED");

    // The server starts again with the same executor id; its crashed workflow still holds the
    // queue's only slot until recovery puts it back on the queue.
    hang.set(false);
    DBOSEngine restarted = harness.engine("server", List.of(single), twoSteps.copy());
    List<String> recovered = restarted.recoverPendingWorkflows();

    assertThat(recovered).containsExactly(running.workflowId());
    await().atMost(WAIT).until(() -> "SUCCESS".equals(harness.status(running.workflowId())));
    await().atMost(WAIT).until(() -> "SUCCESS".equals(harness.status(waiting.workflowId())));
    assertThat(firstStep.get()).as("step one of each workflow ran once").isEqualTo(2);
    assertThat(
            harness.query(
                "SELECT recovery_attempts FROM dbos.workflow_status WHERE workflow_uuid = ?",
                running.workflowId()))
        .isEqualTo("2");
  }

  @Test
  void aWorkflowEnqueuedBySqlIsPickedUp() throws Exception {
    WorkflowSpec work = work();
    harness.engine(
        "local",
        List.of(QueueDefinition.unlimited("q").withPollingInterval(Duration.ofMillis(100))),
        work);

    String id =
        harness.query(
            "SELECT dbos.enqueue_workflow('work', 'q', ARRAY['7'::json, '0'::json],"
                + " class_name => 'test.Workflows')");

    await().atMost(WAIT).until(() -> "SUCCESS".equals(harness.status(id)));
    assertThat(harness.output(id)).isEqualTo("14");
  }

  @Test
  void twoServersDrainOneQueueRunningEachWorkflowOnce() throws Exception {
    WorkflowSpec onA = work();
    WorkflowSpec onB = onA.copy();
    harness.engine("a", List.of(queue("q")), onA);
    harness.engine("b", List.of(queue("q")), onB);

    List<WorkflowHandle<Object, Exception>> handles = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      handles.add((i % 2 == 0 ? onA : onB).start(on("q"), i, 0L));
    }
    for (int i = 0; i < handles.size(); i++) {
      assertThat(handles.get(i).getResult(WAIT)).isEqualTo(2 * i);
    }
    assertThat(runs).hasSize(200).allSatisfy((id, count) -> assertThat(count.get()).isOne());
    assertThat(harness.queryColumn("SELECT DISTINCT executor_id FROM dbos.workflow_status"))
        .containsExactlyInAnyOrder("a", "b");
  }

  /**
   * Recovery puts this server's PENDING queued rows back on their queue; a row claimed here a
   * moment before, on its way to the executor and not yet registered as running, is not one of
   * them.
   */
  @Test
  void recoveryLeavesAWorkflowClaimedHereOnItsWayToTheExecutor() throws Exception {
    WorkflowSpec work = work();
    HoldingExecutor executor = new HoldingExecutor();
    DBOSEngine engine =
        harness.engine(
            new EngineConfig("local", "v1", "dbos"), executor, List.of(queue("q")), work);
    executor.holding = true;

    WorkflowHandle<Object, Exception> handle = work.start(on("q").withWorkflowId("w"), 1, 0L);
    await().atMost(WAIT).until(() -> executor.held.size() == 1); // claimed, not yet running
    assertThat(harness.status("w")).isEqualTo("PENDING");

    assertThat(engine.recoverPendingWorkflows()).isEmpty();
    executor.release();

    assertThat(handle.getResult(WAIT)).isEqualTo(2);
    assertThat(runs.get("w")).as("claimed once, run once").hasValue(1);
  }

  /**
   * An executor that holds back, while {@link #holding}, the dispatches of claimed workflows (tasks
   * of {@link WorkflowDispatch} that its own threads submit: a queue round's), until {@link
   * #release()}. Queue rounds themselves, which the notification listener's thread also submits,
   * pass: holding one would leave the workflow unclaimed.
   */
  private static final class HoldingExecutor extends java.util.concurrent.ThreadPoolExecutor {
    volatile boolean holding;
    final List<Runnable> held = Collections.synchronizedList(new ArrayList<>());

    HoldingExecutor() {
      super(
          0,
          Integer.MAX_VALUE,
          60,
          TimeUnit.SECONDS,
          new java.util.concurrent.SynchronousQueue<>(),
          r -> new Thread(r, "holding-pool"));
    }

    @Override
    public void execute(Runnable task) {
      if (holding
          && Thread.currentThread().getName().equals("holding-pool")
          && task.getClass().getName().startsWith(WorkflowDispatch.class.getName())) {
        held.add(task);
      } else {
        super.execute(task);
      }
    }

    void release() {
      holding = false;
      List<Runnable> tasks;
      synchronized (held) {
        tasks = new ArrayList<>(held);
        held.clear();
      }
      tasks.forEach(this::execute);
    }
  }
}
