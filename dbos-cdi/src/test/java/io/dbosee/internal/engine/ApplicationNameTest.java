package io.dbosee.internal.engine;

import static io.dbosee.internal.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbosee.DBOSQueueDuplicatedException;
import io.dbosee.ForkOptions;
import io.dbosee.ScheduleStatus;
import io.dbosee.WorkflowHandle;
import io.dbosee.WorkflowSchedule;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several applications on one system database, told apart by {@code application_name} as the DBOS
 * SDKs tell them apart: each claims the rows it writes and the unclaimed rows it dequeues, and
 * recovers, dequeues and debounces only its own and unclaimed ones.
 */
class ApplicationNameTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final EngineHarness harness = new EngineHarness();
  private final ExecutorService callers = Executors.newCachedThreadPool();
  private final AtomicInteger runs = new AtomicInteger();
  private final CountDownLatch neverReleased = new CountDownLatch(1);

  @AfterEach
  void stop() {
    callers.shutdownNow();
    harness.close();
  }

  /** Blocks on its first run (the server dies there), finishes on later ones. */
  private WorkflowSpec blocksOnce() {
    return new WorkflowSpec(
        "blocksOnce",
        String.class,
        new Class<?>[0],
        (engine, args) -> {
          step(
              engine,
              "work",
              () -> {
                if (runs.incrementAndGet() == 1) {
                  neverReleased.await();
                }
                return 1;
              });
          return "done";
        });
  }

  /** An engine of application {@code name} (null: none) that listens to {@code queues}. */
  private DBOSEngine engine(
      String executorId, String name, List<QueueDefinition> queues, WorkflowSpec workflow) {
    EngineConfig config = new EngineConfig(executorId, "v1", "dbos").withApplicationName(name);
    return harness.engine(config, Executors.newCachedThreadPool(), queues, workflow);
  }

  private String owner(String workflowId) {
    return harness.query(
        "SELECT application_name FROM dbos.workflow_status WHERE workflow_uuid = ?", workflowId);
  }

  @Test
  void anApplicationClaimsTheRowsItWrites() throws Exception {
    runs.set(1); // never blocks
    QueueDefinition queue = QueueDefinition.unlimited("alpha-queue");
    WorkflowSpec workflow = blocksOnce();
    DBOSEngine alpha = engine("server-a", "alpha", List.of(queue), workflow);

    assertThat(workflow.callWithId("direct")).isEqualTo("done");
    WorkflowHandle<Object, Exception> queued =
        workflow.start(StartSpec.onQueue("alpha-queue").withWorkflowId("queued"));
    assertThat(queued.getResult(WAIT)).isEqualTo("done");
    WorkflowHandle<Object, Exception> forked =
        alpha
            .management()
            .forkWorkflow("direct", 1, ForkOptions.DEFAULT.withNewWorkflowId("forked"));
    assertThat(forked.getResult(WAIT)).isEqualTo("done");

    assertThat(owner("direct")).isEqualTo("alpha");
    assertThat(owner("queued")).isEqualTo("alpha");
    assertThat(owner("forked")).isEqualTo("alpha");
    assertThat(
            harness.queryColumn(
                "SELECT DISTINCT application_name FROM dbos.operation_outputs"
                    + " WHERE workflow_uuid IN ('direct', 'queued', 'forked')"))
        .containsExactly("alpha");
    assertThat(harness.query("SELECT application_name FROM dbos.queues WHERE name = 'alpha-queue'"))
        .isEqualTo("alpha");
  }

  @Test
  void theOperationsOfMessagesEventsAndStreamsAreClaimedToo() throws Exception {
    WorkflowSpec talker =
        new WorkflowSpec(
            "talker",
            String.class,
            new Class<?>[0],
            (engine, args) -> {
              String self = engine.currentWorkflowId().orElseThrow();
              engine.send(self, "hello", "t", null);
              Object got = engine.recv("t", String.class, Duration.ofSeconds(10)).orElseThrow();
              engine.setEvent("said", got);
              engine.writeStream("words", got);
              return got;
            });
    engine("server-a", "alpha", List.of(), talker);

    assertThat(talker.callWithId("talk")).isEqualTo("hello");

    assertThat(
            harness.queryColumn(
                "SELECT function_name || ' ' || COALESCE(application_name, '-')"
                    + " FROM dbos.operation_outputs WHERE workflow_uuid = 'talk'"
                    + " ORDER BY function_id"))
        .containsExactly(
            "DBOS.send alpha",
            "DBOS.recv alpha",
            "DBOS.sleep alpha", // the recv's timeout, recorded as the SDKs record it
            "DBOS.setEvent alpha",
            "DBOS.writeStream alpha");
  }

  @Test
  void anEngineWithoutANameLeavesItsRowsUnclaimed() throws Exception {
    runs.set(1);
    WorkflowSpec workflow = blocksOnce();
    engine("server-a", null, List.of(QueueDefinition.unlimited("plain")), workflow);

    workflow.callWithId("nameless");

    assertThat(owner("nameless")).isNull();
    assertThat(harness.query("SELECT application_name FROM dbos.queues WHERE name = 'plain'"))
        .isNull();
  }

  @Test
  void aQueuedWorkflowIsDequeuedOnlyByItsApplication() throws Exception {
    runs.set(1);
    QueueDefinition queue = QueueDefinition.unlimited("shared");
    WorkflowSpec onBeta = blocksOnce();
    // Listening first: without the scope it would take alpha's workflow at once.
    DBOSEngine beta = engine("server-b", "beta", List.of(queue), onBeta);
    WorkflowSpec onAlpha = onBeta.copy();
    DBOSEngine alpha = engine("server-a", "alpha", List.of(), onAlpha);
    alpha.registerQueue(queue, false);
    WorkflowHandle<Object, Exception> handle =
        onAlpha.start(StartSpec.onQueue("shared").withWorkflowId("alphas"));
    // The queues row as a server that ran before names left it: unclaimed, so alpha may declare
    // the queue too (a name another application owns is refused, tested below).
    harness.query(
        "UPDATE dbos.queues SET application_name = NULL WHERE name = 'shared' RETURNING name");

    WorkflowSpec alphaWorker = onBeta.copy();
    engine("server-a2", "alpha", List.of(queue), alphaWorker);

    assertThat(handle.getResult(WAIT)).isEqualTo("done");
    assertThat(beta.management().workflowStatus("alphas").orElseThrow().executorId())
        .as("beta, listening first, did not take alpha's workflow")
        .isEqualTo("server-a2");
  }

  @Test
  void anUnclaimedQueuedWorkflowIsClaimedByTheApplicationThatDequeuesIt() throws Exception {
    runs.set(1);
    QueueDefinition queue = QueueDefinition.unlimited("open");
    WorkflowSpec onClient = blocksOnce();
    // Stands for a client that names no application: its enqueue is unclaimed.
    DBOSEngine client = engine("client", null, List.of(), onClient);
    client.registerQueue(queue, false);
    WorkflowHandle<Object, Exception> handle =
        onClient.start(StartSpec.onQueue("open").withWorkflowId("unclaimed"));
    assertThat(owner("unclaimed")).isNull();

    WorkflowSpec worker = onClient.copy();
    engine("server-a", "alpha", List.of(queue), worker);

    assertThat(handle.getResult(WAIT)).isEqualTo("done");
    assertThat(owner("unclaimed")).isEqualTo("alpha");
  }

  @Test
  void recoveryLeavesAnotherApplicationsPendingWorkflows() throws Exception {
    WorkflowSpec old = blocksOnce();
    // Both applications' servers keep the default executor id, as they would.
    DBOSEngine alpha = engine("local", "alpha", List.of(), old);
    callers.submit(() -> old.callWithId("in-flight"));
    await().atMost(WAIT).until(() -> runs.get() == 1);
    harness.crash(alpha);

    DBOSEngine beta = engine("local", "beta", List.of(), old.copy());
    assertThat(beta.recoverPendingWorkflows()).isEmpty();
    assertThat(harness.status("in-flight")).isEqualTo("PENDING");

    DBOSEngine alphaAgain = engine("local", "alpha", List.of(), old.copy());
    assertThat(alphaAgain.recoverPendingWorkflows()).containsExactly("in-flight");
    await().atMost(WAIT).until(() -> "SUCCESS".equals(harness.status("in-flight")));
  }

  @Test
  void recoveryTakesUnclaimedPendingWorkflows() throws Exception {
    WorkflowSpec old = blocksOnce();
    // A server that named no application yet: its rows are unclaimed.
    DBOSEngine before = engine("local", null, List.of(), old);
    callers.submit(() -> old.callWithId("in-flight"));
    await().atMost(WAIT).until(() -> runs.get() == 1);
    harness.crash(before);

    DBOSEngine named = engine("local", "alpha", List.of(), old.copy());
    assertThat(named.recoverPendingWorkflows()).containsExactly("in-flight");
    await().atMost(WAIT).until(() -> "SUCCESS".equals(harness.status("in-flight")));
  }

  @Test
  void aDebounceKeyHeldByAnotherApplicationIsADuplicate() throws Exception {
    runs.set(1);
    WorkflowSpec onAlpha = blocksOnce();
    DBOSEngine alpha = engine("server-a", "alpha", List.of(), onAlpha);
    WorkflowSpec onBeta = onAlpha.copy();
    DBOSEngine beta = engine("server-b", "beta", List.of(), onBeta);
    DebounceSpec spec = DebounceSpec.of("key", Duration.ofMinutes(10));

    String alphas = alpha.debounce(spec, () -> onAlpha.call()).workflowId();
    assertThat(owner(alphas)).isEqualTo("alpha");

    assertThatThrownBy(() -> beta.debounce(spec, () -> onBeta.call()))
        .as("beta neither pushes back nor takes over alpha's waiting workflow")
        .isInstanceOf(DBOSQueueDuplicatedException.class);
    assertThat(alpha.debounce(spec, () -> onAlpha.call()).workflowId())
        .as("alpha's own calls still push its workflow back")
        .isEqualTo(alphas);
  }

  private static WorkflowSpec tick() {
    return new WorkflowSpec(
        "tick", String.class, new Class<?>[] {Instant.class, Instant.class}, (e, a) -> "ticked");
  }

  private static List<String> names(Scheduler scheduler) {
    return scheduler.list().stream().map(ScheduleStatus::schedule).map(s -> s.name()).toList();
  }

  @Test
  void anApplicationRunsAndListsOnlyItsOwnAndUnclaimedSchedules() {
    DBOSEngine alpha = engine("server-a", "alpha", List.of(), tick());
    DBOSEngine beta = engine("server-b", "beta", List.of(), tick());
    DBOSEngine nameless = engine("server-n", null, List.of(), tick());
    Scheduler alphas = harness.scheduler(alpha, TimeSource.SYSTEM, null);
    Scheduler betas = harness.scheduler(beta, TimeSource.SYSTEM, null);
    Scheduler unnamed = harness.scheduler(nameless, TimeSource.SYSTEM, null);

    alphas.create(WorkflowSchedule.of("alpha-ticks", "test.Workflows", "tick", "* * * * * *"));
    unnamed.create(WorkflowSchedule.of("open-ticks", "test.Workflows", "tick", "* * * * * *"));

    assertThat(
            harness.query(
                "SELECT application_name FROM dbos.workflow_schedules"
                    + " WHERE schedule_name = 'alpha-ticks'"))
        .isEqualTo("alpha");
    assertThat(names(betas))
        .as("beta's scheduler, which runs what it lists, never sees alpha's schedule")
        .containsExactly("open-ticks");
    assertThat(names(alphas)).containsExactly("alpha-ticks", "open-ticks");
    assertThat(names(unnamed)).containsExactly("alpha-ticks", "open-ticks");
  }

  @Test
  void aQueueNameAnotherApplicationRegisteredIsRefusedAtLaunch() {
    QueueDefinition queue = QueueDefinition.unlimited("payments");
    engine("server-a", "alpha", List.of(queue), blocksOnce());

    assertThatThrownBy(() -> engine("server-b", "beta", List.of(queue), blocksOnce()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("DBOS-CDI-092")
        .hasMessageContaining("Queue 'payments' is already registered by application 'alpha'");
    assertThat(harness.query("SELECT application_name FROM dbos.queues WHERE name = 'payments'"))
        .isEqualTo("alpha");
    // Another server of alpha, or one with no name, declares it as before.
    engine("server-a2", "alpha", List.of(queue), blocksOnce());
    engine("server-n", null, List.of(queue), blocksOnce());
  }

  @Test
  void anEmptyOrOverlongNameIsRefused() {
    EngineConfig config = new EngineConfig("local", "v1", "dbos");
    assertThatThrownBy(() -> config.withApplicationName(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 128 characters");
    assertThatThrownBy(() -> config.withApplicationName("x".repeat(129)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(config.withApplicationName("x".repeat(128)).applicationName()).hasSize(128);
  }
}
