package io.dbosee.internal.engine;

import static io.dbosee.internal.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbosee.DBOSAwaitTimeoutException;
import io.dbosee.DBOSConflictingWorkflowException;
import io.dbosee.DBOSNonExistentWorkflowException;
import io.dbosee.WorkflowHandle;
import io.dbosee.WorkflowState;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.io.FileNotFoundException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BackgroundStartTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final EngineHarness harness = new EngineHarness();
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger bodies = new AtomicInteger();

  @AfterEach
  void stop() {
    harness.close();
  }

  private final WorkflowSpec held =
      new WorkflowSpec(
          "held",
          String.class,
          new Class<?>[] {String.class},
          (engine, args) -> {
            bodies.incrementAndGet();
            if (!release.await(60, TimeUnit.SECONDS)) {
              throw new IllegalStateException("never released");
            }
            if ("fail".equals(args[0])) {
              throw new FileNotFoundException("no " + args[0]);
            }
            return "held " + args[0];
          });

  @Test
  void startReturnsAHandleOfARecordedWorkflowBeforeItFinishes() throws Exception {
    harness.engine("local", held);

    WorkflowHandle<Object, Exception> handle = held.start(StartSpec.background(), "x");

    assertThat(handle.getStatus().state()).isEqualTo(WorkflowState.PENDING);
    assertThat(harness.inputs(handle.workflowId())).contains("\"x\"");
    assertThatThrownBy(() -> handle.getResult(Duration.ofMillis(200)))
        .isInstanceOf(DBOSAwaitTimeoutException.class)
        .hasMessageContaining(handle.workflowId());
    release.countDown();
    assertThat(handle.getResult(WAIT)).isEqualTo("held x");
    assertThat(handle.getStatus().state()).isEqualTo(WorkflowState.SUCCESS);
    assertThat(bodies).hasValue(1);
    assertThat(harness.query("SELECT recovery_attempts FROM dbos.workflow_status")).isEqualTo("1");
  }

  @Test
  void aHandleRethrowsTheWorkflowsExceptionAsItsOwnType() {
    harness.engine("local", held);
    release.countDown();

    WorkflowHandle<Object, Exception> handle = held.start(StartSpec.background(), "fail");

    assertThatThrownBy(() -> handle.getResult(WAIT))
        .isInstanceOf(FileNotFoundException.class)
        .hasMessage("no fail");
  }

  @Test
  void anyServerRetrievesAHandleById() throws Exception {
    WorkflowSpec onB = held.copy();
    harness.engine("a", held);
    DBOSEngine b = harness.engine("b", onB);
    WorkflowHandle<Object, Exception> started = held.start(StartSpec.background(), "y");

    WorkflowHandle<Object, Exception> retrieved = b.retrieveWorkflow(started.workflowId());
    release.countDown();

    assertThat(retrieved.getResult(WAIT)).isEqualTo("held y");
    assertThat(retrieved.getStatus().executorId()).isEqualTo("a");
    assertThatThrownBy(() -> b.retrieveWorkflow("nope"))
        .isInstanceOf(DBOSNonExistentWorkflowException.class)
        .hasMessageContaining("'nope'");
  }

  @Test
  void startingAnExistingIdReturnsThatWorkflowAndRunsNothingMore() throws Exception {
    DBOSEngine engine = harness.engine("local", held);
    release.countDown();
    WorkflowHandle<Object, Exception> first;
    try (AutoCloseable id = engine.assignWorkflowId("same")) {
      first = held.start(StartSpec.background(), "z");
    }
    assertThat(first.getResult(WAIT)).isEqualTo("held z");

    WorkflowHandle<Object, Exception> again;
    try (AutoCloseable id = engine.assignWorkflowId("same")) {
      again = held.start(StartSpec.background(), "other");
    }

    assertThat(again.getResult(WAIT)).isEqualTo("held z");
    assertThat(bodies).hasValue(1);
  }

  @Test
  void aSecondStartThatReadTheRowBeforeTheFirstFinishedRunsNothingMore() throws Exception {
    AtomicReference<Thread> heldBack = new AtomicReference<>();
    CountDownLatch rowRead = new CountDownLatch(1);
    CountDownLatch goOn = new CountDownLatch(1);
    DBOSEngine engine =
        harness.engine(
            "local", dataSource -> afterStartRead(dataSource, heldBack::get, rowRead, goOn), held);
    WorkflowHandle<Object, Exception> first;
    try (AutoCloseable id = engine.assignWorkflowId("twice")) {
      first = held.start(StartSpec.background(), "a");
    }
    await().atMost(WAIT).until(() -> bodies.get() == 1);
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      Future<WorkflowHandle<Object, Exception>> second =
          caller.submit(
              () -> {
                heldBack.set(Thread.currentThread());
                try (AutoCloseable id = engine.assignWorkflowId("twice")) {
                  return held.start(StartSpec.background(), "b");
                }
              });
      assertThat(rowRead.await(30, TimeUnit.SECONDS)).as("the second start read the row").isTrue();
      // The first execution finishes between the second start's read and its launch.
      release.countDown();
      assertThat(first.getResult(WAIT)).isEqualTo("held a");
      await().atMost(WAIT).until(() -> engine.activeWorkflows() == 0);
      goOn.countDown();

      assertThat(second.get(30, TimeUnit.SECONDS).getResult(WAIT)).isEqualTo("held a");
      assertThat(bodies).as("the body ran once").hasValue(1);
    } finally {
      caller.shutdownNow();
    }
  }

  /**
   * {@code dataSource}, except that the thread {@code heldBack} names stops after its start has
   * read the workflow's row (the upsert of {@code workflow_status}) until {@code goOn} opens.
   */
  private static DataSource afterStartRead(
      DataSource dataSource,
      Supplier<Thread> heldBack,
      CountDownLatch rowRead,
      CountDownLatch goOn) {
    return proxy(
        DataSource.class,
        dataSource,
        (method, args, result) ->
            result instanceof Connection connection
                ? proxy(
                    Connection.class,
                    connection,
                    (m, a, statement) ->
                        m.getName().equals("prepareStatement")
                                && ((String) a[0])
                                    .contains("INSERT INTO \"dbos\".workflow_status AS ws")
                            ? proxy(
                                PreparedStatement.class,
                                (PreparedStatement) statement,
                                (q, qa, rows) -> {
                                  if (q.getName().equals("executeQuery")
                                      && Thread.currentThread() == heldBack.get()) {
                                    rowRead.countDown();
                                    goOn.await(30, TimeUnit.SECONDS);
                                  }
                                  return rows;
                                })
                            : statement)
                : result);
  }

  /** What a proxy does with the result of each call it passed on. */
  private interface AfterCall {
    Object after(Method method, Object[] args, Object result) throws Exception;
  }

  private static <T> T proxy(Class<T> type, T target, AfterCall after) {
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (self, method, args) -> {
              Object result;
              try {
                result = method.invoke(target, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
              return after.after(method, args, result);
            }));
  }

  @Test
  void aLambdaThatCallsNoWorkflowStartsNothing() {
    DBOSEngine engine = harness.engine("local", held);

    assertThatThrownBy(() -> engine.start(StartSpec.background(), () -> "not a workflow"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("called no @Workflow or @Step method");
    assertThatThrownBy(
            () ->
                engine.start(
                    StartSpec.background(),
                    () -> {
                      held.call("one");
                      return held.call("two");
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("more than one");
    assertThat(harness.query("SELECT count(*) FROM dbos.workflow_status")).isEqualTo("1");
  }

  @Test
  void aStepThatCannotRunOnItsOwnIsRefusedBeforeItRuns() {
    DBOSEngine engine = harness.engine("local", held);
    AtomicInteger ran = new AtomicInteger();

    assertThatThrownBy(
            () ->
                engine.start(
                    StartSpec.background(), () -> step(engine, "inline", ran::incrementAndGet)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot be started or enqueued on its own");
    assertThat(ran).hasValue(0);
    assertThat(harness.query("SELECT count(*) FROM dbos.workflow_status")).isEqualTo("0");
  }

  @Test
  void aStartInsideAWorkflowIsDurableAndReplaysToTheSameChild() throws Exception {
    AtomicReference<String> childId = new AtomicReference<>();
    AtomicInteger parentRuns = new AtomicInteger();
    WorkflowSpec child =
        new WorkflowSpec(
            "child",
            String.class,
            new Class<?>[] {String.class},
            (engine, args) -> {
              bodies.incrementAndGet();
              return "child " + args[0];
            });
    WorkflowSpec parent =
        new WorkflowSpec(
            "parent",
            String.class,
            new Class<?>[] {},
            (engine, args) -> {
              parentRuns.incrementAndGet();
              WorkflowHandle<Object, Exception> h =
                  engine.start(StartSpec.background(), () -> child.call("c"));
              childId.set(h.workflowId());
              String result = (String) h.getResult();
              // A step after the start, so the replay below goes past it.
              step(engine, "after", () -> "after");
              if (parentRuns.get() == 1) {
                throw new IllegalStateException("fails once, after starting its child");
              }
              return result;
            });
    DBOSEngine engine = harness.engine("local", child, parent);

    assertThatThrownBy(() -> parent.callWithId("p")).isInstanceOf(IllegalStateException.class);
    String first = childId.get();
    assertThat(first).isEqualTo("p-0");
    // Make it run again from its first checkpoint (as a resume from step 0 would): the replay
    // meets the recorded start.
    harness.unfinish("p");
    harness.query(
        "DELETE FROM dbos.operation_outputs WHERE workflow_uuid = 'p' AND function_id > 0"
            + " RETURNING workflow_uuid");
    List<String> recovered = engine.recoverPendingWorkflows();

    assertThat(recovered).containsExactly("p");
    await().atMost(WAIT).until(() -> "SUCCESS".equals(harness.status("p")));
    assertThat(childId.get()).isEqualTo(first);
    assertThat(bodies).as("the child ran once").hasValue(1);
    assertThat(harness.output("p")).isEqualTo("\"child c\"");
  }

  @Test
  void anIdOfAnotherWorkflowIsRefused() throws Exception {
    WorkflowSpec other =
        new WorkflowSpec("other", String.class, new Class<?>[] {String.class}, (e, a) -> "o");
    DBOSEngine engine = harness.engine("local", held, other);
    release.countDown();
    try (AutoCloseable id = engine.assignWorkflowId("taken")) {
      held.start(StartSpec.background(), "t").getResult(WAIT);
    }

    try (AutoCloseable id = engine.assignWorkflowId("taken")) {
      assertThatThrownBy(() -> other.start(StartSpec.background(), "t"))
          .isInstanceOf(DBOSConflictingWorkflowException.class)
          .hasMessageContaining("'taken'");
    }
  }
}
