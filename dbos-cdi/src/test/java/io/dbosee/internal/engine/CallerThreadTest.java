package io.dbosee.internal.engine;

import static io.dbosee.internal.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbosee.DBOSInterruptedException;
import io.dbosee.DBOSSystemDatabaseException;
import io.dbosee.DBOSWorkflowCancelledException;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A workflow called from outside any workflow runs on its caller's thread when the hosting layer
 * finds nothing there to keep from it, and on the executor otherwise; an interrupt, a cancellation
 * or a stop reaches it there as it would on the executor.
 */
class CallerThreadTest {
  private final EngineHarness harness = new EngineHarness();
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final EngineConfig config = new EngineConfig("local", "v1", "dbos");
  private final AtomicReference<Thread> ranOn = new AtomicReference<>();
  private final AtomicBoolean ranInScope = new AtomicBoolean();

  @AfterEach
  void stop() {
    harness.close();
  }

  /** A hosting layer that says where the workflow ran and in which of its scopes. */
  private static final class RecordingHooks implements ExecutionHooks {
    final boolean keepCallersApart;
    final AtomicInteger aroundWorkflow = new AtomicInteger();
    final AtomicInteger entered = new AtomicInteger();
    final AtomicInteger left = new AtomicInteger();
    final ThreadLocal<Boolean> inScope = ThreadLocal.withInitial(() -> false);

    RecordingHooks(boolean keepCallersApart) {
      this.keepCallersApart = keepCallersApart;
    }

    @Override
    public <T> T aroundWorkflow(Callable<T> body) throws Exception {
      aroundWorkflow.incrementAndGet();
      inScope.set(true);
      try {
        return body.call();
      } finally {
        inScope.set(false);
      }
    }

    @Override
    public CallerScope enterCallerThread() {
      if (keepCallersApart) {
        return null;
      }
      entered.incrementAndGet();
      inScope.set(true);
      return () -> {
        inScope.set(false);
        left.incrementAndGet();
      };
    }
  }

  private WorkflowSpec whereItRuns(RecordingHooks hooks) {
    return new WorkflowSpec(
        "whereItRuns",
        String.class,
        new Class<?>[0],
        (engine, args) -> {
          ranOn.set(Thread.currentThread());
          ranInScope.set(hooks.inScope.get());
          return step(engine, "step", () -> "done");
        });
  }

  @Test
  void aWorkflowCalledFromAThreadWithNothingToKeepApartRunsOnThatThreadInItsOwnScope()
      throws Exception {
    RecordingHooks hooks = new RecordingHooks(false);
    WorkflowSpec workflow = whereItRuns(hooks);
    harness.engine(config, executor, hooks, workflow);

    assertThat(workflow.callWithId("here")).isEqualTo("done");

    assertThat(ranOn.get()).isSameAs(Thread.currentThread());
    assertThat(ranInScope).isTrue();
    assertThat(hooks.entered).hasValue(1);
    assertThat(hooks.left).as("the caller's scope is closed when it returns").hasValue(1);
    assertThat(hooks.aroundWorkflow).hasValue(0);
    assertThat(harness.status("here")).isEqualTo("SUCCESS");
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void aWorkflowCalledFromAThreadTheHooksKeepApartRunsOnTheExecutorWhileTheCallerWaits()
      throws Exception {
    RecordingHooks hooks = new RecordingHooks(true);
    WorkflowSpec workflow = whereItRuns(hooks);
    harness.engine(config, executor, hooks, workflow);

    assertThat(workflow.callWithId("elsewhere")).isEqualTo("done");

    assertThat(ranOn.get()).isNotSameAs(Thread.currentThread());
    assertThat(ranInScope).isTrue();
    assertThat(hooks.aroundWorkflow).hasValue(1);
    assertThat(harness.status("elsewhere")).isEqualTo("SUCCESS");
  }

  @Test
  void aWorkflowHandedToTheExecutorHasItsStartWrittenByItsCallerWhileTheExecutorGetsGoing()
      throws Exception {
    RecordingHooks hooks = new RecordingHooks(true);
    WorkflowSpec workflow = whereItRuns(hooks);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean holding = new AtomicBoolean();
    // An executor whose threads are slow to get going: held until the test releases them.
    ExecutorService slow =
        new ThreadPoolExecutor(0, 64, 60, TimeUnit.SECONDS, new SynchronousQueue<>()) {
          @Override
          protected void beforeExecute(Thread t, Runnable r) {
            if (holding.get()) {
              awaitQuietly(release);
            }
          }
        };
    harness.engine(config, slow, hooks, workflow);
    holding.set(true);
    Caller caller = new Caller(() -> workflow.callWithId("ahead"));

    await().atMost(Duration.ofSeconds(10)).until(() -> "PENDING".equals(harness.status("ahead")));
    assertThat(ranOn.get()).as("the executor has not run it yet").isNull();
    release.countDown();
    caller.join();

    assertThat(caller.thrown.get()).isNull();
    assertThat(caller.returned.get()).isEqualTo("done");
    assertThat(ranOn.get()).isNotSameAs(caller.thread);
    assertThat(harness.status("ahead")).isEqualTo("SUCCESS");
  }

  @Test
  void anExecutorThatRunsTheWorkflowOnItsCallersThreadStartsItOnce() throws Exception {
    RecordingHooks hooks = new RecordingHooks(true);
    WorkflowSpec workflow = whereItRuns(hooks);
    AtomicBoolean callerRuns = new AtomicBoolean();
    // An executor with a caller-runs policy, saturated while the test calls: execute() runs the
    // task on the calling thread before it returns.
    ExecutorService saturated =
        new ThreadPoolExecutor(0, 64, 60, TimeUnit.SECONDS, new SynchronousQueue<>()) {
          @Override
          public void execute(Runnable task) {
            if (callerRuns.get()) {
              task.run();
            } else {
              super.execute(task);
            }
          }
        };
    harness.engine(config, saturated, hooks, workflow);
    callerRuns.set(true);
    Caller caller = new Caller(() -> workflow.callWithId("inline"));
    caller.join();

    assertThat(caller.thrown.get()).isNull();
    assertThat(caller.returned.get()).isEqualTo("done");
    assertThat(ranOn.get()).isSameAs(caller.thread);
    assertThat(harness.status("inline")).isEqualTo("SUCCESS");
    assertThat(
            harness.query(
                "SELECT recovery_attempts FROM dbos.workflow_status WHERE workflow_uuid = ?",
                "inline"))
        .as("one start")
        .isEqualTo("1");
  }

  @Test
  void aStartItsCallerCouldNotWriteFailsTheCallAndTheExecutorRunsNothing() throws Exception {
    RecordingHooks hooks = new RecordingHooks(true);
    WorkflowSpec workflow = whereItRuns(hooks);
    harness.engine(config, executor, hooks, workflow);
    try (Connection c = harness.database.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE FUNCTION dbos.refuse_start() RETURNS trigger LANGUAGE plpgsql AS"
              + " $$ BEGIN RAISE EXCEPTION 'start refused by the test'; END $$");
      s.execute(
          "CREATE TRIGGER refuse_start BEFORE INSERT ON dbos.workflow_status FOR EACH ROW"
              + " WHEN (NEW.workflow_uuid = 'refused') EXECUTE FUNCTION dbos.refuse_start()");
    }

    Caller caller = new Caller(() -> workflow.callWithId("refused"));
    caller.join();

    assertThat(caller.thrown.get())
        .isInstanceOf(DBOSSystemDatabaseException.class)
        .hasMessageContaining("start refused by the test");
    assertThat(ranOn.get()).as("the body never ran").isNull();
    assertThat(harness.status("refused")).isNull();
    assertThat(workflow.callWithId("after")).isEqualTo("done");
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aWorkflowItsCallerInterruptsGoesOnFromItsLastStepOnTheExecutorAndTheCallerIsTold()
      throws Exception {
    CountDownLatch inSecondStep = new CountDownLatch(1);
    AtomicInteger first = new AtomicInteger();
    AtomicInteger second = new AtomicInteger();
    WorkflowSpec workflow =
        new WorkflowSpec(
            "interrupted",
            String.class,
            new Class<?>[0],
            (engine, args) -> {
              step(engine, "first", first::incrementAndGet);
              return step(
                  engine,
                  "second",
                  () -> {
                    if (second.incrementAndGet() == 1) {
                      inSecondStep.countDown();
                      Thread.sleep(60_000); // until the caller's interrupt
                      return "slept";
                    }
                    return "again";
                  });
            });
    DBOSEngine engine = harness.engine(config, executor, ExecutionHooks.NONE, workflow);
    Caller caller = new Caller(() -> workflow.callWithId("wf"));

    assertThat(inSecondStep.await(10, TimeUnit.SECONDS)).isTrue();
    caller.thread.interrupt();
    caller.join();

    assertThat(caller.thrown.get())
        .isInstanceOf(DBOSInterruptedException.class)
        .hasMessageContaining("the workflow itself goes on");
    assertThat(caller.interruptedAfter).as("the caller keeps its interrupt").isTrue();
    await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCESS".equals(harness.status("wf")));
    assertThat(engine.retrieveWorkflow("wf").getResult()).isEqualTo("again");
    assertThat(first).as("the recorded step is replayed, not run again").hasValue(1);
    assertThat(second).as("the interrupted step runs again").hasValue(2);
  }

  @Test
  void aCallerInterruptedBeforeItCallsLeavesTheWorkflowToTheExecutor() throws Exception {
    RecordingHooks hooks = new RecordingHooks(false);
    WorkflowSpec workflow = whereItRuns(hooks);
    harness.engine(config, executor, hooks, workflow);
    Caller caller =
        new Caller(
            () -> {
              Thread.currentThread().interrupt();
              return workflow.callWithId("already");
            });
    caller.join();

    assertThat(caller.thrown.get()).isInstanceOf(DBOSInterruptedException.class);
    assertThat(caller.interruptedAfter).isTrue();
    await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCESS".equals(harness.status("already")));
    assertThat(ranOn.get()).isNotSameAs(caller.thread);
    assertThat(hooks.entered).hasValue(0);
  }

  @Test
  void aCancellationEndsTheWorkflowOnItsCallersThreadAndLeavesNoInterruptThere() throws Exception {
    WorkflowSpec workflow =
        new WorkflowSpec(
            "sleeper",
            String.class,
            new Class<?>[0],
            (engine, args) -> {
              engine.sleep(Duration.ofSeconds(60));
              return "woke";
            });
    // Holding its thread while it sleeps: the cancellation must interrupt the caller's thread.
    DBOSEngine engine =
        harness.engine(config.withThreadHold(null), executor, ExecutionHooks.NONE, workflow);
    Caller caller = new Caller(() -> workflow.callWithId("cancelled"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                "1"
                    .equals(
                        harness.query(
                            "SELECT count(*) FROM dbos.operation_outputs"
                                + " WHERE workflow_uuid = 'cancelled'")));

    engine.cancelWorkflow("cancelled");
    caller.join();

    assertThat(caller.thrown.get()).isInstanceOf(DBOSWorkflowCancelledException.class);
    assertThat(caller.interruptedAfter).as("the cancellation's interrupt stays out").isFalse();
    assertThat(harness.status("cancelled")).isEqualTo("CANCELLED");
  }

  @Test
  void aStopEndsTheWorkflowOnItsCallersThreadLeavingItPendingAndNoInterruptThere()
      throws Exception {
    CountDownLatch inStep = new CountDownLatch(1);
    WorkflowSpec workflow =
        new WorkflowSpec(
            "stopped",
            String.class,
            new Class<?>[0],
            (engine, args) ->
                step(
                    engine,
                    "wait",
                    () -> {
                      inStep.countDown();
                      Thread.sleep(60_000); // until the stop's interrupt
                      return "slept";
                    }));
    DBOSEngine engine = harness.engine(config, executor, ExecutionHooks.NONE, workflow);
    Caller caller = new Caller(() -> workflow.callWithId("stopped"));
    assertThat(inStep.await(10, TimeUnit.SECONDS)).isTrue();

    engine.close();
    caller.join();

    assertThat(caller.thrown.get()).isInstanceOf(DBOSInterruptedException.class);
    assertThat(caller.interruptedAfter).as("the stop's interrupt stays out").isFalse();
    assertThat(harness.status("stopped")).isEqualTo("PENDING");
  }

  /** A thread of the test's own that calls a workflow and notes how the call ended. */
  private static final class Caller {
    final AtomicReference<Throwable> thrown = new AtomicReference<>();
    final AtomicReference<Object> returned = new AtomicReference<>();
    volatile boolean interruptedAfter;
    final Thread thread;

    Caller(Callable<Object> call) {
      thread =
          new Thread(
              () -> {
                try {
                  returned.set(call.call());
                } catch (Throwable t) {
                  thrown.set(t);
                }
                interruptedAfter = Thread.currentThread().isInterrupted();
              },
              "workflow-caller");
      thread.start();
    }

    void join() throws InterruptedException {
      thread.join(TimeUnit.SECONDS.toMillis(20));
      assertThat(thread.isAlive()).as("the caller's call returned").isFalse();
    }
  }
}
