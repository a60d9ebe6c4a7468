package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbosee.DBOS;
import io.dbosee.ForkOptions;
import io.dbosee.ListWorkflowsInput;
import io.dbosee.Step;
import io.dbosee.StepInfo;
import io.dbosee.Workflow;
import io.dbosee.WorkflowHandle;
import io.dbosee.WorkflowState;
import io.dbosee.WorkflowStatus;
import io.dbosee.testing.TestPostgres;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The management API through the injectable {@link DBOS}, on Weld SE. */
class CdiManagementTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  static final AtomicInteger shipped = new AtomicInteger();

  private final TestPostgres.Database database = TestPostgres.newDatabase();
  private WeldContainer container;
  private DBOS dbos;
  private Orders orders;

  @ApplicationScoped
  public static class Orders {
    @Inject DBOS dbos;
    @Inject Orders self;

    @Step
    public String reserve(String order) {
      return "reserved " + order;
    }

    @Step
    public String ship(String order) {
      return "shipped " + order + " #" + shipped.incrementAndGet();
    }

    @Workflow
    public String process(String order) {
      return self.reserve(order) + ", " + self.ship(order);
    }

    @Workflow
    public int countOrders() {
      return dbos.listWorkflows(ListWorkflowsInput.ALL.withName("process")).size();
    }
  }

  @BeforeEach
  void start() {
    shipped.set(0);
    container = CdiTestSupport.start(CdiTestSupport.systemDatabase(database), Orders.class);
    dbos = container.select(DBOS.class).get();
    orders = container.select(Orders.class).get();
  }

  @AfterEach
  void stop() {
    container.close();
    CdiTestSupport.releaseConfig();
  }

  @Test
  void anOperatorListsInspectsForksAndDeletesWorkflowsThroughTheBean() throws Exception {
    try (var id = dbos.withWorkflowId("order-1")) {
      orders.process("o1");
    }

    List<WorkflowStatus> listed =
        dbos.listWorkflows(ListWorkflowsInput.ALL.withStatuses(WorkflowState.SUCCESS));
    assertThat(listed).extracting(WorkflowStatus::workflowId).containsExactly("order-1");
    assertThat(listed.get(0).className()).isEqualTo(Orders.class.getName());
    assertThat(listed.get(0).applicationVersion()).isEqualTo(dbos.applicationVersion());
    assertThat(dbos.listWorkflowSteps("order-1"))
        .extracting(StepInfo::functionName)
        .containsExactly("reserve", "ship");

    WorkflowHandle<String, RuntimeException> forked =
        dbos.forkWorkflow("order-1", 1, ForkOptions.DEFAULT.withNewWorkflowId("order-1-again"));
    assertThat(forked.getResult(WAIT)).isEqualTo("reserved o1, shipped o1 #2");
    assertThat(dbos.getWorkflowStatus("order-1-again").orElseThrow().forkedFrom())
        .isEqualTo("order-1");

    assertThat(dbos.deleteWorkflow("order-1", false)).containsExactly("order-1");
    assertThat(dbos.getWorkflowStatus("order-1")).isEmpty();
  }

  @Test
  void aListingInsideAWorkflowIsRecordedAsAStep() throws Exception {
    try (var id = dbos.withWorkflowId("order-2")) {
      orders.process("o2");
    }
    int count;
    try (var id = dbos.withWorkflowId("counter")) {
      count = orders.countOrders();
    }

    assertThat(count).isEqualTo(1);
    assertThat(dbos.listWorkflowSteps("counter"))
        .extracting(StepInfo::functionName)
        .containsExactly("DBOS.listWorkflows");
  }
}
