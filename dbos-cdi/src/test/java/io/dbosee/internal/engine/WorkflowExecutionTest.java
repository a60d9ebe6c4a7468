package io.dbosee.internal.engine;

import static io.dbosee.internal.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbosee.DBOSConflictingWorkflowException;
import io.dbosee.DBOSNotLaunchedException;
import io.dbosee.DBOSSerializationException;
import io.dbosee.StepOptions;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.io.FileNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkflowExecutionTest {
  private final EngineHarness harness = new EngineHarness();
  private final AtomicInteger stepOne = new AtomicInteger();
  private final AtomicInteger stepTwo = new AtomicInteger();
  private final AtomicInteger bodies = new AtomicInteger();

  @AfterEach
  void stop() {
    harness.close();
  }

  private final WorkflowSpec greet =
      new WorkflowSpec(
          "greet",
          String.class,
          new Class<?>[] {String.class, int.class},
          (engine, args) -> {
            bodies.incrementAndGet();
            String signed =
                (String)
                    step(
                        engine,
                        "sign",
                        StepOptions.DEFAULT,
                        String.class,
                        () -> "signed-" + args[0] + "-" + stepOne.incrementAndGet());
            int count =
                (Integer)
                    step(
                        engine,
                        "count",
                        StepOptions.DEFAULT,
                        Integer.class,
                        () -> stepTwo.incrementAndGet() + (Integer) args[1]);
            return signed + "/" + count;
          });

  @Test
  void recordsInputsStatusResultAndEveryStep() throws Exception {
    harness.engine("local", greet);

    Object result = greet.callWithId("wf-1", "Mike", 10);

    assertThat(result).isEqualTo("signed-Mike-1/11");
    assertThat(harness.status("wf-1")).isEqualTo("SUCCESS");
    assertThat(harness.query("SELECT output FROM dbos.workflow_output WHERE workflow_uuid='wf-1'"))
        .isEqualTo("\"signed-Mike-1/11\"");
    assertThat(harness.query("SELECT inputs FROM dbos.workflow_input WHERE workflow_uuid='wf-1'"))
        .contains("\"positionalArgs\"")
        .contains("\"Mike\"")
        .contains("10");
    assertThat(
            harness.query(
                "SELECT coalesce(inputs, output, error, 'none') FROM dbos.workflow_status"
                    + " WHERE workflow_uuid='wf-1'"))
        .as("the row's own payload columns stay NULL, as the DBOS SDKs write them now")
        .isEqualTo("none");
    assertThat(
            harness.query(
                "SELECT name || ' ' || class_name || ' ' || executor_id || ' ' ||"
                    + " application_version || ' ' || serialization FROM dbos.workflow_status"))
        .isEqualTo("greet test.Workflows local v1 portable_json");
    assertThat(
            harness.queryColumn(
                "SELECT function_id || ':' || function_name || ':' || output FROM"
                    + " dbos.operation_outputs WHERE workflow_uuid='wf-1' ORDER BY function_id"))
        .containsExactly("0:sign:\"signed-Mike-1\"", "1:count:11");
  }

  @Test
  void generatesAnIdWhenTheCallerGivesNone() throws Exception {
    harness.engine("local", greet);

    greet.call("Ann", 1);
    greet.call("Bob", 1);

    assertThat(harness.queryColumn("SELECT workflow_uuid FROM dbos.workflow_status"))
        .hasSize(2)
        .allSatisfy(id -> assertThat(id).matches("[0-9a-f-]{36}"));
  }

  @Test
  void callingAgainWithTheIdOfAFinishedWorkflowReturnsTheRecordedResultWithoutRunningIt()
      throws Exception {
    harness.engine("local", greet);

    Object first = greet.callWithId("same", "Mike", 1);
    Object second = greet.callWithId("same", "Someone else", 99);

    assertThat(second).isEqualTo(first);
    assertThat(bodies).hasValue(1);
    assertThat(stepOne).hasValue(1);
  }

  @Test
  void concurrentCallsWithOneIdRunTheBodyOnce() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    WorkflowSpec slow =
        new WorkflowSpec(
            "slow",
            Integer.class,
            new Class<?>[0],
            (engine, args) -> {
              int run = bodies.incrementAndGet();
              entered.countDown();
              release.await();
              return run;
            });
    harness.engine("local", slow);
    ExecutorService callers = Executors.newFixedThreadPool(5);
    try {
      List<Thread> threads = new ArrayList<>();
      List<Future<Object>> results = new ArrayList<>();
      results.add(callers.submit(() -> slow.callWithId("once")));
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < 4; i++) {
        results.add(
            callers.submit(
                () -> {
                  synchronized (threads) {
                    threads.add(Thread.currentThread());
                  }
                  return slow.callWithId("once");
                }));
      }
      // Every other caller is inside the call and blocked before the first one may finish.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                synchronized (threads) {
                  return threads.size() == 4
                      && threads.stream()
                          .allMatch(
                              t ->
                                  t.getState() == Thread.State.WAITING
                                      || t.getState() == Thread.State.TIMED_WAITING);
                }
              });
      release.countDown();
      for (Future<Object> result : results) {
        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo(1);
      }
      assertThat(bodies).hasValue(1);
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void aCallerOnAnotherServerWaitsForTheOwnerInsteadOfRunningTheBody() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    EngineHarness.Body body =
        (engine, args) -> {
          bodies.incrementAndGet();
          entered.countDown();
          release.await();
          return "owner's result";
        };
    WorkflowSpec onA = new WorkflowSpec("shared", String.class, new Class<?>[0], body);
    WorkflowSpec onB = onA.copy();
    harness.engine("server-a", onA);
    harness.engine("server-b", onB);
    ExecutorService callers = Executors.newFixedThreadPool(2);
    try {
      Future<Object> fromA = callers.submit(() -> onA.callWithId("shared-1"));
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      Future<Object> fromB = callers.submit(() -> onB.callWithId("shared-1"));
      release.countDown();

      assertThat(fromA.get(10, TimeUnit.SECONDS)).isEqualTo("owner's result");
      assertThat(fromB.get(10, TimeUnit.SECONDS)).isEqualTo("owner's result");
      assertThat(bodies).hasValue(1);
      assertThat(harness.query("SELECT recovery_attempts FROM dbos.workflow_status"))
          .isEqualTo("1");
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void aRecordedExceptionIsRethrownAsItsOriginalTypeWithoutRunningAgain() throws Exception {
    WorkflowSpec failing =
        new WorkflowSpec(
            "failing",
            String.class,
            new Class<?>[0],
            (engine, args) -> {
              bodies.incrementAndGet();
              step(
                  engine,
                  "open",
                  () -> {
                    throw new FileNotFoundException("no such ledger");
                  });
              return "unreachable";
            });
    harness.engine("local", failing);

    assertThatThrownBy(() -> failing.callWithId("err-1"))
        .isExactlyInstanceOf(FileNotFoundException.class)
        .hasMessage("no such ledger");
    assertThatThrownBy(() -> failing.callWithId("err-1"))
        .isExactlyInstanceOf(FileNotFoundException.class)
        .hasMessage("no such ledger");

    assertThat(bodies).hasValue(1);
    assertThat(harness.status("err-1")).isEqualTo("ERROR");
    assertThat(
            harness.query(
                "SELECT error FROM dbos.operation_outputs WHERE workflow_uuid='err-1' AND"
                    + " function_id=0"))
        .contains("FileNotFoundException")
        .contains("no such ledger");
  }

  @Test
  void anIdTakenByAnotherWorkflowIsAConflict() throws Exception {
    WorkflowSpec other =
        new WorkflowSpec("other", String.class, new Class<?>[0], (engine, args) -> "other");
    harness.engine("local", greet, other);
    greet.callWithId("taken", "Mike", 1);

    assertThatThrownBy(() -> other.callWithId("taken"))
        .isInstanceOf(DBOSConflictingWorkflowException.class)
        .hasMessageContaining("taken")
        .hasMessageContaining("test.Workflows/greet");
  }

  /** Regression: a finished execution stayed joinable for a moment after its caller returned. */
  @Test
  void aCallRightAfterAFinishedOneWithTheSameIdNeverJoinsTheFinishedExecution() throws Exception {
    WorkflowSpec other =
        new WorkflowSpec("other", String.class, new Class<?>[0], (engine, args) -> "other");
    harness.engine("local", greet, other);

    for (int i = 0; i < 30; i++) {
      String id = "back-to-back-" + i;
      greet.callWithId(id, "Mike", 1);
      assertThatThrownBy(() -> other.callWithId(id))
          .isInstanceOf(DBOSConflictingWorkflowException.class);
    }
  }

  @Test
  void anArgumentThatCannotBeSerializedFailsBeforeAnythingIsRecorded() {
    WorkflowSpec takesAnything =
        new WorkflowSpec(
            "takesAnything",
            String.class,
            new Class<?>[] {Unserializable.class},
            (engine, args) -> {
              bodies.incrementAndGet();
              return "ran";
            });
    harness.engine("local", takesAnything);

    assertThatThrownBy(() -> takesAnything.call(new Unserializable()))
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageContaining("Unserializable");
    assertThat(bodies).hasValue(0);
    assertThat(harness.query("SELECT count(*) FROM dbos.workflow_status")).isEqualTo("0");
  }

  /** JSON-B reads its property through the getter, which fails. */
  public static final class Unserializable {
    public String getValue() {
      throw new IllegalStateException("this value cannot be read");
    }
  }

  @Test
  void aStepCalledInsideAStepIsAPlainCallAndDoesNotShiftTheNumbering() throws Exception {
    AtomicInteger inner = new AtomicInteger();
    WorkflowSpec nested =
        new WorkflowSpec(
            "nested",
            String.class,
            new Class<?>[0],
            (engine, args) -> {
              step(engine, "outer", () -> step(engine, "inner", inner::incrementAndGet));
              step(engine, "after", () -> "x");
              return "done";
            });
    harness.engine("local", nested);

    nested.callWithId("n-1");

    assertThat(inner).hasValue(1);
    assertThat(
            harness.queryColumn(
                "SELECT function_id || ':' || function_name FROM dbos.operation_outputs ORDER BY"
                    + " function_id"))
        .containsExactly("0:outer", "1:after");
  }

  @Test
  void aStepCalledOutsideAWorkflowIsAPlainCall() throws Exception {
    DBOSEngine engine = harness.engine("local");

    Object result = step(engine, "alone", () -> "plain");

    assertThat(result).isEqualTo("plain");
    assertThat(harness.query("SELECT count(*) FROM dbos.operation_outputs")).isEqualTo("0");
  }

  @Test
  void aWorkflowCalledFromAWorkflowIsAChildWithADeterministicId() throws Exception {
    AtomicInteger childRuns = new AtomicInteger();
    WorkflowSpec child =
        new WorkflowSpec(
            "child",
            Integer.class,
            new Class<?>[] {Integer.class},
            (engine, args) -> childRuns.incrementAndGet() + (Integer) args[0]);
    WorkflowSpec parent =
        new WorkflowSpec(
            "parent",
            String.class,
            new Class<?>[0],
            (engine, args) -> {
              step(engine, "first", () -> "a");
              Object fromChild = child.call(100);
              return "child said " + fromChild;
            });
    harness.engine("local", parent, child);

    assertThat(parent.callWithId("p-1")).isEqualTo("child said 101");

    assertThat(harness.status("p-1-1")).isEqualTo("SUCCESS");
    assertThat(
            harness.query(
                "SELECT parent_workflow_id FROM dbos.workflow_status WHERE workflow_uuid ="
                    + " 'p-1-1'"))
        .isEqualTo("p-1");
    assertThat(
            harness.query(
                "SELECT function_name || ':' || child_workflow_id FROM dbos.operation_outputs"
                    + " WHERE workflow_uuid = 'p-1' AND function_id = 1"))
        .isEqualTo("child:p-1-1");
    assertThat(childRuns).hasValue(1);
  }

  @Test
  void aWorkflowCalledFromAStepIsAPlainCall() throws Exception {
    WorkflowSpec inner =
        new WorkflowSpec("inner", String.class, new Class<?>[0], (engine, args) -> "inner");
    WorkflowSpec outer =
        new WorkflowSpec(
            "outer",
            String.class,
            new Class<?>[0],
            (engine, args) -> (String) step(engine, "wraps", () -> inner.call()));
    harness.engine("local", outer, inner);

    assertThat(outer.callWithId("o-1")).isEqualTo("inner");
    assertThat(harness.queryColumn("SELECT workflow_uuid FROM dbos.workflow_status"))
        .containsExactly("o-1");
  }

  @Test
  void aStoppedEngineRefusesNewWorkflowsClearly() {
    DBOSEngine engine = harness.engine("local", greet);
    engine.close();

    assertThatThrownBy(() -> greet.call("Mike", 1))
        .isInstanceOf(DBOSNotLaunchedException.class)
        .hasMessageContaining("stopped");
  }
}
