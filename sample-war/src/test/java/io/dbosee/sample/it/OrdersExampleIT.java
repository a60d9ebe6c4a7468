package io.dbosee.sample.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sample's orders example ({@code GET /order}, OrdersExample) as packaged, with its own
 * configuration: the order in the second application database ({@code jdbc/orders}, the datasource
 * {@code orders}), the sale in the sample's, each step's outcome in the {@code
 * dbos.datasource_outputs} of its own database, and neither run again when the workflow recovers.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OrdersExampleIT {
  private static final String SAMPLE = "orders-example";
  private static final Pattern ANSWER =
      Pattern.compile("Order (\\S+) placed for (\\S+); sales recorded: (\\d+)\n");

  @ArquillianResource ContainerController controller;
  @ArquillianResource Deployer deployer;

  @Deployment(name = SAMPLE, managed = false, testable = false)
  static WebArchive sample() {
    return SampleServer.sampleWar();
  }

  private static final ServerForClass SERVER = new ServerForClass(OrdersExampleIT.class, SAMPLE);

  @BeforeEach
  void startAndDeployOnce() throws Exception {
    SERVER.beforeEach(controller, deployer, () -> {});
  }

  @AfterEach
  void undeployAndStopAfterTheLastTest() throws Exception {
    SERVER.afterEach(controller, deployer);
  }

  /** The first column of the first row the query answers in the orders database, or null. */
  private static String inOrders(String sql, String arg) throws SQLException {
    try (Connection c =
            DriverManager.getConnection(
                System.getProperty("test.postgres.orders.url"), "postgres", "");
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, arg);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private static String order(String item, String workflowId) throws Exception {
    String path = "/order?item=" + item + "&id=" + workflowId;
    HttpResponse<String> response = SampleServer.get(path);
    assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
    return response.body();
  }

  private static String outcomes(String workflowId) {
    return "SELECT string_agg(step_id || '=' || output, ',' ORDER BY step_id)"
        + " FROM dbos.datasource_outputs WHERE workflow_id = ?";
  }

  @Test
  void theOrderGoesToTheOrdersDatabaseAndTheSaleToTheSamplesEachWithItsOutcome() throws Exception {
    String id = "order-" + System.nanoTime();

    String answer = order("lamp", id);

    Matcher m = ANSWER.matcher(answer);
    assertThat(m.matches()).as(answer).isTrue();
    String orderId = m.group(1);
    assertThat(m.group(2)).isEqualTo("lamp");
    long sales = SampleServer.count("SELECT count(*) FROM sales");
    assertThat(Long.parseLong(m.group(3))).isEqualTo(sales);

    assertThat(inOrders("SELECT item FROM customer_orders WHERE id = ?", orderId))
        .isEqualTo("lamp");
    assertThat(SampleServer.text("SELECT item FROM sales WHERE order_id = ?", orderId))
        .isEqualTo("lamp");
    assertThat(inOrders(outcomes(id), id))
        .as("the @Transaction(datasource = \"orders\") step's outcome, in the orders database")
        .isEqualTo("0=\"" + orderId + "\"");
    assertThat(SampleServer.text(outcomes(id), id))
        .as("the runTransaction step's outcome, in the sample's database")
        .isEqualTo("1=" + sales);
    assertThat(
            SampleServer.text(
                "SELECT string_agg(function_id || '=' || function_name, ',' ORDER BY function_id)"
                    + " FROM dbos.operation_outputs WHERE workflow_uuid = ?",
                id))
        .isEqualTo("0=placeOrder,1=recordSale");
    assertThat(SampleServer.workflowStatus(id)).contains("SUCCESS");
  }

  @Test
  void aRecoveredOrderWorkflowPlacesNoSecondOrderAndRecordsNoSecondSale() throws Exception {
    String id = "order-recovered-" + System.nanoTime();
    String first = order("chair", id);
    String orderId = first.substring("Order ".length(), first.indexOf(' ', "Order ".length()));
    // What a crash right after both commits and before their checkpoints leaves: the outcome rows
    // in each database, no checkpoints, and a PENDING workflow.
    assertThat(
            SampleServer.update("DELETE FROM dbos.operation_outputs WHERE workflow_uuid = ?", id))
        .isEqualTo(2);
    assertThat(
            SampleServer.update(
                "UPDATE dbos.workflow_status SET status = 'PENDING', output = NULL, error = NULL"
                    + " WHERE workflow_uuid = ?",
                id))
        .isEqualTo(1);

    assertThat(order("chair", id)).as("the recorded outcomes, returned again").isEqualTo(first);

    assertThat(inOrders("SELECT count(*) FROM customer_orders WHERE item = ?", "chair"))
        .isEqualTo("1");
    assertThat(SampleServer.count("SELECT count(*) FROM sales WHERE order_id = ?", orderId))
        .isEqualTo(1);
    assertThat(
            SampleServer.count(
                "SELECT count(*) FROM dbos.operation_outputs WHERE workflow_uuid = ?", id))
        .as("checkpointed again from the two databases' records")
        .isEqualTo(2);
    assertThat(SampleServer.workflowStatus(id)).contains("SUCCESS");
  }
}
