package io.dbosee.internal.engine;

import static io.dbosee.internal.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbosee.StepOptions;
import io.dbosee.WorkflowHandle;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import io.dbosee.testing.LogCapture;
import io.dbosee.testing.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The database goes away under load (every connection reset, new ones refused) and comes back: the
 * workflows wait and go on from their last completed step instead of failing or staying PENDING.
 */
class DatabaseOutageTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final int WORKFLOWS = 8;
  private static final int STEPS = 20;

  private final EngineHarness harness = new EngineHarness();
  private final TcpProxy proxy = TcpProxy.forJdbcUrl(harness.database.jdbcUrl());
  private final ConcurrentHashMap<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  private final AtomicInteger stepsDone = new AtomicInteger();

  @AfterEach
  void stop() {
    harness.close();
    proxy.close();
  }

  /** An engine that reaches the database through the proxy. */
  private DBOSEngine engineThroughProxy(EngineConfig config, QueueDefinition... queues) {
    return harness.engine(
        config, Executors.newCachedThreadPool(), throughProxy(), List.of(queues), steps);
  }

  private String throughProxy() {
    return proxy.jdbcUrl(harness.database.jdbcUrl());
  }

  private final WorkflowSpec steps =
      new WorkflowSpec(
          "steps",
          Integer.class,
          new Class<?>[] {String.class},
          (engine, args) -> {
            int sum = 0;
            for (int i = 0; i < STEPS; i++) {
              String key = args[0] + "/" + i;
              sum +=
                  (Integer)
                      step(
                          engine,
                          "step-" + i,
                          StepOptions.DEFAULT,
                          Integer.class,
                          () -> {
                            runs.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                            Thread.sleep(20); // some work
                            stepsDone.incrementAndGet();
                            return 1;
                          });
            }
            return sum;
          });

  @Test
  void workflowsWaitOutAnOutageAndFinishWithEveryStepRecordedOnce() throws Exception {
    DBOSEngine engine = engineThroughProxy(new EngineConfig("local", "v1", "dbos"));
    List<WorkflowHandle<Object, Exception>> handles = new ArrayList<>();
    for (int i = 0; i < WORKFLOWS; i++) {
      try (AutoCloseable id = engine.assignWorkflowId("wf-" + i)) {
        handles.add(steps.start(StartSpec.background(), "wf-" + i));
      }
    }
    await().atMost(WAIT).until(() -> stepsDone.get() >= WORKFLOWS * 3);

    proxy.cut();
    // Every workflow reaches the database, finds it gone and is put aside (no thread held).
    await().atMost(WAIT).until(() -> engine.parkedWorkflows() == WORKFLOWS);
    Thread.sleep(3000); // the outage lasts three seconds more: its length is the point here
    proxy.restore();

    for (WorkflowHandle<Object, Exception> handle : handles) {
      assertThat(handle.getResult(WAIT)).isEqualTo(STEPS);
    }
    for (int i = 0; i < WORKFLOWS; i++) {
      assertThat(harness.status("wf-" + i)).isEqualTo("SUCCESS");
      assertThat(
              harness.query(
                  "SELECT count(*) FROM dbos.operation_outputs WHERE workflow_uuid = ?", "wf-" + i))
          .isEqualTo(String.valueOf(STEPS));
    }
    // A step whose checkpoint the outage lost runs again (steps are at least once); no other does.
    int reruns = runs.values().stream().mapToInt(n -> n.get() - 1).sum();
    assertThat(reruns).isLessThanOrEqualTo(2 * WORKFLOWS);
    assertThat(runs).hasSize(WORKFLOWS * STEPS);
    // The engine's connections were given back: what it holds now is bounded by its pool.
    assertThat(
            Integer.parseInt(
                harness.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        + " AND client_port IS NOT NULL AND pid <> pg_backend_pid()")))
        .isLessThanOrEqualTo(10 + 2);
  }

  @Test
  void connectionsTerminatedByTheDatabaseInTheMiddleOfStepsLoseNoWork() throws Exception {
    DBOSEngine engine =
        harness.engine(
            new EngineConfig("local", "v1", "dbos"),
            Executors.newCachedThreadPool(),
            harness.database.jdbcUrl(),
            steps);
    List<WorkflowHandle<Object, Exception>> handles = new ArrayList<>();
    for (int i = 0; i < WORKFLOWS; i++) {
      try (AutoCloseable id = engine.assignWorkflowId("t-" + i)) {
        handles.add(steps.start(StartSpec.background(), "t-" + i));
      }
    }
    // Three times while the steps run, the database ends every session but the test's own.
    for (int round = 1; round <= 3; round++) {
      int target = WORKFLOWS * 4 * round;
      await().atMost(WAIT).until(() -> stepsDone.get() >= target);
      harness.query(
          "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname ="
              + " current_database() AND pid <> pg_backend_pid()");
    }

    for (WorkflowHandle<Object, Exception> handle : handles) {
      assertThat(handle.getResult(WAIT)).isEqualTo(STEPS);
    }
    for (int i = 0; i < WORKFLOWS; i++) {
      assertThat(harness.status("t-" + i)).isEqualTo("SUCCESS");
      assertThat(
              harness.query(
                  "SELECT count(*) FROM dbos.operation_outputs WHERE workflow_uuid = ?", "t-" + i))
          .isEqualTo(String.valueOf(STEPS));
    }
    assertThat(runs).hasSize(WORKFLOWS * STEPS);
    int reruns = runs.values().stream().mapToInt(n -> n.get() - 1).sum();
    assertThat(reruns).isLessThanOrEqualTo(3 * WORKFLOWS);
  }

  @Test
  void aCallerWaitingForAnotherServersWorkflowRidesOutTerminatedConnections() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    WorkflowSpec waiting =
        new WorkflowSpec(
            "waiting",
            String.class,
            new Class<?>[] {},
            (engine, args) -> {
              EngineHarness.step(
                  engine,
                  "wait",
                  () -> {
                    if (!release.await(60, TimeUnit.SECONDS)) {
                      throw new IllegalStateException("never released");
                    }
                    return "x";
                  });
              return "done";
            });
    DBOSEngine runner =
        harness.engine(
            new EngineConfig("runner", "v1", "dbos"),
            Executors.newCachedThreadPool(),
            harness.database.jdbcUrl(),
            waiting);
    // The caller polls the row through a pool of its own, whose idle connections the database ends.
    DBOSEngine caller =
        harness.engine(
            new EngineConfig("caller", "v1", "dbos"),
            Executors.newCachedThreadPool(),
            harness.database.jdbcUrl(),
            waiting.copy());
    try (AutoCloseable id = runner.assignWorkflowId("w")) {
      waiting.start(StartSpec.background());
    }
    WorkflowHandle<Object, Exception> handle = caller.retrieveWorkflow("w");
    ExecutorService waiter = Executors.newSingleThreadExecutor();
    try {
      Future<Object> result = waiter.submit(() -> handle.getResult(WAIT));
      harness.query(
          "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname ="
              + " current_database() AND pid <> pg_backend_pid()");
      release.countDown();
      assertThat(result.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("done");
    } finally {
      waiter.shutdownNow();
    }
  }

  @Test
  void aConnectionErrorTheWorkflowLetsThroughIsItsFailureNotAnOutage() throws Exception {
    AtomicInteger bodyRuns = new AtomicInteger();
    WorkflowSpec failing =
        new WorkflowSpec(
            "failing",
            String.class,
            new Class<?>[] {},
            (engine, args) -> {
              bodyRuns.incrementAndGet();
              step(
                  engine,
                  "own-database",
                  () -> {
                    throw new java.sql.SQLException("the application's database is away", "08006");
                  });
              return "unreachable";
            });
    try (LogCapture log = LogCapture.ofPackage(DBOSEngine.class)) {
      DBOSEngine engine = harness.engine("local", failing);
      WorkflowHandle<Object, Exception> handle;
      try (AutoCloseable id = engine.assignWorkflowId("own-error")) {
        handle = failing.start(StartSpec.background());
      }

      assertThatThrownBy(() -> handle.getResult(WAIT)).isInstanceOf(java.sql.SQLException.class);
      assertThat(harness.status("own-error")).isEqualTo("ERROR");
      assertThat(bodyRuns.get()).isEqualTo(1);
      assertThat(log.messages())
          .as("recorded as the workflow's error, not retried as an outage")
          .noneMatch(message -> message.contains("could not be reached"));
    }
  }

  @Test
  void aStartDuringAnOutageWaitsForTheDatabaseAndTheWorkflowRunsOnce() throws Exception {
    DBOSEngine engine = engineThroughProxy(new EngineConfig("local", "v1", "dbos"));
    ExecutorService caller = Executors.newFixedThreadPool(2);
    try (LogCapture log = LogCapture.ofPackage(DBOSEngine.class)) {
      proxy.cut();
      Future<WorkflowHandle<Object, Exception>> named =
          caller.submit(
              () -> {
                try (AutoCloseable id = engine.assignWorkflowId("during")) {
                  return steps.start(StartSpec.background(), "during");
                }
              });
      Future<WorkflowHandle<Object, Exception>> unnamed =
          caller.submit(() -> steps.start(StartSpec.background(), "unnamed"));
      // Both callers found the database gone and wait for it (the log says so) ...
      await()
          .atMost(WAIT)
          .until(() -> log.count("waits for the system database, which could not be reached") == 2);
      assertThat(named).isNotDone();
      assertThat(unnamed).isNotDone();
      proxy.restore();
      // ... and their starts go through once it is back.
      WorkflowHandle<Object, Exception> first = named.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      WorkflowHandle<Object, Exception> second = unnamed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(first.getResult(WAIT)).isEqualTo(STEPS);
      assertThat(second.getResult(WAIT)).isEqualTo(STEPS);
      assertThat(first.workflowId()).isEqualTo("during");
      assertThat(harness.status(second.workflowId())).isEqualTo("SUCCESS");
      assertThat(harness.query("SELECT count(*) FROM dbos.workflow_status WHERE name = ?", "steps"))
          .as("one row per started workflow")
          .isEqualTo("2");
      assertThat(runs).hasSize(2 * STEPS).allSatisfy((key, n) -> assertThat(n.get()).isOne());
    } finally {
      caller.shutdownNow();
    }
  }

  @Test
  void aStartThatOutlastsItsWaitFailsSayingHowToStartItOnce() throws Exception {
    DBOSEngine engine =
        engineThroughProxy(
            new EngineConfig("local", "v1", "dbos").withStartOutageWait(Duration.ofMillis(700)),
            QueueDefinition.unlimited("q"));
    proxy.cut();
    assertThatThrownBy(
            () -> {
              try (AutoCloseable id = engine.assignWorkflowId("late")) {
                steps.start(StartSpec.background(), "late");
              }
            })
        .isInstanceOf(io.dbosee.DBOSSystemDatabaseException.class)
        .hasMessageContaining("[DBOS-CDI-076] Could not startWorkflow workflow 'late'")
        .hasMessageContaining("Call again with the same workflow id ('late'")
        .hasMessageContaining("dbos.system-database.start-outage-wait-seconds");
    StartSpec onQueue = StartSpec.onQueue("q").withWorkflowId("late-queued");
    assertThatThrownBy(() -> steps.start(onQueue, "late-queued"))
        .isInstanceOf(io.dbosee.DBOSSystemDatabaseException.class)
        .hasMessageContaining("[DBOS-CDI-076] Could not enqueue workflow 'late-queued'");
    proxy.restore();
    // Called again with the same ids, as the message says: each runs, once.
    try (AutoCloseable id = engine.assignWorkflowId("late")) {
      assertThat(steps.start(StartSpec.background(), "late").getResult(WAIT)).isEqualTo(STEPS);
    }
    assertThat(steps.start(onQueue, "late-queued").getResult(WAIT)).isEqualTo(STEPS);
    assertThat(runs).hasSize(2 * STEPS).allSatisfy((key, n) -> assertThat(n.get()).isOne());
  }

  @Test
  void aCallerInterruptedWhileItsStartWaitsForTheDatabaseIsTold() throws Exception {
    DBOSEngine engine = engineThroughProxy(new EngineConfig("local", "v1", "dbos"));
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try (LogCapture log = LogCapture.ofPackage(DBOSEngine.class)) {
      proxy.cut();
      Future<WorkflowHandle<Object, Exception>> start =
          caller.submit(
              () -> {
                try (AutoCloseable id = engine.assignWorkflowId("interrupted")) {
                  return steps.start(StartSpec.background(), "interrupted");
                }
              });
      await().atMost(WAIT).until(() -> log.count("Starting workflow 'interrupted' waits") == 1);
      caller.shutdownNow(); // interrupts the waiting caller

      assertThatThrownBy(() -> start.get(WAIT.toSeconds(), TimeUnit.SECONDS))
          .hasCauseInstanceOf(io.dbosee.DBOSInterruptedException.class)
          .hasMessageContaining("interrupted while startWorkflow of workflow 'interrupted'")
          .hasMessageContaining("Call again with the same workflow id");
    }
  }

  @Test
  void withNoStartWaitAStartDuringAnOutageFailsAtOnce() throws Exception {
    DBOSEngine engine =
        engineThroughProxy(
            new EngineConfig("local", "v1", "dbos").withStartOutageWait(Duration.ZERO));
    try (LogCapture log = LogCapture.ofPackage(DBOSEngine.class)) {
      proxy.cut();
      assertThatThrownBy(
              () -> {
                try (AutoCloseable id = engine.assignWorkflowId("now")) {
                  steps.start(StartSpec.background(), "now");
                }
              })
          .isInstanceOf(io.dbosee.DBOSSystemDatabaseException.class)
          .hasMessageContaining("[DBOS-CDI-076]");
      assertThat(log.messages()).noneMatch(message -> message.contains("waits for the system"));
    }
  }
}
