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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  /** Sends itself a message and receives it, sets an event twice, writes and closes a stream. */
  private final WorkflowSpec talker =
      new WorkflowSpec(
          "talker",
          String.class,
          new Class<?>[] {String.class},
          (engine, args) -> {
            String self = engine.currentWorkflowId().orElseThrow();
            step(engine, "work", () -> "worked");
            engine.setEvent("progress", "half");
            engine.setEvent("progress", "done");
            engine.writeStream("log", "line 1");
            engine.closeStream("log");
            engine.send(self, "hello", "inbox", null);
            return engine.recv("inbox", String.class, WAIT).orElseThrow() + " " + args[0];
          });

  @Test
  void rowsWrittenBeforeAndAfterMigration109AreListedShownAndForked() throws Exception {
    DBOSEngine engine = harness.engine("server-1", threeSteps);
    long now = System.currentTimeMillis();
    writeWorkflow("old-ok", "SUCCESS", false, now - 4, "old", "\"old result\"", null);
    writeWorkflow("new-ok", "SUCCESS", true, now - 3, "new", "\"new result\"", null);
    writeWorkflow("old-err", "ERROR", false, now - 2, "old", null, "{\"message\":\"old failed\"}");
    writeWorkflow("new-err", "ERROR", true, now - 1, "new", null, "{\"message\":\"new failed\"}");
    WorkflowManagement management = engine.management();

    List<WorkflowStatus> listed = management.listWorkflows(ListWorkflowsInput.ALL);
    assertThat(listed)
        .extracting(WorkflowStatus::workflowId)
        .containsExactly("old-ok", "new-ok", "old-err", "new-err");
    assertThat(listed)
        .extracting(WorkflowStatus::input)
        .containsExactly(inputs("old"), inputs("new"), inputs("old"), inputs("new"));
    assertThat(listed)
        .extracting(WorkflowStatus::output)
        .containsExactly("\"old result\"", "\"new result\"", null, null);
    assertThat(listed)
        .extracting(WorkflowStatus::error)
        .containsExactly(
            null, null, "{\"message\":\"old failed\"}", "{\"message\":\"new failed\"}");
    assertThat(
            management.listWorkflows(
                ListWorkflowsInput.ALL.withLoadInput(false).withLoadOutput(false)))
        .as("not loaded: no payload from either place")
        .allSatisfy(
            s -> {
              assertThat(s.input()).isNull();
              assertThat(s.output()).isNull();
              assertThat(s.error()).isNull();
            });
    WorkflowStatus newOk = management.workflowStatus("new-ok").orElseThrow();
    assertThat(newOk.input()).isEqualTo(inputs("new"));
    assertThat(newOk.output()).isEqualTo("\"new result\"");
    assertThat(management.workflowStatus("new-err").orElseThrow().error()).contains("new failed");
    assertThat(management.listWorkflowSteps("new-ok"))
        .extracting(StepInfo::output)
        .containsExactly("\"one#new\"", "\"two#new\"", "\"three#new\"");

    // One after the other: each runs step three, which counts.
    assertThat(
            management
                .forkWorkflow("old-ok", 2, ForkOptions.DEFAULT.withNewWorkflowId("fork-old"))
                .getResult(WAIT))
        .isEqualTo("one#old,two#old,three#1,old");
    assertThat(
            management
                .forkWorkflow("new-ok", 2, ForkOptions.DEFAULT.withNewWorkflowId("fork-new"))
                .getResult(WAIT))
        .isEqualTo("one#new,two#new,three#2,new");
    for (String fork : List.of("fork-old", "fork-new")) {
      assertThat(
              harness.query(
                  "SELECT inputs IS NULL FROM dbos.workflow_status WHERE workflow_uuid = ?", fork))
          .as("the fork's inputs are where current writers put them, not in its status row")
          .isEqualTo("t");
      assertThat(
              harness.query(
                  "SELECT wi.retention_timestamp = ws.created_at FROM dbos.workflow_input wi"
                      + " JOIN dbos.workflow_status ws USING (workflow_uuid)"
                      + " WHERE workflow_uuid = ?",
                  fork))
          .isEqualTo("t");
    }
    assertThat(
            harness.query(
                "SELECT inputs FROM dbos.workflow_input WHERE workflow_uuid = ?", "fork-old"))
        .isEqualTo(inputs("old"));
    assertThat(management.workflowStatus("fork-new").orElseThrow().input())
        .isEqualTo(inputs("new"));
  }

  @Test
  void aForkOfAWorkflowWhoseInputsAreGoneIsRefusedWithWhatIsMissing() throws Exception {
    DBOSEngine engine = harness.engine("server-1", threeSteps);
    writeWorkflow("swept", "SUCCESS", true, System.currentTimeMillis(), "x", "\"done\"", null);
    // Another SDK's retention removed the inputs; the status row stayed.
    execute("DELETE FROM dbos.workflow_input WHERE workflow_uuid = 'swept'");
    WorkflowManagement management = engine.management();

    WorkflowStatus listed = management.listWorkflows(ListWorkflowsInput.ALL).get(0);
    assertThat(listed.input()).as("listed with what is left").isNull();
    assertThat(listed.output()).isEqualTo("\"done\"");
    assertThat(management.workflowStatus("swept").orElseThrow().input()).isNull();

    assertThatThrownBy(
            () ->
                management.forkWorkflow(
                    "swept", 1, ForkOptions.DEFAULT.withNewWorkflowId("fork-swept")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("[DBOS-CDI-080]")
        .hasMessageContaining("'swept'")
        .hasMessageContaining("workflow_input");
    assertThat(harness.query("SELECT count(*) FROM dbos.workflow_status")).isEqualTo("1");
    assertThat(harness.query("SELECT count(*) FROM dbos.workflow_input")).isEqualTo("0");
    assertThat(harness.query("SELECT count(*) FROM dbos.operation_outputs")).isEqualTo("3");
  }

  @Test
  void aForkToTheIdOfAWorkflowWhoseRowsWereLeftBehindRunsOnTheOriginalsSteps() throws Exception {
    DBOSEngine engine = harness.engine("server-1", threeSteps);
    threeSteps.callWithId("orig", "a");
    // Rows of a workflow "reused" whose status row was deleted without them.
    writeWorkflow(
        "reused", "SUCCESS", true, System.currentTimeMillis(), "stale", "\"stale\"", null);
    execute("DELETE FROM dbos.workflow_status WHERE workflow_uuid = 'reused'");

    WorkflowHandle<Object, Exception> forked =
        engine
            .management()
            .forkWorkflow("orig", 1, ForkOptions.DEFAULT.withNewWorkflowId("reused"));

    assertThat(forked.getResult(WAIT)).isEqualTo("one#1,two#2,three#2,a");
    WorkflowStatus status = engine.management().workflowStatus("reused").orElseThrow();
    assertThat(status.input()).isEqualTo(inputs("a"));
    assertThat(status.output()).isEqualTo("\"one#1,two#2,three#2,a\"");
  }

  @Test
  void deleteAndGarbageCollectionLeaveNoRowOfTheWorkflowsTheyRemoveInAnyTable() throws Exception {
    DBOSEngine engine = harness.engine("server-1", talker, parent, child);
    talker.callWithId("talk-1", "a");
    talker.callWithId("talk-2", "b");
    parent.callWithId("p-1", "x");
    engine.send("talk-1", "late", "inbox", null); // never received
    long now = System.currentTimeMillis();
    writeWorkflow("old-1", "SUCCESS", false, 1_000, "o", "\"o\"", null);
    writeWorkflow("new-1", "SUCCESS", true, 2_000, "n", "\"n\"", null);
    writeWorkflow("new-2", "ERROR", true, 3_000, "n", null, "{\"message\":\"n\"}");
    writeWorkflow("new-keep", "SUCCESS", true, now + 60_000, "k", "\"k\"", null);
    String child1 = engine.management().listWorkflowSteps("p-1").get(1).childWorkflowId();
    List<String> removed = List.of("talk-1", "p-1", child1, "old-1", "new-1", "new-2");
    assertThat(rowsOf(removed))
        .as("the workflows to remove have rows in every table")
        .allSatisfy((table, count) -> assertThat(count).as(table).isPositive());
    WorkflowManagement management = engine.management();

    assertThat(management.deleteWorkflow("talk-1", false)).containsExactly("talk-1");
    assertThat(management.deleteWorkflow("p-1", true)).containsExactlyInAnyOrder("p-1", child1);
    assertThat(management.garbageCollect(null, 3)).as("old-1 and new-1").isEqualTo(2);
    assertThat(management.garbageCollect(Instant.ofEpochMilli(5_000), null))
        .as("new-2")
        .isEqualTo(1);

    assertThat(ids(management.listWorkflows(ListWorkflowsInput.ALL)))
        .containsExactly("talk-2", "new-keep");
    assertThat(rowsOf(removed))
        .as("rows left of the removed workflows")
        .allSatisfy((table, count) -> assertThat(count).as(table).isZero());
    assertThat(orphans())
        .as("rows whose workflow_status row is gone")
        .allSatisfy((table, count) -> assertThat(count).as(table).isZero());
    assertThat(rowsOf(List.of("new-keep")))
        .as("a workflow that stays keeps its rows")
        .allSatisfy((table, count) -> assertThat(count).as(table).isPositive());
    assertThat(management.workflowStatus("talk-2").orElseThrow().output()).isEqualTo("\"hello b\"");
    assertThat(management.listWorkflowSteps("talk-2")).isNotEmpty();
  }

  /** Every table that holds rows of a workflow, with the column naming it. */
  private static final Map<String, String> WORKFLOW_TABLES =
      Map.of(
          "operation_outputs", "workflow_uuid",
          "workflow_input", "workflow_uuid",
          "workflow_output", "workflow_uuid",
          "notifications", "destination_uuid",
          "workflow_events", "workflow_uuid",
          "workflow_events_history", "workflow_uuid",
          "streams", "workflow_uuid");

  /** Per table, how many rows belong to {@code workflowIds}. */
  private Map<String, Integer> rowsOf(List<String> workflowIds) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    WORKFLOW_TABLES.forEach(
        (table, column) ->
            counts.put(
                table,
                Integer.parseInt(
                    harness.query(
                        "SELECT count(*) FROM dbos."
                            + table
                            + " WHERE "
                            + column
                            + " = ANY (string_to_array(?, ','))",
                        String.join(",", workflowIds)))));
    return counts;
  }

  /** Per table, how many rows name a workflow that has no workflow_status row. */
  private Map<String, Integer> orphans() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    WORKFLOW_TABLES.forEach(
        (table, column) ->
            counts.put(
                table,
                Integer.parseInt(
                    harness.query(
                        "SELECT count(*) FROM dbos."
                            + table
                            + " t WHERE NOT EXISTS (SELECT 1 FROM dbos.workflow_status ws"
                            + " WHERE ws.workflow_uuid = t."
                            + column
                            + ")"))));
    return counts;
  }

  private static String inputs(String argument) {
    return "{\"positionalArgs\":[\"" + argument + "\"],\"namedArgs\":{}}";
  }

  /**
   * A workflow of {@link #threeSteps} as a DBOS writer would leave it, with plain SQL: its payloads
   * in its status row as writers did at migration 41, or ({@code newShape}) in workflow_input and
   * workflow_output as they do since 109; three steps, a message, an event with its history and a
   * stream value.
   */
  private void writeWorkflow(
      String id,
      String status,
      boolean newShape,
      long createdAt,
      String argument,
      String output,
      String error)
      throws SQLException {
    execute(
        "INSERT INTO dbos.workflow_status (workflow_uuid, status, name, class_name, executor_id,"
            + " application_version, inputs, output, error, serialization, created_at,"
            + " updated_at) VALUES (?, ?, 'threeSteps', 'test.Workflows', 'server-1', 'v1', ?, ?,"
            + " ?, 'portable_json', ?, ?)",
        id,
        status,
        newShape ? null : inputs(argument),
        newShape ? null : output,
        newShape ? null : error,
        createdAt,
        createdAt);
    if (newShape) {
      execute(
          "INSERT INTO dbos.workflow_input (workflow_uuid, inputs) VALUES (?, ?)",
          id,
          inputs(argument));
      execute(
          "INSERT INTO dbos.workflow_output (workflow_uuid, output, error) VALUES (?, ?, ?)",
          id,
          output,
          error);
    }
    List<String> names = List.of("one", "two", "three");
    for (int i = 0; i < names.size(); i++) {
      execute(
          "INSERT INTO dbos.operation_outputs (workflow_uuid, function_id, function_name, output,"
              + " serialization) VALUES (?, ?, ?, ?, 'portable_json')",
          id,
          i,
          names.get(i),
          "\"" + names.get(i) + "#" + argument + "\"");
    }
    execute(
        "INSERT INTO dbos.notifications (destination_uuid, topic, message, serialization)"
            + " VALUES (?, 'inbox', '\"hi\"', 'portable_json')",
        id);
    execute(
        "INSERT INTO dbos.workflow_events (workflow_uuid, key, value, serialization)"
            + " VALUES (?, 'progress', '\"done\"', 'portable_json')",
        id);
    execute(
        "INSERT INTO dbos.workflow_events_history (workflow_uuid, function_id, key, value,"
            + " serialization) VALUES (?, 1, 'progress', '\"done\"', 'portable_json')",
        id);
    execute(
        "INSERT INTO dbos.streams (workflow_uuid, key, value, \"offset\", function_id,"
            + " serialization) VALUES (?, 'log', '\"line\"', 0, 2, 'portable_json')",
        id);
  }

  private void execute(String sql, Object... parameters) throws SQLException {
    try (Connection c = harness.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        ps.setObject(i + 1, parameters[i]);
      }
      ps.executeUpdate();
    }
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
