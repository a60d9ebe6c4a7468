package io.dbosee.internal.engine;

import static io.dbosee.internal.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbosee.DBOSInterruptedException;
import io.dbosee.DBOSMaxRecoveryAttemptsExceededException;
import io.dbosee.DBOSRecordedErrorException;
import io.dbosee.StepOptions;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server dies mid-workflow: its engine is abandoned (never closed, its thread left blocked, as if
 * the process were gone) and a new engine on the same database takes over.
 */
class RecoveryTest {
  private final EngineHarness harness = new EngineHarness();
  private final ExecutorService callers = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    callers.shutdownNow();
    harness.close();
  }

  @Test
  void aNewEngineResumesAnAbandonedWorkflowFromItsLastCompletedStep() throws Exception {
    AtomicInteger one = new AtomicInteger();
    AtomicInteger two = new AtomicInteger();
    AtomicInteger three = new AtomicInteger();
    CountDownLatch neverReleased = new CountDownLatch(1);
    EngineHarness.Body body =
        (engine, args) -> {
          String a =
              (String)
                  step(
                      engine,
                      "one",
                      StepOptions.DEFAULT,
                      String.class,
                      () -> "one#" + one.incrementAndGet());
          String b =
              (String)
                  step(
                      engine,
                      "two",
                      StepOptions.DEFAULT,
                      String.class,
                      () -> {
                        if (two.incrementAndGet() == 1) {
                          neverReleased.await(); // the first server dies here
                        }
                        return "two#" + two.get();
                      });
          String c =
              (String)
                  step(
                      engine,
                      "three",
                      StepOptions.DEFAULT,
                      String.class,
                      () -> "three#" + three.incrementAndGet());
          return a + "," + b + "," + c + "," + args[0];
        };
    WorkflowSpec onFirst =
        new WorkflowSpec("order", String.class, new Class<?>[] {String.class}, body);
    harness.engine("server-1", onFirst);
    callers.submit(() -> onFirst.callWithId("order-7", "book"));
    await().atMost(Duration.ofSeconds(10)).until(() -> two.get() == 1);
    assertThat(harness.query("SELECT count(*) FROM dbos.operation_outputs")).isEqualTo("1");

    WorkflowSpec onSecond = onFirst.copy();
    DBOSEngine second = harness.engine("server-1", onSecond);
    assertThat(second.recoverPendingWorkflows()).containsExactly("order-7");

    await().atMost(Duration.ofSeconds(10)).until(() -> "SUCCESS".equals(harness.status("order-7")));
    assertThat(harness.output("order-7")).isEqualTo("\"one#1,two#2,three#1,book\"");
    assertThat(one).as("completed step one is not run again").hasValue(1);
    assertThat(two).as("step two never completed, so it runs again").hasValue(2);
    assertThat(three).hasValue(1);
    assertThat(harness.query("SELECT recovery_attempts FROM dbos.workflow_status")).isEqualTo("2");
  }

  /**
   * Rows a writer at migration 41 left (this library before, or DBOS Java 1.1.0-m6): the inputs,
   * output and error in the workflow's own row, not in the payload tables.
   */
  @Test
  void workflowsRecordedInTheShapeOf41RecoverAndTheirOutcomesAreRead() throws Exception {
    AtomicInteger one = new AtomicInteger();
    WorkflowSpec order =
        new WorkflowSpec(
            "order",
            String.class,
            new Class<?>[] {String.class},
            (engine, args) ->
                step(engine, "one", () -> "one#" + one.incrementAndGet()) + "," + args[0]);
    DBOSEngine engine = harness.engine("local", order);
    harness.query(
        "INSERT INTO dbos.workflow_status (workflow_uuid, status, name, class_name,"
            + " executor_id, application_version, inputs, output, error, serialization)"
            + " VALUES ('old-pending', 'PENDING', 'order', 'test.Workflows', 'local', 'v1',"
            + " '{\"positionalArgs\":[\"book\"],\"namedArgs\":{}}', NULL, NULL, 'portable_json'),"
            + " ('old-done', 'SUCCESS', 'order', 'test.Workflows', 'local', 'v1',"
            + " '{\"positionalArgs\":[\"pen\"],\"namedArgs\":{}}', '\"one#9,pen\"', NULL,"
            + " 'portable_json'),"
            + " ('old-failed', 'ERROR', 'order', 'test.Workflows', 'local', 'v1',"
            + " '{\"positionalArgs\":[\"ink\"],\"namedArgs\":{}}', NULL,"
            + " '{\"name\":\"IllegalStateException\",\"message\":\"out of ink\"}',"
            + " 'portable_json') RETURNING 1");
    harness.query(
        "INSERT INTO dbos.operation_outputs (workflow_uuid, function_id, function_name, output,"
            + " serialization) VALUES ('old-pending', 0, 'one', '\"one#7\"', 'portable_json')"
            + " RETURNING 1");

    assertThat(engine.recoverPendingWorkflows()).containsExactly("old-pending");

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> "SUCCESS".equals(harness.status("old-pending")));
    assertThat(harness.output("old-pending")).isEqualTo("\"one#7,book\"");
    assertThat(one).as("the recorded step is replayed, not run").hasValue(0);
    assertThat(engine.retrieveWorkflow("old-done").getResult()).isEqualTo("one#9,pen");
    assertThatThrownBy(() -> engine.retrieveWorkflow("old-failed").getResult())
        .as("a portable error is rebuilt as a recorded error naming the original")
        .isInstanceOf(DBOSRecordedErrorException.class)
        .hasMessage("IllegalStateException: out of ink");
  }

  @Test
  void recoveryTakesOnlyThisExecutorsWorkflows() throws Exception {
    CountDownLatch neverReleased = new CountDownLatch(1);
    AtomicInteger started = new AtomicInteger();
    EngineHarness.Body blocks =
        (engine, args) -> {
          started.incrementAndGet();
          neverReleased.await();
          return "x";
        };
    WorkflowSpec onA = new WorkflowSpec("blocks", String.class, new Class<?>[0], blocks);
    harness.engine("server-a", onA);
    callers.submit(() -> onA.callWithId("a-1"));
    await().atMost(Duration.ofSeconds(10)).until(() -> started.get() == 1);

    DBOSEngine onB = harness.engine("server-b", onA.copy());

    assertThat(onB.recoverPendingWorkflows()).isEmpty();
  }

  @Test
  void aReplayThatCallsADifferentStepEndsInErrorNamingBothSteps() throws Exception {
    CountDownLatch neverReleased = new CountDownLatch(1);
    AtomicInteger reached = new AtomicInteger();
    WorkflowSpec original =
        new WorkflowSpec(
            "changing",
            String.class,
            new Class<?>[0],
            (engine, args) -> {
              step(engine, "reserve", () -> "r");
              reached.incrementAndGet();
              neverReleased.await();
              return "x";
            });
    harness.engine("local", original);
    callers.submit(() -> original.callWithId("nd-1"));
    await().atMost(Duration.ofSeconds(10)).until(() -> reached.get() == 1);

    WorkflowSpec changed =
        new WorkflowSpec(
            "changing",
            String.class,
            new Class<?>[0],
            (engine, args) -> {
              try {
                step(engine, "charge", () -> "c");
              } catch (RuntimeException swallowed) {
                // even a body that swallows the error must not finish successfully
              }
              return "y";
            });
    DBOSEngine second = harness.engine("local", changed);
    second.recoverPendingWorkflows();

    await().atMost(Duration.ofSeconds(10)).until(() -> "ERROR".equals(harness.status("nd-1")));
    assertThat(harness.error("nd-1"))
        .contains("DBOSNonDeterministicWorkflowException")
        .contains("'reserve'")
        .contains("'charge'");
  }

  @Test
  void aWorkflowThatNeverFinishesIsParkedAfterItsMaximumRecoveryAttempts() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    // Each run "crashes": it stops as a shutdown would stop it, leaving the workflow PENDING.
    WorkflowSpec crashing =
        new WorkflowSpec(
            "crashing",
            String.class,
            new Class<?>[0],
            2,
            (engine, args) -> {
              runs.incrementAndGet();
              throw new DBOSInterruptedException("crash-1", "simulated crash");
            });
    harness.engine("local", crashing);

    for (int start = 1; start <= 3; start++) {
      assertThatThrownBy(() -> crashing.callWithId("crash-1"))
          .isInstanceOf(DBOSInterruptedException.class);
      assertThat(harness.status("crash-1")).isEqualTo("PENDING");
    }
    assertThatThrownBy(() -> crashing.callWithId("crash-1"))
        .isInstanceOf(DBOSMaxRecoveryAttemptsExceededException.class)
        .hasMessageContaining("crash-1");

    assertThat(runs).as("the first run and two recovery attempts").hasValue(3);
    assertThat(harness.status("crash-1")).isEqualTo("MAX_RECOVERY_ATTEMPTS_EXCEEDED");
    assertThatThrownBy(() -> crashing.callWithId("crash-1"))
        .isInstanceOf(DBOSMaxRecoveryAttemptsExceededException.class);
    assertThat(runs).hasValue(3);
  }

  @Test
  void aDurableSleepInterruptedByARestartSleepsOnlyWhatRemains() throws Exception {
    AtomicLong clock = new AtomicLong(1_000_000);
    List<Duration> sleeps = new CopyOnWriteArrayList<>();
    CountDownLatch firstSleepStarted = new CountDownLatch(1);
    CountDownLatch neverReleased = new CountDownLatch(1);
    TimeSource firstServerTime =
        new TimeSource() {
          @Override
          public long currentTimeMillis() {
            return clock.get();
          }

          @Override
          public void sleep(Duration duration) throws InterruptedException {
            firstSleepStarted.countDown();
            neverReleased.await(); // the server dies while the workflow sleeps
          }
        };
    TimeSource secondServerTime =
        new TimeSource() {
          @Override
          public long currentTimeMillis() {
            return clock.get();
          }

          @Override
          public void sleep(Duration duration) {
            sleeps.add(duration);
            clock.addAndGet(duration.toMillis());
          }
        };
    AtomicInteger after = new AtomicInteger();
    EngineHarness.Body body =
        (engine, args) -> {
          engine.sleep(Duration.ofMinutes(10));
          return "woke " + after.incrementAndGet();
        };
    WorkflowSpec onFirst = new WorkflowSpec("sleepy", String.class, new Class<?>[0], body);
    harness.engine("local", firstServerTime, onFirst);
    callers.submit(() -> onFirst.callWithId("sleep-1"));
    assertThat(firstSleepStarted.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    long wakeAt = 1_000_000 + Duration.ofMinutes(10).toMillis();
    assertThat(
            harness.query(
                "SELECT function_name || '=' || output FROM dbos.operation_outputs WHERE"
                    + " workflow_uuid = 'sleep-1'"))
        .isEqualTo("DBOS.sleep=" + wakeAt);

    clock.addAndGet(Duration.ofMinutes(7).toMillis()); // the restart happens 7 minutes later
    WorkflowSpec onSecond = onFirst.copy();
    DBOSEngine second = harness.engine("local", secondServerTime, onSecond);
    second.recoverPendingWorkflows();

    await().atMost(Duration.ofSeconds(10)).until(() -> "SUCCESS".equals(harness.status("sleep-1")));
    assertThat(sleeps).containsExactly(Duration.ofMinutes(3));
    assertThat(after).hasValue(1);
  }

  @Test
  void stoppingTheEngineLeavesRunningWorkflowsPendingForTheNextStart() throws Exception {
    AtomicInteger stepRuns = new AtomicInteger();
    EngineHarness.Body body =
        (engine, args) -> {
          step(engine, "before", stepRuns::incrementAndGet);
          engine.sleep(Duration.ofHours(1));
          return "finished";
        };
    WorkflowSpec onFirst = new WorkflowSpec("stoppable", String.class, new Class<?>[0], body);
    DBOSEngine first = harness.engine("local", onFirst);
    var call = callers.submit(() -> onFirst.callWithId("stop-1"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> "2".equals(harness.query("SELECT count(*) FROM dbos.operation_outputs")));

    first.close();

    assertThatThrownBy(() -> call.get(10, java.util.concurrent.TimeUnit.SECONDS))
        .hasCauseInstanceOf(DBOSInterruptedException.class);
    assertThat(harness.status("stop-1")).isEqualTo("PENDING");
    assertThat(harness.error("stop-1")).isNull();
  }
}
