package io.dbosee.internal.engine;

import static io.dbosee.internal.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbosee.DBOSSerializationException;
import io.dbosee.DBOSUnknownQueueException;
import io.dbosee.ListWorkflowsInput;
import io.dbosee.StepOptions;
import io.dbosee.WorkflowStatus;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bad-input catalogue of docs/reference/bad-input.md: each kind of bad input ends in a clear
 * error for the workflow or call that brought it, and an unrelated workflow on the same engine
 * still completes afterwards.
 */
class BadInputTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final EngineHarness harness = new EngineHarness();
  private final ExecutorService callers = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    callers.shutdownNow();
    harness.close();
  }

  /** A workflow with nothing wrong, to show that the engine keeps running the others. */
  private static WorkflowSpec healthy() {
    return new WorkflowSpec(
        "healthy",
        String.class,
        new Class<?>[] {String.class},
        (engine, args) ->
            "ok "
                + step(engine, "echo", StepOptions.DEFAULT, String.class, () -> (String) args[0]));
  }

  private void assertUnaffected(WorkflowSpec healthy, String workflowId) throws Exception {
    assertThat(healthy.callWithId(workflowId, workflowId)).isEqualTo("ok " + workflowId);
    assertThat(harness.status(workflowId)).isEqualTo("SUCCESS");
  }

  private String error(String workflowId) {
    return harness.error(workflowId);
  }

  /** Makes a finished workflow look as if its server died just before it finished. */
  private void unfinish(String workflowId) {
    harness.unfinish(workflowId);
  }

  // -------------------------------------------------------------------------------------------

  /** Public fields, so that JSON-B follows the cycle. */
  public static final class Node {
    public String name = "loop";
    public Node next;
  }

  private static Node cycle() {
    Node node = new Node();
    node.next = node;
    return node;
  }

  @Test
  void unserializableAndCyclicValuesAreRefusedClearlyAndNothingHalfIsRecorded() throws Exception {
    AtomicInteger bodies = new AtomicInteger();
    WorkflowSpec takesANode =
        new WorkflowSpec(
            "takesANode",
            String.class,
            new Class<?>[] {Node.class},
            (engine, args) -> {
              bodies.incrementAndGet();
              return "ran";
            });
    WorkflowSpec returnsACycle =
        new WorkflowSpec(
            "returnsACycle",
            String.class,
            new Class<?>[0],
            (engine, args) -> {
              step(engine, "makeCycle", StepOptions.DEFAULT, Node.class, BadInputTest::cycle);
              return "never";
            });
    WorkflowSpec healthy = healthy();
    harness.engine("local", takesANode, returnsACycle, healthy);

    assertThatThrownBy(() -> takesANode.callWithId("cyclic-arg", cycle()))
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageContaining("Argument 1 cannot be recorded")
        .hasMessageContaining(Node.class.getName())
        .hasMessageContaining("Use a type JSON-B can write");
    assertThat(bodies).as("the body never runs with arguments it could not record").hasValue(0);
    assertThat(harness.status("cyclic-arg")).isNull();

    assertThatThrownBy(() -> returnsACycle.callWithId("cyclic-step"))
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageContaining(Node.class.getName());
    assertThat(harness.status("cyclic-step")).isEqualTo("ERROR");
    assertThat(error("cyclic-step")).contains("DBOSSerializationException").contains("Node");

    assertUnaffected(healthy, "after-unserializable");
  }

  @Test
  void aRecordedOutputWhoseTypeChangedFailsThatWorkflowNamingTheStepTheTypeAndTheValue()
      throws Exception {
    WorkflowSpec before =
        new WorkflowSpec(
            "pricing",
            String.class,
            new Class<?>[0],
            (engine, args) ->
                step(engine, "price", StepOptions.DEFAULT, String.class, () -> "cheap"));
    harness.engine("local", before);
    before.callWithId("typed-1");
    before.callWithId("typed-2");
    unfinish("typed-2"); // its server died after the step

    // The new code declares the step's (and the workflow's) result as an Integer.
    AtomicInteger ranAgain = new AtomicInteger();
    WorkflowSpec after =
        new WorkflowSpec(
            "pricing",
            Integer.class,
            new Class<?>[0],
            (engine, args) -> {
              try {
                return step(
                    engine,
                    "price",
                    StepOptions.DEFAULT,
                    Integer.class,
                    () -> ranAgain.incrementAndGet());
              } catch (DBOSSerializationException swallowed) {
                return 0; // a body that swallows the error must not finish successfully
              }
            });
    WorkflowSpec healthy = healthy();
    DBOSEngine restarted = harness.engine("local", after, healthy);

    assertThatThrownBy(() -> after.callWithId("typed-1"))
        .as("the recorded result of a finished workflow, read as the new type")
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageContaining("java.lang.Integer")
        .hasMessageContaining("\"cheap\"")
        .hasMessageContaining("Was the type changed");

    assertThat(restarted.recoverPendingWorkflows()).containsExactly("typed-2");
    await().atMost(WAIT).until(() -> "ERROR".equals(harness.status("typed-2")));
    assertThat(error("typed-2"))
        .contains("[DBOS-CDI-072]")
        .contains("step #0 'price'")
        .contains("java.lang.Integer")
        .contains("cheap")
        .contains("Deploy code that reads what was recorded");
    assertThat(ranAgain).as("the recorded step is not run again").hasValue(0);

    assertUnaffected(healthy, "after-changed-type");
  }

  @Test
  void aPendingWorkflowThatNoBeanProvidesStaysPendingAndDoesNotHoldUpTheOthers() throws Exception {
    CountDownLatch serverDies = new CountDownLatch(1);
    AtomicInteger blocked = new AtomicInteger();
    EngineHarness.Body hangs =
        (engine, args) -> {
          blocked.incrementAndGet();
          serverDies.await();
          return "never";
        };
    WorkflowSpec removed = new WorkflowSpec("removedLater", String.class, new Class<?>[0], hangs);
    WorkflowSpec kept = new WorkflowSpec("kept", String.class, new Class<?>[0], hangs);
    harness.engine("local", removed, kept);
    callers.submit(() -> removed.callWithId("orphan"));
    callers.submit(() -> kept.callWithId("kept-1"));
    await().atMost(WAIT).until(() -> blocked.get() == 2);

    List<String> warnings = new CopyOnWriteArrayList<>();
    Logger logger = Logger.getLogger(DBOSEngine.class.getPackageName());
    Handler capture = capture(warnings);
    logger.addHandler(capture);
    try {
      // The next version of the application no longer has removedLater.
      WorkflowSpec keptNow =
          new WorkflowSpec("kept", String.class, new Class<?>[0], (engine, args) -> "done");
      WorkflowSpec healthy = healthy();
      DBOSEngine restarted = harness.engine("local", keptNow, healthy);

      assertThat(restarted.recoverPendingWorkflows()).containsExactly("kept-1");
      await().atMost(WAIT).until(() -> "SUCCESS".equals(harness.status("kept-1")));
      assertThat(harness.status("orphan"))
          .as("left for a server that has it, not failed")
          .isEqualTo("PENDING");
      assertThat(warnings)
          .anyMatch(
              m ->
                  m.contains("[DBOS-CDI-074]")
                      && m.contains("'orphan'")
                      && m.contains("test.Workflows/removedLater")
                      && m.contains("stays PENDING"));
      assertUnaffected(healthy, "after-orphan");
    } finally {
      logger.removeHandler(capture);
    }
  }

  @Test
  void corruptedJsonInACheckpointOrInTheInputsFailsOnlyThatWorkflowClearly() throws Exception {
    WorkflowSpec work =
        new WorkflowSpec(
            "work",
            String.class,
            new Class<?>[] {String.class},
            (engine, args) ->
                step(engine, "first", StepOptions.DEFAULT, String.class, () -> "a" + args[0]));
    WorkflowSpec healthy = healthy();
    DBOSEngine engine = harness.engine("local", work, healthy);
    work.callWithId("bad-output", "1");
    work.callWithId("bad-inputs", "2");
    unfinish("bad-output");
    unfinish("bad-inputs");
    harness.query(
        "UPDATE dbos.operation_outputs SET output = '{\"broken' WHERE workflow_uuid = ?"
            + " RETURNING 1",
        "bad-output");
    harness.query(
        "UPDATE dbos.workflow_input SET inputs = '[1, 2' WHERE workflow_uuid = ? RETURNING 1",
        "bad-inputs");

    assertThat(engine.recoverPendingWorkflows()).containsExactly("bad-output");
    await().atMost(WAIT).until(() -> "ERROR".equals(harness.status("bad-output")));
    assertThat(error("bad-output"))
        .contains("[DBOS-CDI-072]")
        .contains("'first'")
        .contains("{\\\"broken"); // the recorded text, as a JSON string inside the error
    assertThat(harness.status("bad-inputs"))
        .as("recorded as failed at once: it can never start")
        .isEqualTo("ERROR");
    assertThat(error("bad-inputs"))
        .contains("[DBOS-CDI-073]")
        .contains("test.Workflows/work")
        .contains("[1, 2")
        .contains("start it again with readable arguments");

    assertUnaffected(healthy, "after-corruption");
  }

  /**
   * The payload tables have no foreign key to the status row (migration 109), so another DBOS SDK's
   * retention can delete a workflow's inputs or outcome and leave its status row.
   */
  @Test
  void aPayloadRowDeletedUnderItsWorkflowIsAClearErrorWhereItIsNeededNeverANullResult()
      throws Exception {
    WorkflowSpec work =
        new WorkflowSpec(
            "work",
            String.class,
            new Class<?>[] {String.class},
            (engine, args) ->
                switch ((String) args[0]) {
                  case "nothing" -> null;
                  case "fail" -> throw new IllegalArgumentException("cannot work");
                  default ->
                      step(engine, "first", StepOptions.DEFAULT, String.class, () -> "a" + args[0]);
                });
    WorkflowSpec healthy = healthy();
    DBOSEngine engine =
        harness.engine("local", List.of(QueueDefinition.unlimited("q")), work, healthy);
    work.callWithId("done", "1");
    assertThatThrownBy(() -> work.callWithId("failed", "fail"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(work.callWithId("returned-null", "nothing")).isNull();
    work.callWithId("pending", "2");
    unfinish("pending");
    assertThat(
            harness.query(
                "WITH i AS (DELETE FROM dbos.workflow_input WHERE workflow_uuid = 'pending'"
                    + " RETURNING 1), o AS (DELETE FROM dbos.workflow_output"
                    + " WHERE workflow_uuid IN ('done', 'failed') RETURNING 1)"
                    + " SELECT (SELECT count(*) FROM i) + (SELECT count(*) FROM o)"))
        .as("another SDK's retention deleted these payload rows; the status rows stay")
        .isEqualTo("3");
    // Null results as other writers record them: an output row with NULL, or at 41 in the row.
    harness.query(
        "INSERT INTO dbos.workflow_status (workflow_uuid, status, name, class_name, executor_id,"
            + " application_version, inputs, serialization) VALUES ('null-new', 'SUCCESS',"
            + " 'work', 'test.Workflows', 'local', 'v1', NULL, 'portable_json'), ('null-old',"
            + " 'SUCCESS', 'work', 'test.Workflows', 'local', 'v1',"
            + " '{\"positionalArgs\":[\"x\"],\"namedArgs\":{}}', 'portable_json') RETURNING 1");
    harness.query(
        "INSERT INTO dbos.workflow_output (workflow_uuid, output, error)"
            + " VALUES ('null-new', NULL, NULL) RETURNING 1");
    // Enqueued by another application, its inputs deleted before any server dequeued it.
    harness.query(
        "INSERT INTO dbos.workflow_status (workflow_uuid, status, name, class_name, queue_name,"
            + " application_version, serialization) VALUES ('queued', 'ENQUEUED', 'work',"
            + " 'test.Workflows', 'q', 'v1', 'portable_json') RETURNING 1");

    for (String id : List.of("returned-null", "null-new", "null-old")) {
      assertThat(engine.retrieveWorkflow(id).getResult()).as(id).isNull();
    }
    for (String id : List.of("done", "failed")) {
      assertThatThrownBy(() -> engine.retrieveWorkflow(id).getResult())
          .as(id)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("[DBOS-CDI-080]")
          .hasMessageContaining("'" + id + "'")
          .hasMessageContaining("\"dbos\".workflow_output has no row");
      assertThat(engine.management().workflowStatus(id).orElseThrow().output())
          .as("a listing shows what is left")
          .isNull();
    }
    assertThatThrownBy(() -> work.callWithId("done", "1"))
        .as("a start with the id of a finished workflow returns its outcome")
        .hasMessageStartingWith("[DBOS-CDI-080]");

    assertThat(engine.recoverPendingWorkflows()).as("nothing it could run").isEmpty();
    assertThat(harness.status("pending"))
        .as("recorded as failed at once: it can never start")
        .isEqualTo("ERROR");
    assertThat(error("pending"))
        .contains("[DBOS-CDI-080]")
        .contains("test.Workflows/work")
        .contains("workflow_input has no row")
        .contains("start it again with its arguments");
    assertThatThrownBy(() -> engine.retrieveWorkflow("pending").getResult())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("[DBOS-CDI-080]");
    await().atMost(WAIT).until(() -> "ERROR".equals(harness.status("queued")));
    assertThat(error("queued")).contains("[DBOS-CDI-080]").contains("'queued'");

    assertUnaffected(healthy, "after-missing-payloads");
  }

  /**
   * Another SDK that deletes a workflow's status row before its payload rows leaves them behind for
   * a while; a new workflow that reuses the id runs with its own inputs, started or enqueued.
   */
  @Test
  void inputsLeftBehindByADeletedWorkflowDoNotPassForANewOnesUnderTheSameId() throws Exception {
    WorkflowSpec echo =
        new WorkflowSpec(
            "echo",
            String.class,
            new Class<?>[] {String.class},
            (engine, args) -> "echo " + args[0]);
    DBOSEngine engine = harness.engine("local", List.of(QueueDefinition.unlimited("q")), echo);
    harness.query(
        "INSERT INTO dbos.workflow_input (workflow_uuid, inputs) VALUES"
            + " ('reused', '{\"positionalArgs\":[\"stale\"],\"namedArgs\":{}}'),"
            + " ('reused-queued', '{\"positionalArgs\":[\"stale\"],\"namedArgs\":{}}')"
            + " RETURNING 1");

    assertThat(echo.callWithId("reused", "fresh")).isEqualTo("echo fresh");
    try (AutoCloseable id = engine.assignWorkflowId("reused-queued")) {
      echo.start(StartSpec.onQueue("q"), "queued");
    }
    assertThat(engine.retrieveWorkflow("reused-queued").getResult(WAIT)).isEqualTo("echo queued");
    assertThat(harness.inputs("reused")).contains("fresh");
  }

  @Test
  void javaSerializedCheckpointsAreRefusedNeverDeserialized() throws Exception {
    WorkflowSpec work =
        new WorkflowSpec(
            "work",
            String.class,
            new Class<?>[] {String.class},
            (engine, args) ->
                step(engine, "first", StepOptions.DEFAULT, String.class, () -> "a" + args[0]));
    WorkflowSpec healthy = healthy();
    DBOSEngine engine = harness.engine("local", work, healthy);
    // A java.lang.String "hello" written by ObjectOutputStream, base64-encoded.
    String javaSerialized = "rO0ABXQABWhlbGxv";
    for (String id : List.of("java-format", "java-bytes", "java-inputs")) {
      work.callWithId(id, "1");
      unfinish(id);
    }
    harness.query(
        "UPDATE dbos.operation_outputs SET serialization = 'java_serialize', output = ?"
            + " WHERE workflow_uuid = ? RETURNING 1",
        javaSerialized,
        "java-format");
    harness.query(
        "UPDATE dbos.operation_outputs SET output = ? WHERE workflow_uuid = ? RETURNING 1",
        "\"" + javaSerialized + "\"",
        "java-bytes");
    harness.query(
        "WITH ws AS (UPDATE dbos.workflow_status SET serialization = 'java_serialize'"
            + " WHERE workflow_uuid = ? RETURNING workflow_uuid)"
            + " UPDATE dbos.workflow_input wi SET inputs = ? FROM ws"
            + " WHERE wi.workflow_uuid = ws.workflow_uuid RETURNING 1",
        "java-inputs",
        javaSerialized);

    engine.recoverPendingWorkflows();
    await()
        .atMost(WAIT)
        .until(
            () ->
                List.of("java-format", "java-bytes", "java-inputs").stream()
                    .allMatch(id -> "ERROR".equals(harness.status(id))));
    assertThat(error("java-format"))
        .contains("[DBOS-CDI-072]")
        .contains("'java_serialize' format")
        .contains("this engine reads only portable_json");
    assertThat(error("java-bytes")).contains("[DBOS-CDI-072]").contains("Java-serialized");
    assertThat(error("java-inputs")).contains("[DBOS-CDI-073]").contains("'java_serialize'");

    assertUnaffected(healthy, "after-java-serialization");
  }

  @Test
  void anOversizedPayloadIsRefusedWithTheLimitAndNothingIsRecorded() throws Exception {
    String huge = "x".repeat(PayloadLimitSize.JUST_OVER);
    AtomicInteger bodies = new AtomicInteger();
    WorkflowSpec takes =
        new WorkflowSpec(
            "takes",
            String.class,
            new Class<?>[] {String.class},
            (engine, args) -> {
              bodies.incrementAndGet();
              return "ran";
            });
    WorkflowSpec producesHugeStep =
        new WorkflowSpec(
            "producesHugeStep",
            String.class,
            new Class<?>[0],
            (engine, args) -> {
              step(engine, "huge", StepOptions.DEFAULT, String.class, () -> huge);
              return "never";
            });
    WorkflowSpec healthy = healthy();
    harness.engine("local", takes, producesHugeStep, healthy);

    assertThatThrownBy(() -> takes.callWithId("huge-arg", huge))
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageContaining("[DBOS-CDI-071]")
        .hasMessageContaining("limit of " + PayloadLimitSize.LIMIT)
        .hasMessageContaining("pass the workflow a reference");
    assertThat(bodies).hasValue(0);
    assertThat(harness.status("huge-arg")).isNull();

    assertThatThrownBy(() -> producesHugeStep.callWithId("huge-step"))
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageContaining("[DBOS-CDI-071]");
    assertThat(harness.status("huge-step")).isEqualTo("ERROR");
    assertThat(
            harness.query(
                "SELECT max(length(coalesce(output, ''))) FROM dbos.operation_outputs"
                    + " WHERE workflow_uuid = 'huge-step'"))
        .as("the huge step output was not recorded")
        .isIn(null, "0");

    assertUnaffected(healthy, "after-oversized");
  }

  /** The limit, and a payload just over it. */
  private static final class PayloadLimitSize {
    static final int LIMIT = io.dbosee.internal.engine.serialization.PayloadLimit.DEFAULT_MAX_CHARS;
    static final int JUST_OVER = LIMIT + 1;
  }

  @Test
  void hostileStringsAreDataNeverSqlAndNulIsRefusedWithWhatToDo() throws Exception {
    AtomicInteger setEventCalls = new AtomicInteger();
    WorkflowSpec setsANulKey =
        new WorkflowSpec(
            "setsANulKey",
            String.class,
            new Class<?>[0],
            (engine, args) -> {
              setEventCalls.incrementAndGet();
              engine.setEvent("key\0", 1);
              return "never";
            });
    WorkflowSpec healthy = healthy();
    DBOSEngine engine = harness.engine("local", setsANulKey, healthy);
    List<String> hostile =
        List.of(
            "it's",
            "50%_off\\",
            "x'; DROP TABLE dbos.workflow_status; --",
            "\"quoted\" $$dollar$$ ünï 😀",
            "5_abc");
    for (String id : hostile) {
      assertThat(healthy.callWithId(id, id)).isEqualTo("ok " + id);
    }
    for (String id : hostile) {
      assertThat(
              engine.management().listWorkflows(ListWorkflowsInput.ALL.withWorkflowIds(id)).stream()
                  .map(WorkflowStatus::workflowId))
          .containsExactly(id);
    }
    assertThat(ids(engine, ListWorkflowsInput.ALL.withWorkflowIdPrefix("50%")))
        .as("% and _ are not wildcards")
        .containsExactly("50%_off\\");
    assertThat(ids(engine, ListWorkflowsInput.ALL.withWorkflowIdPrefix("5_")))
        .containsExactly("5_abc");
    assertThat(ids(engine, ListWorkflowsInput.ALL.withName("' OR '1'='1"))).isEmpty();
    assertThat(ids(engine, ListWorkflowsInput.ALL.withQueueName("q' OR true --"))).isEmpty();
    assertThatThrownBy(() -> healthy.start(StartSpec.onQueue("it's"), "never"))
        .isInstanceOf(DBOSUnknownQueueException.class)
        .hasMessageContaining("'it's'");

    // NUL cannot be stored by PostgreSQL: refused where it comes in, naming the value.
    assertThatThrownBy(() -> engine.assignWorkflowId("a\0b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[DBOS-CDI-070]")
        .hasMessageContaining("the workflow id contains a NUL character")
        .hasMessageContaining("at index 1");
    assertThatThrownBy(() -> ListWorkflowsInput.ALL.withName("wf\0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[DBOS-CDI-070]")
        .hasMessageContaining("the name filter");
    assertThatThrownBy(() -> engine.management().workflowStatus("\0"))
        .hasMessageContaining("[DBOS-CDI-070]");
    assertThatThrownBy(() -> engine.send("it's", "hi", "topic\0", null))
        .hasMessageContaining("[DBOS-CDI-070]")
        .hasMessageContaining("topic");
    assertThatThrownBy(() -> healthy.start(StartSpec.onQueue("q\0")))
        .hasMessageContaining("[DBOS-CDI-070]")
        .hasMessageContaining("the queue name");
    // Inside a workflow it is the workflow's error, not a database failure that keeps it PENDING.
    assertThatThrownBy(() -> setsANulKey.callWithId("nul-key"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[DBOS-CDI-070]");
    assertThat(harness.status("nul-key")).isEqualTo("ERROR");
    assertThat(setEventCalls).hasValue(1);

    assertThat(harness.query("SELECT count(*) FROM dbos.workflow_status WHERE name = 'healthy'"))
        .isEqualTo(String.valueOf(hostile.size()));
    assertUnaffected(healthy, "after-hostile");
  }

  private static List<String> ids(DBOSEngine engine, ListWorkflowsInput input) {
    return engine.management().listWorkflows(input).stream()
        .map(WorkflowStatus::workflowId)
        .toList();
  }

  private static Handler capture(List<String> messages) {
    return new Handler() {
      @Override
      public void publish(LogRecord record) {
        Object[] parameters = record.getParameters();
        messages.add(
            parameters == null
                ? record.getMessage()
                : java.text.MessageFormat.format(record.getMessage(), parameters));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
  }
}
