package io.dbosee.internal.engine;

import static io.dbosee.internal.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbosee.DBOSConflictingWorkflowException;
import io.dbosee.DBOSNonExistentWorkflowException;
import io.dbosee.ForkOptions;
import io.dbosee.ListWorkflowsInput;
import io.dbosee.StepInfo;
import io.dbosee.StepOptions;
import io.dbosee.WorkflowHandle;
import io.dbosee.WorkflowState;
import io.dbosee.WorkflowStatus;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkflowManagementTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final EngineHarness harness = new EngineHarness();
  private final ExecutorService callers = Executors.newCachedThreadPool();
  private final AtomicInteger one = new AtomicInteger();
  private final AtomicInteger two = new AtomicInteger();
  private final AtomicInteger three = new AtomicInteger();

  @AfterEach
  void stop() {
    callers.shutdownNow();
    harness.close();
  }

  /** Three counted steps; step two fails while {@link #failTwo} is set. */
  private volatile boolean failTwo;

  private final WorkflowSpec threeSteps =
      new WorkflowSpec(
          "threeSteps",
          String.class,
          new Class<?>[] {String.class},
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
                          two.incrementAndGet();
                          if (failTwo) {
                            throw new IllegalStateException("two failed");
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
          });

  private final WorkflowSpec child =
      new WorkflowSpec("child", String.class, new Class<?>[] {String.class}, (e, a) -> "c" + a[0]);

  private final WorkflowSpec parent =
      new WorkflowSpec(
          "parent",
          String.class,
          new Class<?>[] {String.class},
          (engine, args) -> {
            step(engine, "before", () -> 1);
            return child.call(args[0]);
          });

  @Test
  void listWorkflowsFiltersByIdStatusNameTimeAndPages() throws Exception {
    DBOSEngine engine = harness.engine("server-1", threeSteps, child);
    threeSteps.callWithId("list-1", "a");
    Instant afterFirst = Instant.now();
    await().atMost(WAIT).until(() -> Instant.now().isAfter(afterFirst.plusMillis(5)));
    threeSteps.callWithId("list-2", "b");
    failTwo = true;
    assertThatThrownBy(() -> threeSteps.callWithId("list-3", "c"))
        .isInstanceOf(IllegalStateException.class);
    child.callWithId("list-4", "d");
    WorkflowManagement management = engine.management();

    assertThat(ids(management.listWorkflows(ListWorkflowsInput.ALL)))
        .containsExactly("list-1", "list-2", "list-3", "list-4");
    assertThat(
            ids(management.listWorkflows(ListWorkflowsInput.ALL.withStatuses(WorkflowState.ERROR))))
        .containsExactly("list-3");
    assertThat(ids(management.listWorkflows(ListWorkflowsInput.ALL.withName("child"))))
        .containsExactly("list-4");
    assertThat(ids(management.listWorkflows(ListWorkflowsInput.ALL.withWorkflowIds("list-2"))))
        .containsExactly("list-2");
    assertThat(ids(management.listWorkflows(ListWorkflowsInput.ALL.withWorkflowIdPrefix("list-"))))
        .hasSize(4);
    assertThat(
            ids(
                management.listWorkflows(
                    ListWorkflowsInput.ALL.withStartTime(afterFirst.plusMillis(1)))))
        .containsExactly("list-2", "list-3", "list-4");
    assertThat(ids(management.listWorkflows(ListWorkflowsInput.ALL.withEndTime(afterFirst))))
        .containsExactly("list-1");
    assertThat(
            ids(
                management.listWorkflows(
                    ListWorkflowsInput.ALL.withSortDescending(true).withLimit(2).withOffset(1))))
        .containsExactly("list-3", "list-2");
    assertThat(
            ids(
                management.listWorkflows(
                    ListWorkflowsInput.ALL
                        .withExecutorId("server-1")
                        .withApplicationVersion("v1"))))
        .hasSize(4);
    assertThat(management.listWorkflows(ListWorkflowsInput.ALL.withExecutorId("other"))).isEmpty();

    WorkflowStatus first = management.listWorkflows(ListWorkflowsInput.ALL).get(0);
    assertThat(first.input()).isEqualTo("{\"positionalArgs\":[\"a\"],\"namedArgs\":{}}");
    assertThat(first.output()).isEqualTo("\"one#1,two#1,three#1,a\"");
    assertThat(first.state()).isEqualTo(WorkflowState.SUCCESS);
    assertThat(first.completedAt()).isNotNull();
    WorkflowStatus failed = management.workflowStatus("list-3").orElseThrow();
    assertThat(failed.error()).contains("two failed");
    WorkflowStatus light =
        management
            .listWorkflows(
                ListWorkflowsInput.ALL
                    .withWorkflowIds("list-1")
                    .withLoadInput(false)
                    .withLoadOutput(false))
            .get(0);
    assertThat(light.input()).isNull();
    assertThat(light.output()).isNull();
  }

  @Test
  void listWorkflowsFindsChildrenOfAParent() throws Exception {
    DBOSEngine engine = harness.engine("server-1", parent, child);
    parent.callWithId("p-1", "x");

    List<WorkflowStatus> children =
        engine.management().listWorkflows(ListWorkflowsInput.ALL.withParentWorkflowId("p-1"));

    assertThat(children).hasSize(1);
    assertThat(children.get(0).name()).isEqualTo("child");
    assertThat(children.get(0).parentWorkflowId()).isEqualTo("p-1");
  }

  @Test
  void listWorkflowStepsShowsOutputsErrorsChildrenAndTimings() throws Exception {
    DBOSEngine engine = harness.engine("server-1", threeSteps, parent, child);
    failTwo = true;
    assertThatThrownBy(() -> threeSteps.callWithId("steps-1", "a"))
        .isInstanceOf(IllegalStateException.class);
    parent.callWithId("steps-2", "y");

    List<StepInfo> steps = engine.management().listWorkflowSteps("steps-1");
    assertThat(steps).extracting(StepInfo::functionName).containsExactly("one", "two");
    assertThat(steps.get(0).functionId()).isZero();
    assertThat(steps.get(0).output()).isEqualTo("\"one#1\"");
    assertThat(steps.get(1).error()).contains("two failed");
    assertThat(steps.get(0).startedAt()).isNotNull();
    assertThat(steps.get(0).completedAt()).isAfterOrEqualTo(steps.get(0).startedAt());

    List<StepInfo> parentSteps = engine.management().listWorkflowSteps("steps-2");
    assertThat(parentSteps).hasSize(2);
    assertThat(parentSteps.get(1).childWorkflowId()).isNotNull();
    assertThat(harness.status(parentSteps.get(1).childWorkflowId())).isEqualTo("SUCCESS");

    assertThatThrownBy(() -> engine.management().listWorkflowSteps("nope"))
        .isInstanceOf(DBOSNonExistentWorkflowException.class);
  }

  @Test
  void aForkReplaysTheStepsBeforeItsStartAndRunsTheRest() throws Exception {
    DBOSEngine engine = harness.engine("server-1", threeSteps);
    threeSteps.callWithId("orig", "a");
    assertThat(List.of(one.get(), two.get(), three.get())).containsExactly(1, 1, 1);

    WorkflowHandle<Object, Exception> forked =
        engine
            .management()
            .forkWorkflow("orig", 2, ForkOptions.DEFAULT.withNewWorkflowId("fork-1"));

    assertThat(forked.workflowId()).isEqualTo("fork-1");
    assertThat(forked.getResult(WAIT)).isEqualTo("one#1,two#1,three#2,a");
    assertThat(List.of(one.get(), two.get(), three.get()))
        .as("steps 0 and 1 replayed, step 2 ran again")
        .containsExactly(1, 1, 2);
    WorkflowStatus status = engine.management().workflowStatus("fork-1").orElseThrow();
    assertThat(status.forkedFrom()).isEqualTo("orig");
    assertThat(status.applicationVersion()).isEqualTo("v1");
    assertThat(
            harness.query(
                "SELECT was_forked_from FROM dbos.workflow_status WHERE workflow_uuid = 'orig'"))
        .isEqualTo("t");

    WorkflowHandle<Object, Exception> fromStart =
        engine.management().forkWorkflow("orig", 0, ForkOptions.DEFAULT);
    assertThat(fromStart.getResult(WAIT)).isEqualTo("one#2,two#2,three#3,a");
    assertThat(fromStart.workflowId()).isNotEqualTo("orig");
  }

  @Test
  void aForkOfAFailedWorkflowRunsTheFailedStepAgain() throws Exception {
    DBOSEngine engine = harness.engine("server-1", threeSteps);
    failTwo = true;
    assertThatThrownBy(() -> threeSteps.callWithId("failed", "a"))
        .isInstanceOf(IllegalStateException.class);
    failTwo = false;

    WorkflowHandle<Object, Exception> forked =
        engine.management().forkWorkflow("failed", 1, ForkOptions.DEFAULT);

    assertThat(forked.getResult(WAIT)).isEqualTo("one#1,two#2,three#1,a");
    assertThat(harness.status("failed")).isEqualTo("ERROR");
  }

  @Test
  void aForkForAnotherVersionWaitsForAServerOfThatVersion() throws Exception {
    DBOSEngine engine = harness.engine("server-1", threeSteps);
    threeSteps.callWithId("orig", "a");

    WorkflowHandle<Object, Exception> forked =
        engine
            .management()
            .forkWorkflow(
                "orig",
                1,
                ForkOptions.DEFAULT.withNewWorkflowId("v2-fork").withApplicationVersion("v2"));

    WorkflowStatus status = forked.getStatus();
    assertThat(status.state()).isEqualTo(WorkflowState.PENDING);
    assertThat(status.applicationVersion()).isEqualTo("v2");
    assertThat(engine.recoverPendingWorkflows()).doesNotContain("v2-fork");
    assertThat(two).hasValue(1);
  }

  @Test
  void aForkIsRefusedForAnUnknownWorkflowATakenIdOrANegativeStep() throws Exception {
    DBOSEngine engine = harness.engine("server-1", threeSteps);
    threeSteps.callWithId("orig", "a");
    threeSteps.callWithId("taken", "b");
    WorkflowManagement management = engine.management();

    assertThatThrownBy(() -> management.forkWorkflow("nope", 1, ForkOptions.DEFAULT))
        .isInstanceOf(DBOSNonExistentWorkflowException.class);
    assertThatThrownBy(
            () ->
                management.forkWorkflow("orig", 1, ForkOptions.DEFAULT.withNewWorkflowId("taken")))
        .isInstanceOf(DBOSConflictingWorkflowException.class)
        .hasMessageContaining("taken");
    assertThatThrownBy(() -> management.forkWorkflow("orig", -1, ForkOptions.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("startStep");
    assertThat(harness.query("SELECT count(*) FROM dbos.workflow_status")).isEqualTo("2");
  }

  @Test
  void deleteRemovesAWorkflowWithItsStepsAndOptionallyItsChildren() throws Exception {
    DBOSEngine engine = harness.engine("server-1", parent, child);
    parent.callWithId("del-1", "x");
    parent.callWithId("del-2", "y");
    String child1 = engine.management().listWorkflowSteps("del-1").get(1).childWorkflowId();
    String child2 = engine.management().listWorkflowSteps("del-2").get(1).childWorkflowId();

    assertThat(engine.management().deleteWorkflow("del-1", false)).containsExactly("del-1");
    assertThat(harness.status(child1)).isEqualTo("SUCCESS");
    assertThat(
            harness.query(
                "SELECT count(*) FROM dbos.operation_outputs WHERE workflow_uuid = 'del-1'"))
        .isEqualTo("0");

    assertThat(engine.management().deleteWorkflow("del-2", true))
        .containsExactlyInAnyOrder("del-2", child2);
    assertThat(harness.status(child2)).isNull();
    assertThat(engine.management().deleteWorkflow("nope", true)).isEmpty();
  }

  @Test
  void garbageCollectionDeletesOldFinishedWorkflowsOnly() throws Exception {
    DBOSEngine engine = harness.engine("server-1", threeSteps);
    CountDownLatch release = new CountDownLatch(1);
    WorkflowSpec blocks =
        new WorkflowSpec(
            "blocks",
            String.class,
            new Class<?>[0],
            (e, a) -> {
              release.await(60, TimeUnit.SECONDS);
              return "x";
            });
    blocks.bind(engine);
    blocks.start(StartSpec.background());
    for (int i = 0; i < 4; i++) {
      threeSteps.callWithId("gc-" + i, "a");
    }

    assertThat(engine.management().garbageCollect(null, 2)).isEqualTo(2);
    assertThat(ids(engine.management().listWorkflows(ListWorkflowsInput.ALL)))
        .as("the pending one and the newest two stay")
        .hasSize(3)
        .contains("gc-2", "gc-3");

    assertThat(engine.management().garbageCollect(Instant.now().plusSeconds(1), null)).isEqualTo(2);
    assertThat(engine.management().listWorkflows(ListWorkflowsInput.ALL))
        .extracting(WorkflowStatus::name)
        .containsExactly("blocks");
    assertThatThrownBy(() -> engine.management().garbageCollect(null, null))
        .isInstanceOf(IllegalArgumentException.class);
    release.countDown();
  }

  @Test
  void cancellingWorkflowsCreatedBeforeATimeStopsOnlyUnfinishedOldOnes() throws Exception {
    DBOSEngine engine =
        harness.engine("server-1", List.of(QueueDefinition.unlimited("q").withConcurrency(1)));
    CountDownLatch release = new CountDownLatch(1);
    WorkflowSpec blocks =
        new WorkflowSpec(
            "blocks",
            String.class,
            new Class<?>[0],
            (e, a) -> {
              step(e, "wait", () -> release.await(60, TimeUnit.SECONDS));
              step(e, "after", () -> 1);
              return "x";
            });
    blocks.bind(engine);
    threeSteps.bind(engine);
    threeSteps.callWithId("done", "a");
    WorkflowHandle<Object, Exception> running =
        blocks.start(StartSpec.onQueue("q").withWorkflowId("running"));
    // Lists are in creation order, to the millisecond: two enqueues within one would tie.
    long runningCreated = System.currentTimeMillis();
    await().atMost(WAIT).until(() -> System.currentTimeMillis() > runningCreated);
    WorkflowHandle<Object, Exception> queued =
        blocks.start(StartSpec.onQueue("q").withWorkflowId("queued"));
    await().atMost(WAIT).until(() -> "PENDING".equals(harness.status("running")));
    assertThat(
            ids(engine.management().listQueuedWorkflows(ListWorkflowsInput.ALL.withQueueName("q"))))
        .containsExactly("running", "queued");

    List<String> cancelled =
        engine.management().cancelWorkflowsCreatedBefore(Instant.now().plusSeconds(1));
    release.countDown();

    assertThat(cancelled).containsExactlyInAnyOrder("running", "queued");
    assertThat(harness.status("done")).isEqualTo("SUCCESS");
    await().atMost(WAIT).until(() -> "CANCELLED".equals(harness.status("queued")));
    assertThat(harness.status("running")).isEqualTo("CANCELLED");
    assertThat(engine.management().listQueuedWorkflows(ListWorkflowsInput.ALL)).isEmpty();
    assertThat(queued.getStatus().state()).isEqualTo(WorkflowState.CANCELLED);
    assertThat(running.workflowId()).isEqualTo("running");
  }

  @Test
  void aServerRecoversTheWorkflowsOfAnotherExecutorOnRequest() throws Exception {
    CountDownLatch neverReleased = new CountDownLatch(1);
    AtomicInteger attempts = new AtomicInteger();
    EngineHarness.Body body =
        (engine, args) -> {
          step(
              engine,
              "blocks once",
              () -> {
                if (attempts.incrementAndGet() == 1) {
                  neverReleased.await();
                }
                return 1;
              });
          return "done";
        };
    WorkflowSpec onA = new WorkflowSpec("takeover", String.class, new Class<?>[0], body);
    DBOSEngine a = harness.engine("server-a", onA);
    callers.submit(() -> onA.callWithId("orphan"));
    await().atMost(WAIT).until(() -> attempts.get() == 1);
    harness.crash(a);

    WorkflowSpec onB = onA.copy();
    DBOSEngine b = harness.engine("server-b", onB);
    assertThat(b.recoverPendingWorkflows()).isEmpty();

    assertThat(b.management().recoverPendingWorkflows(List.of("server-a")))
        .containsExactly("orphan");

    await().atMost(WAIT).until(() -> "SUCCESS".equals(harness.status("orphan")));
    assertThat(
            harness.query(
                "SELECT executor_id FROM dbos.workflow_status WHERE workflow_uuid = 'orphan'"))
        .isEqualTo("server-b");
  }

  @Test
  void managementCallsInsideAWorkflowAreStepsThatReplayWhatTheFirstRunSaw() throws Exception {
    AtomicInteger seen = new AtomicInteger();
    WorkflowSpec counts =
        new WorkflowSpec(
            "counts",
            Integer.class,
            new Class<?>[0],
            (engine, args) -> {
              int n = engine.management().listWorkflows(ListWorkflowsInput.ALL).size();
              seen.set(n);
              step(engine, "after", () -> 1);
              return n;
            });
    DBOSEngine engine = harness.engine("server-1", counts, threeSteps);
    threeSteps.callWithId("other", "a");
    assertThat(counts.callWithId("counter")).isEqualTo(2);
    assertThat(engine.management().listWorkflowSteps("counter"))
        .extracting(StepInfo::functionName)
        .containsExactly("DBOS.listWorkflows", "after");
    threeSteps.callWithId("another", "b");

    WorkflowHandle<Object, Exception> replay =
        engine.management().forkWorkflow("counter", 1, ForkOptions.DEFAULT);

    assertThat(replay.getResult(WAIT)).as("the recorded listing, not a new one").isEqualTo(2);
  }

  private static List<String> ids(List<WorkflowStatus> statuses) {
    return statuses.stream().map(WorkflowStatus::workflowId).toList();
  }
}
