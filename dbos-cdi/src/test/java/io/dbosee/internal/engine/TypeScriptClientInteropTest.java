package io.dbosee.internal.engine;

import static io.dbosee.internal.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbosee.DBOSWorkflowCancelledException;
import io.dbosee.WorkflowHandle;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import io.dbosee.internal.engine.db.SchemaSnapshot;
import io.dbosee.testing.NodeScripts;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The official DBOS TypeScript client ({@code @dbos-inc/dbos-sdk}, pinned in {@code
 * src/test/typescript/package-lock.json}) and this engine on one system database: the client reads,
 * enqueues, messages and manages workflows this engine runs, and the SDK's own migration runner,
 * run on our schema as a TypeScript application runs it at launch, finds nothing to do. The client
 * runs in node, through the scripts of {@code src/test/typescript} ({@link NodeScripts}).
 */
class TypeScriptClientInteropTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String CLASS = "test.Workflows";

  private final EngineHarness harness = new EngineHarness();
  private final NodeScripts typescript = NodeScripts.on(harness.database);

  /** How many times each named step ran, across all workflows of a test. */
  private final Map<String, AtomicInteger> stepRuns = new ConcurrentHashMap<>();

  @AfterEach
  void stop() {
    harness.close();
  }

  private DBOSEngine engine(WorkflowSpec... workflows) {
    return harness.engine(
        "server",
        List.of(QueueDefinition.unlimited("q").withPollingInterval(Duration.ofMillis(100))),
        workflows);
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

  private int runs(String step) {
    AtomicInteger n = stepRuns.get(step);
    return n == null ? 0 : n.get();
  }

  private Map<String, Object> client(String command, String... arguments) {
    String[] all = new String[arguments.length + 1];
    all[0] = command;
    System.arraycopy(arguments, 0, all, 1, arguments.length);
    return typescript.object("client.js", all);
  }

  private List<Map<String, Object>> clientList(String filter) {
    return typescript.objects("client.js", "list", filter);
  }

  private static WorkflowSpec failing() {
    return new WorkflowSpec(
        "fail",
        String.class,
        new Class<?>[] {String.class},
        (engine, args) -> {
          throw new IllegalArgumentException("no such sku: " + args[0]);
        });
  }

  private static WorkflowSpec greet() {
    return new WorkflowSpec(
            "greet",
            String.class,
            new Class<?>[] {String.class, Integer.class},
            (engine, args) -> "hello " + args[0] + " x" + args[1])
        .withParameterNames(List.of("name", "count"));
  }

  /**
   * A workflow that holds in its second step until {@code release}, counting down {@code holding}
   * there; it returns "done".
   */
  private WorkflowSpec held(CountDownLatch holding, CountDownLatch release) {
    return new WorkflowSpec(
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
  }

  private static WorkflowHandle<Object, Exception> startWithId(
      DBOSEngine engine, WorkflowSpec workflow, String id, Object... arguments) throws Exception {
    try (AutoCloseable scope = engine.assignWorkflowId(id)) {
      return workflow.start(StartSpec.background(), arguments);
    }
  }

  @Test
  void theClientListsOurWorkflowsWithTheirInputsAndOutputsAndReadsTheirStepsAndEvents()
      throws Exception {
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
            new Class<?>[] {String.class, Map.class},
            (engine, args) -> {
              countedStep(engine, "fetch", List.of("fetched", 1));
              Object childResult = child.call(41);
              engine.setEvent("progress", Map.of("stage", "shipped", "boxes", 2));
              engine.sleep(Duration.ofMillis(1));
              return args[0] + ":" + childResult;
            });
    WorkflowSpec fail = failing();
    engine(parent, child, fail);
    assertThat(parent.callWithId("p-1", "order", Map.of("sku", "a-1", "quantity", 3)))
        .isEqualTo("order:42");
    assertThatThrownBy(() -> fail.callWithId("f-1", "x-1"))
        .isInstanceOf(IllegalArgumentException.class);

    // Listed by created_at alone, which a parent and its child can share: compared by id.
    Map<Object, Map<String, Object>> listed =
        clientList("{}").stream()
            .collect(Collectors.toMap(w -> w.get("workflowID"), Function.identity()));
    assertThat(listed).containsOnlyKeys("p-1", "p-1-1", "f-1");
    Map<String, Object> p1 = listed.get("p-1");
    assertThat(p1)
        .containsEntry("status", "SUCCESS")
        .containsEntry("workflowName", "parent")
        .containsEntry("workflowClassName", CLASS)
        .containsEntry("executorId", "server")
        .containsEntry("applicationVersion", "v1")
        .containsEntry("input", List.of("order", Map.of("sku", "a-1", "quantity", 3)))
        .containsEntry("output", "order:42");
    assertThat(((Number) p1.get("createdAt")).longValue())
        .isEqualTo(
            Long.parseLong(
                harness.query(
                    "SELECT created_at FROM dbos.workflow_status WHERE workflow_uuid = 'p-1'")));
    assertThat(listed.get("p-1-1"))
        .containsEntry("parentWorkflowID", "p-1")
        .containsEntry("input", List.of(41))
        .containsEntry("output", 42);
    assertThat(listed.get("f-1"))
        .containsEntry("status", "ERROR")
        .containsEntry("input", List.of("x-1"));
    // The SDK's listing (safeParseError) wraps a portable error's record, as written, in a plain
    // Error: the record is its message. Its getResult throws the record's name and message instead.
    @SuppressWarnings("unchecked")
    Map<String, Object> listedError = (Map<String, Object>) listed.get("f-1").get("error");
    assertThat(listedError).containsEntry("name", "Error");
    assertThat(NodeScripts.parse((String) listedError.get("message")))
        .asInstanceOf(InstanceOfAssertFactories.MAP)
        .containsEntry("name", "IllegalArgumentException")
        .containsEntry("message", "no such sku: x-1");
    assertThat(client("result", "f-1"))
        .containsEntry("status", "ERROR")
        .containsEntry(
            "error", Map.of("name", "IllegalArgumentException", "message", "no such sku: x-1"));
    assertThat(
            harness.query(
                "SELECT count(*) FROM dbos.workflow_status"
                    + " WHERE inputs IS NOT NULL OR output IS NOT NULL OR error IS NOT NULL"))
        .as("read from workflow_input and workflow_output, where our engine writes them")
        .isEqualTo("0");
    assertThat(clientList("{\"workflowName\": \"child\", \"status\": \"SUCCESS\"}"))
        .extracting(w -> w.get("workflowID"))
        .containsExactly("p-1-1");

    assertThat(client("status", "p-1"))
        .containsEntry("status", "SUCCESS")
        .containsEntry("input", p1.get("input"))
        .containsEntry("output", "order:42");
    assertThat(typescript.run("client.js", "status", "unknown")).isNull();

    List<Map<String, Object>> steps = typescript.objects("client.js", "steps", "p-1");
    assertThat(steps).extracting(s -> s.get("functionID")).containsExactly(0, 1, 2, 3);
    assertThat(steps)
        .extracting(s -> s.get("name"))
        .containsExactly("fetch", "child", "DBOS.setEvent", "DBOS.sleep");
    assertThat(steps.get(0)).containsEntry("output", List.of("fetched", 1));
    assertThat(steps.get(1)).containsEntry("childWorkflowID", "p-1-1");
    assertThat(((Number) steps.get(0).get("completedAtEpochMs")).longValue())
        .isGreaterThanOrEqualTo(((Number) steps.get(0).get("startedAtEpochMs")).longValue());

    assertThat(client("event", "p-1", "progress"))
        .containsEntry("value", Map.of("stage", "shipped", "boxes", 2));
    assertThat(client("event", "p-1", "no-such-key", "0")).containsEntry("value", null);
  }

  @Test
  void aWorkflowTheClientEnqueuesPortablyRunsHereAndTheClientReadsItsResult() throws Exception {
    DBOSEngine engine = engine(greet(), failing());

    assertThat(
            client(
                "enqueue",
                "{\"workflowName\": \"greet\", \"workflowClassName\": \""
                    + CLASS
                    + "\","
                    + " \"queueName\": \"q\", \"workflowID\": \"ts-1\","
                    + " \"positionalArgs\": [\"ann\", 2]}"))
        .containsEntry("workflowID", "ts-1");
    client(
        "enqueue",
        "{\"workflowName\": \"greet\", \"workflowClassName\": \""
            + CLASS
            + "\","
            + " \"queueName\": \"q\", \"workflowID\": \"ts-2\","
            + " \"positionalArgs\": [\"bo\"], \"namedArgs\": {\"count\": 3}}");
    client(
        "enqueue",
        "{\"workflowName\": \"fail\", \"workflowClassName\": \""
            + CLASS
            + "\","
            + " \"queueName\": \"q\", \"workflowID\": \"ts-3\", \"positionalArgs\": [\"x-2\"]}");

    assertThat(client("result", "ts-1"))
        .containsEntry("status", "SUCCESS")
        .containsEntry("output", "hello ann x2");
    assertThat(engine.retrieveWorkflow("ts-1").getResult(WAIT)).isEqualTo("hello ann x2");
    assertThat(client("result", "ts-2")).containsEntry("output", "hello bo x3");
    assertThat(client("result", "ts-3"))
        .containsEntry("status", "ERROR")
        .containsEntry(
            "error", Map.of("name", "IllegalArgumentException", "message", "no such sku: x-2"));
    assertThat(
            harness.query(
                "SELECT status || ' ' || executor_id || ' ' || queue_name || ' ' || serialization"
                    + " FROM dbos.workflow_status WHERE workflow_uuid = 'ts-1'"))
        .as("run by our engine, from the queue it listens to")
        .isEqualTo("SUCCESS server q portable_json");
  }

  /** A portable enqueue of greet on {@code q}, for {@code applicationName} (null: none). */
  private void enqueueGreet(String workflowId, String applicationName) {
    client(
        "enqueue",
        "{\"workflowName\": \"greet\", \"workflowClassName\": \""
            + CLASS
            + "\", \"queueName\": \"q\", \"workflowID\": \""
            + workflowId
            + "\", \"positionalArgs\": [\"ann\", 1]"
            + (applicationName == null ? "" : ", \"applicationName\": \"" + applicationName + "\"")
            + "}");
  }

  @Test
  void aNamedEngineRunsWhatTheClientEnqueuesForItOrForNoApplicationButNotForAnother()
      throws Exception {
    harness.engine("migrator"); // the schema, for the client
    // Enqueued before the engine listens, in this order: a claim takes the oldest rows first, so
    // once the last one has run, the earlier ones were each either taken or passed over.
    enqueueGreet("for-beta", "beta");
    enqueueGreet("for-nobody", null);
    enqueueGreet("for-alpha", "alpha");
    harness.engine(
        new EngineConfig("server", "v1", "dbos").withApplicationName("alpha"),
        java.util.concurrent.Executors.newCachedThreadPool(),
        List.of(QueueDefinition.unlimited("q").withPollingInterval(Duration.ofMillis(100))),
        greet());

    assertThat(client("result", "for-alpha")).containsEntry("output", "hello ann x1");
    assertThat(client("result", "for-nobody")).containsEntry("output", "hello ann x1");
    assertThat(
            harness.queryColumn(
                "SELECT workflow_uuid || ' ' || status || ' ' || COALESCE(application_name, '-')"
                    + " FROM dbos.workflow_status ORDER BY workflow_uuid"))
        .containsExactly(
            "for-alpha SUCCESS alpha", "for-beta ENQUEUED beta", "for-nobody SUCCESS alpha");
  }

  @Test
  void aWorkflowTheClientEnqueuesInItsOwnFormatFailsHereSayingSo() {
    engine(greet());

    client(
        "enqueueDefault",
        "{\"workflowName\": \"greet\", \"workflowClassName\": \""
            + CLASS
            + "\", \"queueName\": \"q\", \"workflowID\": \"ts-superjson\","
            + " \"positionalArgs\": [\"ann\", 2]}");

    Map<String, Object> result = client("result", "ts-superjson");
    assertThat(result).containsEntry("status", "ERROR");
    assertThat(result.get("error"))
        .asInstanceOf(InstanceOfAssertFactories.MAP)
        .containsEntry("name", "DBOSSerializationException")
        .extractingByKey("message", InstanceOfAssertFactories.STRING)
        .contains("'js_superjson'", "portable_json");
  }

  @Test
  void theClientsMessagesReachOurRecvAndItReadsTheEventTheyLeadTo() throws Exception {
    WorkflowSpec conversation =
        new WorkflowSpec(
            "conversation",
            String.class,
            new Class<?>[] {},
            (engine, args) -> {
              String first =
                  (String)
                      engine.recv("greeting", String.class, Duration.ofMinutes(1)).orElseThrow();
              @SuppressWarnings("unchecked")
              Map<String, Object> second =
                  (Map<String, Object>)
                      engine.recv("greeting", Map.class, Duration.ofMinutes(1)).orElseThrow();
              engine.setEvent("reply", "hello " + first + " and " + second.get("name"));
              return first + "," + second.get("name");
            });
    DBOSEngine engine = engine(conversation);
    WorkflowHandle<Object, Exception> handle = startWithId(engine, conversation, "conv");

    client("send", "conv", "\"ann\"", "greeting", "message-1");
    client("send", "conv", "\"ann\"", "greeting", "message-1"); // a repeat: ignored
    client("send", "conv", "{\"name\": \"bo\"}", "greeting");

    assertThat(handle.getResult(WAIT)).isEqualTo("ann,bo");
    assertThat(client("event", "conv", "reply")).containsEntry("value", "hello ann and bo");
    assertThat(client("result", "conv")).containsEntry("output", "ann,bo");
    assertThat(
            harness.query(
                "SELECT count(*) || ' ' || bool_and(consumed) || ' ' || min(serialization)"
                    + " FROM dbos.notifications WHERE destination_uuid = 'conv'"))
        .isEqualTo("2 true portable_json");
  }

  @Test
  void theClientReadsOurQueuesWithTheirQueueWideAndPartitionLimits() {
    harness.engine(
        "server",
        List.of(
            QueueDefinition.unlimited("tenants")
                .withPartitioned(true)
                .withConcurrency(10)
                .withWorkerConcurrency(4)
                .withPartitionLimits(new PartitionLimits(3, 2, 5, Duration.ofMillis(1500))),
            QueueDefinition.unlimited("plain").withRateLimit(7, Duration.ofSeconds(2))));

    assertThat(client("queue", "tenants"))
        .containsEntry("name", "tenants")
        .containsEntry("concurrency", 10)
        .containsEntry("workerConcurrency", 4)
        .doesNotContainKey("rateLimit") // not set: undefined, left out of the JSON
        .containsEntry("partitionConcurrency", 3)
        .containsEntry("partitionWorkerConcurrency", 2)
        .containsEntry("partitionRateLimit", Map.of("limitPerPeriod", 5, "periodSec", 1.5))
        .containsEntry("minPollingIntervalMs", 1000)
        .containsEntry("partitioned", true);
    assertThat(client("queue", "plain"))
        .doesNotContainKeys("concurrency", "partitionConcurrency")
        .containsEntry("rateLimit", Map.of("limitPerPeriod", 7, "periodSec", 2))
        .containsEntry("partitioned", false);
  }

  @Test
  void theClientCancelsAndResumesOurWorkflowAndItFinishesHere() throws Exception {
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    WorkflowSpec held = held(holding, release);
    DBOSEngine engine = engine(held);
    WorkflowHandle<Object, Exception> handle = startWithId(engine, held, "w");
    assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
    long running = System.nanoTime();

    client("cancel", "w");
    assertThat(client("status", "w")).containsEntry("status", "CANCELLED");
    EngineHarness.untilItsStatusIsReadAgain(running);
    release.countDown();
    assertThatThrownBy(() -> handle.getResult(WAIT))
        .as("seen at the next checkpoint")
        .isInstanceOf(DBOSWorkflowCancelledException.class);
    assertThat(runs("after")).isZero();

    assertThat(client("resume", "w")).containsEntry("workflowID", "w");
    assertThat(client("result", "w"))
        .containsEntry("status", "SUCCESS")
        .containsEntry("output", "done");
    assertThat(runs("before")).as("resumed after its last completed step").isEqualTo(1);
    assertThat(runs("after")).isEqualTo(1);
    assertThat(
            harness.query("SELECT executor_id FROM dbos.workflow_status WHERE workflow_uuid = 'w'"))
        .isEqualTo("server");
  }

  @Test
  void theSdksMigrationRunnerFindsNothingToDoOnOurSchemaAndOurWorkflowsKeepRunning()
      throws Exception {
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    WorkflowSpec held = held(holding, release);
    DBOSEngine engine = engine(held);
    WorkflowHandle<Object, Exception> inFlight = startWithId(engine, held, "in-flight");
    assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
    DataSource ds = harness.dataSource();
    SchemaSnapshot.logDdl(ds);
    List<String> before = SchemaSnapshot.take(ds, "dbos", true);

    Map<String, Object> migrated = typescript.object("migrate.js");

    assertThat(migrated)
        .containsEntry("fromVersion", 123)
        .containsEntry("toVersion", 123)
        .containsEntry("latestMigration", 123)
        .containsEntry("ranMigrations", false)
        .containsEntry("error", null);
    assertThat(SchemaSnapshot.loggedDdl(ds)).as("DDL run on the database").isEmpty();
    assertThat(SchemaSnapshot.take(ds, "dbos", true)).isEqualTo(before);
    assertThat(harness.query("SELECT string_agg(version::text, ',') FROM dbos.dbos_migrations"))
        .isEqualTo("123");

    release.countDown();
    assertThat(inFlight.getResult(WAIT)).isEqualTo("done");
    assertThat(client("status", "in-flight"))
        .containsEntry("status", "SUCCESS")
        .containsEntry("output", "done");
    assertThat(runs("before")).isEqualTo(1);
    assertThat(runs("after")).isEqualTo(1);
  }

  /**
   * The control of the test above: on a schema this library left at migration 41 (the shape of the
   * Java, Python and Go SDKs before the shared numbering), the runner does find work. The
   * TypeScript SDK's history below 100 is its own, and its 42 alters a 13-argument enqueue_workflow
   * that only its history created: it stops there, at 41, and a TypeScript application launched on
   * such a schema fails.
   */
  @Test
  void onASchemaOurLibraryLeftAt41TheRunnerRunsItsOwnMigrations() throws Exception {
    DataSource ds = harness.dataSource();
    SchemaSnapshot.migrateTo(ds, "dbos", 41);

    Map<String, Object> migrated = typescript.object("migrate.js");

    assertThat(migrated)
        .containsEntry("fromVersion", 41)
        .containsEntry("toVersion", 41)
        .containsEntry("ranMigrations", true);
    assertThat(migrated.get("error"))
        .asInstanceOf(InstanceOfAssertFactories.MAP)
        .extractingByKey("message", InstanceOfAssertFactories.STRING)
        .contains("enqueue_workflow", "does not exist");
  }
}
