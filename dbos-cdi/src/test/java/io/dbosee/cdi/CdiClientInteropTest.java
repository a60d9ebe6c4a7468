package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dbos.transact.DBOSClient;
import dev.dbos.transact.DBOSClient.EnqueueOptions;
import dev.dbos.transact.workflow.StepInfo;
import dev.dbos.transact.workflow.WorkflowStatus;
import io.dbosee.DBOS;
import io.dbosee.Step;
import io.dbosee.Workflow;
import io.dbosee.WorkflowQueue;
import io.dbosee.testing.TestPostgres;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How another SDK's client addresses a CDI bean's workflow (docs/guide/dbos-clients.md): the
 * workflow name, the bean class's name, no instance name, a declared queue; arguments by position
 * or by parameter name.
 */
class CdiClientInteropTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final TestPostgres.Database database = TestPostgres.newDatabase();
  private WeldContainer container;
  private DBOSClient client;

  public record Line(String sku, int quantity) {}

  @WorkflowQueue(name = "orders")
  @ApplicationScoped
  public static class Orders {
    @Inject Orders self;

    @Step
    public String reserve(String sku) {
      return "reserved " + sku;
    }

    @Workflow
    public String checkout(String orderId, Line line) {
      return orderId + ": " + self.reserve(line.sku()) + " x" + line.quantity();
    }

    @Workflow(name = "refund")
    public int refundOrder(String orderId, int cents) {
      return cents;
    }
  }

  @BeforeEach
  void start() {
    container = CdiTestSupport.start(CdiTestSupport.systemDatabase(database), Orders.class);
    client = new DBOSClient(database.jdbcUrl(), database.user(), database.password());
  }

  @AfterEach
  void stop() {
    client.close();
    container.close();
    CdiTestSupport.releaseConfig();
  }

  @Test
  void theClientAddressesABeansWorkflowByWorkflowNameAndBeanClassName() throws Exception {
    String beanClass = Orders.class.getName();
    assertThat(beanClass).isEqualTo("io.dbosee.cdi.CdiClientInteropTest$Orders");
    EnqueueOptions checkout = new EnqueueOptions("checkout", beanClass, "orders");

    var positional =
        client.<String>enqueuePortableWorkflow(
            checkout.withWorkflowId("o-1"),
            new Object[] {"o-1", Map.of("sku", "a", "quantity", 2)},
            null);
    var named =
        client.<String>enqueuePortableWorkflow(
            checkout, new Object[] {"o-2"}, Map.of("line", Map.of("sku", "b", "quantity", 3)));
    var renamed =
        client.<Integer>enqueuePortableWorkflow(
            new EnqueueOptions("refund", beanClass, "orders"), new Object[] {"o-1", 250}, null);

    assertThat(result(positional.workflowId())).isEqualTo("o-1: reserved a x2");
    assertThat(result(named.workflowId())).isEqualTo("o-2: reserved b x3");
    assertThat(result(renamed.workflowId())).isEqualTo(250);

    WorkflowStatus status = client.getWorkflowStatus("o-1").orElseThrow();
    assertThat(status.workflowName()).isEqualTo("checkout");
    assertThat(status.className()).isEqualTo(beanClass);
    assertThat(status.instanceName()).isNull();
    assertThat(client.listWorkflowSteps("o-1"))
        .extracting(StepInfo::functionName)
        .containsExactly("reserve");
  }

  @Test
  void theEnqueueWorkflowSqlFunctionBindsNamedArgumentsToTheMethodsParameters() throws Exception {
    String id =
        database.query(
            "SELECT dbos.enqueue_workflow('refund', 'orders', named_args =>"
                + " '{\"cents\": 100, \"orderId\": \"o-3\"}'::json, class_name => ?)",
            Orders.class.getName());

    await()
        .atMost(WAIT)
        .until(
            () ->
                "SUCCESS"
                    .equals(
                        database.query(
                            "SELECT status FROM dbos.workflow_status WHERE workflow_uuid = ?",
                            id)));
    assertThat(result(id)).isEqualTo(100);
  }

  /**
   * A workflow's result, read through this library: the Java client 1.1.0-m6 reads results from the
   * status row, where writers since migration 109 leave them NULL (docs/guide/dbos-clients.md).
   */
  private Object result(String workflowId) throws Exception {
    return container.select(DBOS.class).get().retrieveWorkflow(workflowId).getResult(WAIT);
  }
}
