package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbosee.DBOS;
import io.dbosee.DBOSUnknownQueueException;
import io.dbosee.DBOSWorkflowCancelledException;
import io.dbosee.EnqueueOptions;
import io.dbosee.Queue;
import io.dbosee.QueueName;
import io.dbosee.Step;
import io.dbosee.Workflow;
import io.dbosee.WorkflowHandle;
import io.dbosee.WorkflowQueue;
import io.dbosee.WorkflowState;
import io.dbosee.testing.TestPostgres;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Queues and background starts through the CDI programming model, on Weld SE. */
class CdiQueueTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final TestPostgres.Database database = TestPostgres.newDatabase();
  private WeldContainer container;
  private DBOS dbos;
  private Tasks tasks;
  private Queue exampleQueue;

  @WorkflowQueue(name = "example-queue")
  @WorkflowQueue(name = "narrow", concurrency = 5)
  @ApplicationScoped
  public static class Tasks {
    static final Map<Integer, AtomicInteger> RUNS = new ConcurrentHashMap<>();
    static final AtomicInteger RUNNING = new AtomicInteger();
    static final AtomicInteger MAX_RUNNING = new AtomicInteger();

    @Inject DBOS dbos;
    @Inject Tasks self;

    @Inject
    @QueueName("example-queue")
    Queue queue;

    @Step
    public int task(int i) throws IOException {
      RUNS.computeIfAbsent(i, k -> new AtomicInteger()).incrementAndGet();
      MAX_RUNNING.accumulateAndGet(RUNNING.incrementAndGet(), Math::max);
      try {
        Thread.sleep(50); // the workload
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        RUNNING.decrementAndGet();
      }
      if (i < 0) {
        throw new IOException("negative " + i);
      }
      return i * i;
    }

    @Workflow
    public long sumOfSquares(int n) throws IOException {
      List<WorkflowHandle<Integer, IOException>> handles = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        int arg = i;
        handles.add(queue.enqueue(() -> self.task(arg)));
      }
      long sum = 0;
      for (WorkflowHandle<Integer, IOException> handle : handles) {
        sum += handle.getResult();
      }
      return sum;
    }

    @Workflow
    public int doubled(int i) {
      return 2 * i;
    }

    @Workflow
    public String sleepy() {
      dbos.sleep(Duration.ofMinutes(10));
      return "woke";
    }
  }

  @BeforeEach
  void start() {
    Tasks.RUNS.clear();
    Tasks.MAX_RUNNING.set(0);
    Map<String, String> properties = new HashMap<>(CdiTestSupport.systemDatabase(database));
    // Configuration overrides the annotation.
    properties.put("dbos.queue.\"narrow\".concurrency", "2");
    properties.put("dbos.queue.\"from-config\".worker-concurrency", "3");
    container = CdiTestSupport.start(properties, Tasks.class);
    dbos = container.select(DBOS.class).get();
    tasks = container.select(Tasks.class).get();
    exampleQueue = container.select(Queue.class, new QueueName.Literal("example-queue")).get();
  }

  @AfterEach
  void stop() {
    container.close();
    CdiTestSupport.releaseConfig();
  }

  @Test
  void tenEnqueuedStepsRunConcurrentlyAsOneStepWorkflows() throws Exception {
    List<WorkflowHandle<Integer, IOException>> handles = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      int arg = i;
      handles.add(exampleQueue.enqueue(() -> tasks.task(arg)));
    }
    for (int i = 0; i < 10; i++) {
      assertThat(handles.get(i).getResult(WAIT)).isEqualTo(i * i);
    }

    assertThat(Tasks.RUNS).hasSize(10).allSatisfy((i, runs) -> assertThat(runs.get()).isOne());
    assertThat(Tasks.MAX_RUNNING.get()).as("they ran side by side").isGreaterThan(1);
    String id = handles.get(3).workflowId();
    assertThat(
            database.query(
                "SELECT name || ' ' || class_name || ' ' || queue_name FROM dbos.workflow_status"
                    + " WHERE workflow_uuid = ?",
                id))
        .isEqualTo("<temp>.task " + Tasks.class.getName() + " example-queue");
    assertThat(
            database.query(
                "SELECT function_id || ':' || function_name || '=' || output FROM"
                    + " dbos.operation_outputs WHERE workflow_uuid = ?",
                id))
        .isEqualTo("0:task=9");
  }

  @Test
  void aQueuedStepsExceptionComesBackAsItsOwnType() {
    WorkflowHandle<Integer, IOException> handle = exampleQueue.enqueue(() -> tasks.task(-2));

    assertThatThrownBy(() -> handle.getResult(WAIT))
        .isInstanceOf(IOException.class)
        .hasMessage("negative -2");
  }

  @Test
  void aWorkflowEnqueuesStepsAndWaitsForThem() throws Exception {
    WorkflowHandle<Long, IOException> handle = dbos.startWorkflow(() -> tasks.sumOfSquares(4));

    assertThat(handle.getResult(WAIT)).isEqualTo(30L);
    assertThat(
            database.query(
                "SELECT count(*) FROM dbos.workflow_status WHERE parent_workflow_id = ?",
                handle.workflowId()))
        .isEqualTo("4");
  }

  @Test
  void aWorkflowWithAPrimitiveResultStartsInTheBackground() throws Exception {
    WorkflowHandle<Integer, RuntimeException> handle;
    try (var id = dbos.withWorkflowId("double-21")) {
      handle = dbos.startWorkflow(() -> tasks.doubled(21));
    }

    assertThat(handle.workflowId()).isEqualTo("double-21");
    assertThat(handle.getResult(WAIT)).isEqualTo(42);
    assertThat(dbos.<Integer, RuntimeException>retrieveWorkflow("double-21").getResult())
        .isEqualTo(42);
    assertThat(dbos.getWorkflowStatus("double-21").orElseThrow().state())
        .isEqualTo(WorkflowState.SUCCESS);
  }

  @Test
  void configurationOverridesAndDeclaresQueues() {
    assertThat(dbos.queue("narrow").name()).isEqualTo("narrow");
    assertThat(dbos.queue("from-config").name()).isEqualTo("from-config");
    assertThatThrownBy(() -> dbos.queue("missing"))
        .isInstanceOf(DBOSUnknownQueueException.class)
        .hasMessageContaining("'missing'")
        .hasMessageContaining("example-queue, from-config, narrow");
  }

  @Test
  void theConfiguredConcurrencyHolds() throws Exception {
    Queue narrow = dbos.queue("narrow");
    List<WorkflowHandle<Integer, IOException>> handles = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      int arg = i;
      handles.add(
          narrow.enqueue(() -> tasks.task(arg), EnqueueOptions.DEFAULT.withWorkflowId("n" + i)));
    }
    for (WorkflowHandle<Integer, IOException> handle : handles) {
      handle.getResult(WAIT);
    }

    assertThat(Tasks.MAX_RUNNING.get()).isEqualTo(2);
  }

  @Test
  void theBeanCancelsAndTimesOutWorkflows() {
    WorkflowHandle<String, RuntimeException> handle = dbos.startWorkflow(() -> tasks.sleepy());
    dbos.cancelWorkflow(handle.workflowId());
    assertThatThrownBy(() -> handle.getResult(WAIT))
        .isInstanceOf(DBOSWorkflowCancelledException.class);

    try (var timeout = dbos.withTimeout(Duration.ofMillis(200))) {
      assertThatThrownBy(() -> tasks.sleepy())
          .isInstanceOf(DBOSWorkflowCancelledException.class)
          .hasMessageContaining("deadline");
    }
    WorkflowHandle<String, RuntimeException> queued =
        exampleQueue.enqueue(
            () -> tasks.sleepy(), EnqueueOptions.DEFAULT.withTimeout(Duration.ofMillis(200)));
    assertThatThrownBy(() -> queued.getResult(WAIT))
        .isInstanceOf(DBOSWorkflowCancelledException.class);
    assertThat(dbos.getWorkflowStatus(queued.workflowId()).orElseThrow().state())
        .isEqualTo(WorkflowState.CANCELLED);
  }
}
