package io.dbosee.internal.engine;

import static io.dbosee.internal.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.dbos.transact.DBOSClient;
import dev.dbos.transact.DBOSClient.EnqueueOptions;
import dev.dbos.transact.DBOSClient.SendOptions;
import dev.dbos.transact.workflow.ForkOptions;
import dev.dbos.transact.workflow.ListWorkflowsInput;
import dev.dbos.transact.workflow.StepInfo;
import dev.dbos.transact.workflow.WorkflowState;
import dev.dbos.transact.workflow.WorkflowStatus;
import io.dbosee.DBOSSerializationException;
import io.dbosee.DBOSWorkflowCancelledException;
import io.dbosee.WorkflowHandle;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The official DBOS Java SDK's client ({@code dev.dbos:transact} 1.1.0-m6) and this engine on one
 * system database, in both directions: the client enqueues, messages, reads and manages workflows
 * that this engine runs, and reads what this engine writes.
 *
 * <p>That client knows the schema of migration 41: it reads inputs, outputs and errors from the
 * status row, where writers since migration 109 leave them NULL. What it can no longer see is
 * pinned by {@link #theClientOf41SeesNoInputsOutputsOrErrorsOfRowsInTheCurrentShape}; the other
 * tests read results through this engine.
 */
class DbosClientInteropTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String CLASS = "test.Workflows";

  private final EngineHarness harness = new EngineHarness();
  private final DBOSClient client =
      new DBOSClient(
          harness.database.jdbcUrl(), harness.database.user(), harness.database.password());

  /** How many times each named step ran, across all workflows of a test. */
  private final Map<String, AtomicInteger> stepRuns = new ConcurrentHashMap<>();

  @AfterEach
  void stop() {
    client.close();
    harness.close();
  }

  private static QueueDefinition queue() {
    return QueueDefinition.unlimited("q").withPollingInterval(Duration.ofMillis(100));
  }

  private DBOSEngine engine(WorkflowSpec... workflows) {
    return harness.engine("server", List.of(queue()), workflows);
  }

  private Object countedStep(DBOSEngine engine, String name, Object result) throws Exception {
    return step(
        engine,
        name,
        () -> {
          stepRuns.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
          return result;
        });
  }

  /** A workflow's result, read by this engine (the client of 41 sees NULL there). */
  private static Object result(DBOSEngine engine, String workflowId) throws Exception {
    return engine.retrieveWorkflow(workflowId).getResult(WAIT);
  }

  private int runs(String step) {
    AtomicInteger n = stepRuns.get(step);
    return n == null ? 0 : n.get();
  }

  /** {@code greet(String name, Integer count)}, compiled with its parameter names. */
  private static WorkflowSpec greet() {
    return new WorkflowSpec(
            "greet",
            String.class,
            new Class<?>[] {String.class, Integer.class},
            (engine, args) -> "hello " + args[0] + " x" + args[1])
        .withParameterNames(List.of("name", "count"));
  }

  @Test
  void aWorkflowTheClientEnqueuesRunsHereWithPositionalOrNamedArgumentsAndTheClientReadsItsResult()
      throws Exception {
    DBOSEngine engine = engine(greet());
    EnqueueOptions options = new EnqueueOptions("greet", CLASS, "q");

    var positional = client.enqueuePortableWorkflow(options, new Object[] {"ann", 2}, null);
    var named = client.enqueuePortableWorkflow(options, new Object[] {"bo"}, Map.of("count", 3));
    var allNamed =
        client.enqueuePortableWorkflow(
            options.withWorkflowId("all-named"), null, Map.of("count", 4, "name", "cy"));
    // The client's default format is the Java SDK's own java_jackson.
    var jackson = client.<String, RuntimeException>enqueueWorkflow(options, new Object[] {"di", 5});

    assertThat(result(engine, positional.workflowId())).isEqualTo("hello ann x2");
    assertThat(result(engine, named.workflowId())).isEqualTo("hello bo x3");
    assertThat(result(engine, allNamed.workflowId())).isEqualTo("hello cy x4");
    assertThat(result(engine, jackson.workflowId())).isEqualTo("hello di x5");
    assertThat(
            harness.query(
                "SELECT status || ' ' || name || ' ' || class_name || ' ' ||"
                    + " coalesce(config_name, '-') || ' ' || queue_name || ' ' || executor_id || ' '"
                    + " || serialization FROM dbos.workflow_status WHERE"
                    + " workflow_uuid = 'all-named'"))
        .isEqualTo("SUCCESS greet test.Workflows - q server portable_json");
    assertThat(harness.output("all-named"))
        .as("in the portable JSON every current client reads")
        .isEqualTo("\"hello cy x4\"");
  }

  @Test
  void aFailureIsRecordedWithItsNameAndMessageAndTheClientSeesItsStatus() {
    DBOSEngine ours =
        engine(
            new WorkflowSpec(
                "fail",
                String.class,
                new Class<?>[] {String.class},
                (engine, args) -> {
                  throw new IllegalArgumentException("no such sku: " + args[0]);
                }));
    var handle =
        client.enqueuePortableWorkflow(
            new EnqueueOptions("fail", CLASS, "q"), new Object[] {"x-1"}, null);

    assertThatThrownBy(() -> result(ours, handle.workflowId()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no such sku: x-1");
    assertThat(harness.error(handle.workflowId()))
        .as("the portable error every current client rethrows with its name and message")
        .startsWith("{\"name\":\"IllegalArgumentException\",\"message\":\"no such sku: x-1\"");
    assertThat(client.getWorkflowStatus(handle.workflowId()).orElseThrow().status())
        .isEqualTo(WorkflowState.ERROR);
  }

  @Test
  void theClientsSendReachesRecvAndItsGetEventAndReadStreamReadOurs() throws Exception {
    DBOSEngine ours =
        engine(
            new WorkflowSpec(
                "conversation",
                String.class,
                new Class<?>[] {},
                (engine, args) -> {
                  String first =
                      (String)
                          engine
                              .recv("greeting", String.class, Duration.ofMinutes(1))
                              .orElseThrow();
                  String second =
                      (String)
                          engine
                              .recv("greeting", String.class, Duration.ofMinutes(1))
                              .orElseThrow();
                  engine.setEvent("reply", "hello " + first + " and " + second);
                  engine.writeStream("numbers", 1);
                  engine.writeStream("numbers", 2);
                  engine.closeStream("numbers");
                  return first + "," + second;
                }));
    var handle =
        client.<String>enqueuePortableWorkflow(
            new EnqueueOptions("conversation", CLASS, "q").withWorkflowId("conv"),
            new Object[] {},
            null);

    client.send("conv", "ann", "greeting", "message-1", SendOptions.portable());
    client.send("conv", "ann", "greeting", "message-1", SendOptions.portable()); // a repeat
    client.send("conv", "bo", "greeting", null); // the client's default format, java_jackson

    assertThat(result(ours, handle.workflowId())).isEqualTo("ann,bo");
    assertThat(client.getEvent("conv", "reply", Duration.ofSeconds(10)))
        .contains("hello ann and bo");
    List<Object> streamed = new ArrayList<>();
    Iterator<Object> stream = client.readStream("conv", "numbers");
    stream.forEachRemaining(streamed::add);
    assertThat(streamed).containsExactly(1, 2);
  }

  @Test
  void ourWorkflowsLookRightToTheClientsStatusListAndSteps() throws Exception {
    WorkflowSpec child =
        new WorkflowSpec(
            "child",
            Integer.class,
            new Class<?>[] {Integer.class},
            (engine, args) -> (Integer) args[0] + 1);
    WorkflowSpec parent =
        new WorkflowSpec(
            "parent",
            String.class,
            new Class<?>[] {String.class},
            (engine, args) -> {
              countedStep(engine, "fetch", "fetched");
              Object childResult = child.call(41);
              engine.sleep(Duration.ofMillis(1));
              return args[0] + ":" + childResult;
            });
    engine(parent, child);
    long before = System.currentTimeMillis();
    assertThat(parent.callWithId("p-1", "order")).isEqualTo("order:42");

    WorkflowStatus status = client.getWorkflowStatus("p-1").orElseThrow();
    assertThat(status.status()).isEqualTo(WorkflowState.SUCCESS);
    assertThat(status.workflowName()).isEqualTo("parent");
    assertThat(status.className()).isEqualTo(CLASS);
    assertThat(status.instanceName()).isNull();
    assertThat(status.executorId()).isEqualTo("server");
    assertThat(status.appVersion()).isEqualTo("v1");
    assertThat(status.serialization()).isEqualTo("portable_json");
    long createdAt =
        Long.parseLong(
            harness.query(
                "SELECT created_at FROM dbos.workflow_status WHERE workflow_uuid = 'p-1'"));
    assertThat(status.createdAt()).isEqualTo(Instant.ofEpochMilli(createdAt));
    assertThat(status.createdAt().toEpochMilli()).isBetween(before, System.currentTimeMillis());
    assertThat(status.updatedAt()).isAfterOrEqualTo(status.createdAt());
    assertThat(status.completedAt()).isAfterOrEqualTo(status.createdAt());

    WorkflowStatus childStatus = client.getWorkflowStatus("p-1-1").orElseThrow();
    assertThat(childStatus.parentWorkflowId()).isEqualTo("p-1");

    List<StepInfo> steps = client.listWorkflowSteps("p-1");
    assertThat(steps).extracting(StepInfo::functionId).containsExactly(0, 1, 2);
    assertThat(steps)
        .extracting(StepInfo::functionName)
        .containsExactly("fetch", "child", "DBOS.sleep");
    assertThat(steps.get(0).output()).isEqualTo("fetched");
    assertThat(steps.get(1).childWorkflowId()).isEqualTo("p-1-1");
    assertThat(steps).allSatisfy(s -> assertThat(s.serialization()).isEqualTo("portable_json"));
    assertThat(steps.get(0).startedAt()).isNotNull();
    assertThat(steps.get(0).completedAt()).isAfterOrEqualTo(steps.get(0).startedAt());

    List<WorkflowStatus> listed =
        client.listWorkflows(new ListWorkflowsInput().withWorkflowIdPrefix(List.of("p-1")));
    assertThat(listed).extracting(WorkflowStatus::workflowId).containsExactly("p-1", "p-1-1");
    assertThat(
            client.listWorkflows(
                new ListWorkflowsInput()
                    .withWorkflowName(List.of("child"))
                    .withStatus(List.of(WorkflowState.SUCCESS))))
        .extracting(WorkflowStatus::workflowId)
        .containsExactly("p-1-1");
  }

  @Test
  void theClientCancelsResumesAndForksOurWorkflowsAndTheyRunHere() throws Exception {
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    WorkflowSpec held =
        new WorkflowSpec(
            "held",
            String.class,
            new Class<?>[] {},
            (engine, args) -> {
              countedStep(engine, "before", null);
              step(
                  engine,
                  "hold",
                  () -> {
                    holding.countDown();
                    return release.await(60, TimeUnit.SECONDS);
                  });
              countedStep(engine, "after", null);
              return "done";
            });
    DBOSEngine engine = engine(held);
    WorkflowHandle<Object, Exception> handle;
    try (AutoCloseable id = engine.assignWorkflowId("w")) {
      handle = held.start(StartSpec.background());
    }
    assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
    long running = System.nanoTime();

    client.cancelWorkflow("w");
    assertThat(client.getWorkflowStatus("w").orElseThrow().status())
        .isEqualTo(WorkflowState.CANCELLED);
    EngineHarness.untilItsStatusIsReadAgain(running);
    release.countDown();
    assertThatThrownBy(() -> handle.getResult(WAIT))
        .as("seen at the next checkpoint")
        .isInstanceOf(DBOSWorkflowCancelledException.class);
    assertThat(runs("after")).isZero();

    client.resumeWorkflow("w");
    assertThat(result(engine, "w")).isEqualTo("done");
    assertThat(runs("before")).as("resumed after its last completed step").isEqualTo(1);
    assertThat(runs("after")).isEqualTo(1);
    assertThat(
            harness.query("SELECT queue_name FROM dbos.workflow_status WHERE workflow_uuid = 'w'"))
        .as("the clients resume onto the internal queue, which every server listens to")
        .isEqualTo(DBOSEngine.INTERNAL_QUEUE);

    // The client of 41 copies a fork's inputs from the status row, where this engine no longer
    // writes them: the fork is refused clearly when it would start, and runs no step.
    client.forkWorkflow("w", 2, new ForkOptions("w-fork"));
    assertThatThrownBy(() -> result(engine, "w-fork"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("[DBOS-CDI-080] Workflow 'w-fork'")
        .hasMessageContaining("predates migration 109");
    assertThat(runs("before")).isEqualTo(1);
    assertThat(runs("after")).isEqualTo(1);
    WorkflowStatus fork = client.getWorkflowStatus("w-fork").orElseThrow();
    assertThat(fork.forkedFrom()).isEqualTo("w");
    assertThat(fork.status()).isEqualTo(WorkflowState.ERROR);
  }

  @Test
  void valuesInFormatsThisEngineCannotReadFailWithAClearErrorNeverWithJavaDeserialization()
      throws Exception {
    WorkflowSpec echo =
        new WorkflowSpec(
            "echo", String.class, new Class<?>[] {String.class}, (engine, args) -> args[0]);
    WorkflowSpec listener =
        new WorkflowSpec(
            "listener",
            String.class,
            new Class<?>[] {},
            (engine, args) ->
                (String) engine.recv("t", String.class, Duration.ofMinutes(1)).orElse("none"));
    DBOSEngine engine = engine(echo, listener);

    // A Python client enqueued it with pickled arguments.
    harness.query(
        "INSERT INTO dbos.workflow_status (workflow_uuid, status, name, class_name, queue_name,"
            + " inputs, serialization) VALUES ('pickled', 'ENQUEUED', 'echo', ?, 'q',"
            + " 'gASVEAAAAAAAAAB9lCiMBGFyZ3OUKYwGa3dhcmdzlH2UdS4=', 'py_pickle') RETURNING"
            + " workflow_uuid",
        CLASS);
    // Java-serialized bytes labelled as portable_json.
    harness.query(
        "INSERT INTO dbos.workflow_status (workflow_uuid, status, name, class_name, queue_name,"
            + " inputs, serialization) VALUES ('serialized', 'ENQUEUED', 'echo', ?, 'q',"
            + " 'rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA==', 'portable_json') RETURNING"
            + " workflow_uuid",
        CLASS);

    await()
        .atMost(WAIT)
        .until(
            () ->
                "ERROR".equals(harness.status("pickled"))
                    && "ERROR".equals(harness.status("serialized")));
    assertThatThrownBy(() -> result(engine, "pickled"))
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageContaining("'py_pickle'")
        .hasMessageContaining("portable_json");
    assertThatThrownBy(() -> result(engine, "serialized"))
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageContaining("Java-serialized");

    // A pickled message fails the recv that reads it, clearly.
    WorkflowHandle<Object, Exception> handle;
    try (AutoCloseable id = engine.assignWorkflowId("listening")) {
      handle = listener.start(StartSpec.background());
    }
    harness.query(
        "INSERT INTO dbos.notifications (destination_uuid, topic, message, serialization)"
            + " VALUES ('listening', 't', 'gASVBwAAAAAAAACMA2hpIZQu', 'py_pickle') RETURNING"
            + " destination_uuid");
    assertThatThrownBy(() -> handle.getResult(WAIT))
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageContaining("'py_pickle'");
  }

  /**
   * The client of 41 reads payloads from the status row only, so for a row in the current shape it
   * sees no inputs, no output and no error, and its {@code getResult} returns null for a workflow
   * that returned a value. Its status, steps, events, streams, messages and management still work.
   */
  @Test
  void theClientOf41SeesNoInputsOutputsOrErrorsOfRowsInTheCurrentShape() throws Exception {
    WorkflowSpec echo =
        new WorkflowSpec(
            "echo",
            String.class,
            new Class<?>[] {String.class},
            (engine, args) -> "echo " + args[0]);
    WorkflowSpec fail =
        new WorkflowSpec(
            "fail",
            String.class,
            new Class<?>[] {},
            (engine, args) -> {
              throw new IllegalStateException("broken");
            });
    engine(echo, fail);
    assertThat(echo.callWithId("e-1", "ann")).isEqualTo("echo ann");
    assertThatThrownBy(() -> fail.callWithId("f-1")).hasMessage("broken");

    WorkflowStatus done = client.getWorkflowStatus("e-1").orElseThrow();
    assertThat(done.status()).isEqualTo(WorkflowState.SUCCESS);
    assertThat(done.output()).isNull();
    assertThat(done.input()).isNullOrEmpty();
    assertThat(client.retrieveWorkflow("e-1").getResult()).isNull();
    WorkflowStatus failed = client.getWorkflowStatus("f-1").orElseThrow();
    assertThat(failed.status()).isEqualTo(WorkflowState.ERROR);
    assertThat(failed.error()).isNull();
    assertThat(harness.output("e-1"))
        .as("recorded where current clients read it")
        .isEqualTo("\"echo ann\"");
  }
}
