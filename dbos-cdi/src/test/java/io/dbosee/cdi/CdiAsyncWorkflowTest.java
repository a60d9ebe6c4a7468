package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbosee.DBOS;
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
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Workflow methods declared to return a {@link CompletionStage}: a call starts the workflow in the
 * background and returns the stage of its result, as Jakarta Concurrency's {@code @Asynchronous}.
 */
class CdiAsyncWorkflowTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final TestPostgres.Database database = TestPostgres.newDatabase();
  private WeldContainer container;
  private DBOS dbos;
  private Orders orders;

  public record Receipt(String order, int reservations) {}

  @WorkflowQueue(name = "orders")
  @ApplicationScoped
  public static class Orders {
    static final AtomicInteger RESERVATIONS = new AtomicInteger();

    @Inject DBOS dbos;
    @Inject Orders self;

    @Inject
    @QueueName("orders")
    Queue queue;

    @Step
    public int reserve(String order) {
      return RESERVATIONS.incrementAndGet();
    }

    /** Reserves, then waits for a "go" message before it finishes. */
    @Workflow
    public CompletionStage<Receipt> place(String order) {
      int reservations = self.reserve(order);
      dbos.recv("go", String.class, Duration.ofMinutes(5)).orElseThrow();
      return CompletableFuture.completedFuture(new Receipt(order, reservations));
    }

    @Workflow
    public CompletableFuture<String> quick(String order) {
      return CompletableFuture.completedFuture("quick " + order);
    }

    @Workflow
    public CompletionStage<String> decline(String order) {
      return CompletableFuture.failedFuture(new IllegalStateException("declined " + order));
    }

    public WorkflowHandle<CompletableFuture<String>, RuntimeException> enqueueQuick(String order) {
      return queue.enqueue(() -> self.quick(order));
    }

    /** Calls an asynchronous workflow as its child and waits for it. */
    @Workflow
    public String parent(String order) {
      return self.quick(order).toCompletableFuture().join();
    }
  }

  @BeforeEach
  void start() {
    container = CdiTestSupport.start(CdiTestSupport.systemDatabase(database), Orders.class);
    dbos = container.select(DBOS.class).get();
    orders = container.select(Orders.class).get();
  }

  @AfterEach
  void stop() {
    container.close();
    CdiTestSupport.releaseConfig();
  }

  private static <T> T resultOf(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void aCallStartsTheWorkflowAndReturnsItsStageAtOnce() throws Exception {
    CompletionStage<Receipt> stage;
    try (var id = dbos.withWorkflowId("order-1")) {
      stage = orders.place("order-1");
    }
    assertThat(stage.toCompletableFuture()).isNotDone();
    assertThat(dbos.retrieveWorkflow("order-1").getStatus().state())
        .isEqualTo(WorkflowState.PENDING);

    dbos.send("order-1", "now", "go");

    assertThat(resultOf(stage)).isEqualTo(new Receipt("order-1", 1));
    WorkflowHandle<CompletionStage<Receipt>, RuntimeException> handle =
        dbos.retrieveWorkflow("order-1");
    assertThat(resultOf(handle.getResult()))
        .as("a handle's result is what the method returns: a stage of the recorded value")
        .isEqualTo(new Receipt("order-1", 1));
    try (var id = dbos.withWorkflowId("order-1")) {
      assertThat(resultOf(orders.place("order-1")))
          .as("called again with its id: the recorded result, nothing run")
          .isEqualTo(new Receipt("order-1", 1));
    }
    assertThat(Orders.RESERVATIONS).hasValue(1);
  }

  @Test
  void aStageCompletedExceptionallyIsTheWorkflowsError() throws Exception {
    CompletionStage<String> stage;
    try (var id = dbos.withWorkflowId("declined")) {
      stage = orders.decline("o-9");
    }

    assertThatThrownBy(() -> resultOf(stage))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("declined o-9");
    assertThat(dbos.retrieveWorkflow("declined").getStatus().state())
        .isEqualTo(WorkflowState.ERROR);
  }

  @Test
  void calledFromAWorkflowItIsADurableChild() throws Exception {
    String result;
    try (var id = dbos.withWorkflowId("parent-1")) {
      result = orders.parent("o-2");
    }

    assertThat(result).isEqualTo("quick o-2");
    WorkflowHandle<CompletableFuture<String>, RuntimeException> child =
        dbos.retrieveWorkflow("parent-1-0");
    assertThat(child.getResult().join()).isEqualTo("quick o-2");
    assertThat(child.getStatus().parentWorkflowId()).isEqualTo("parent-1");
  }

  @Test
  void startedOrEnqueuedItRunsAndRecordsTheStagesValue() throws Exception {
    WorkflowHandle<CompletableFuture<String>, RuntimeException> started =
        dbos.startWorkflow(() -> orders.quick("o-3"));
    WorkflowHandle<CompletableFuture<String>, RuntimeException> enqueued =
        orders.enqueueQuick("o-4");

    assertThat(started.getResult(WAIT).join()).isEqualTo("quick o-3");
    assertThat(enqueued.getResult(WAIT).join()).isEqualTo("quick o-4");
    CompletionStage<String> flattened = enqueued.getResultAsync().thenCompose(stage -> stage);
    assertThat(resultOf(flattened)).isEqualTo("quick o-4");
  }
}
