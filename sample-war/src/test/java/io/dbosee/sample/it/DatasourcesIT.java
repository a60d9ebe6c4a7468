package io.dbosee.sample.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbosee.sample.it.inserver.DatasourceProbeResource;
import io.dbosee.sample.it.inserver.DatasourceProbes;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
 * Transaction steps on two databases in Open Liberty, each a persistence unit on its own JTA
 * DataSource: the sample's ({@code jdbc/app}, the default datasource) and its second, {@code
 * jdbc/orders} (the datasource {@code orders}, declared in the sample's MicroProfile Config, here
 * recording in its schema {@code shop}). Each step records its outcome in its own database, in its
 * own transaction; a crash between the second database's commit and the checkpoint does not run
 * that step again; the programmatic step runs on a chosen datasource and isolation.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class DatasourcesIT {
  private static final String PROBES = "ds-probes";

  @ArquillianResource ContainerController controller;
  @ArquillianResource Deployer deployer;

  /**
   * The sample (with its persistence unit {@code orders}) and another schema for the datasource.
   */
  @Deployment(name = PROBES, managed = false, testable = false)
  static WebArchive probes() {
    return SampleServer.withConfig(
        SampleServer.sampleWar().addClasses(DatasourceProbes.class, DatasourceProbeResource.class),
        "dbos.datasource.\"orders\".schema=shop");
  }

  private static final ServerForClass SERVER = new ServerForClass(DatasourcesIT.class, PROBES);

  @BeforeEach
  void startAndDeployOnce() throws Exception {
    SERVER.beforeEach(
        controller,
        deployer,
        () -> {
          String rows = "CREATE TABLE IF NOT EXISTS ds_probe_rows (workflow_id TEXT, label TEXT)";
          SampleServer.update(rows);
          orders(rows);
        });
  }

  @AfterEach
  void undeployAndStopAfterTheLastTest() throws Exception {
    SERVER.afterEach(controller, deployer);
  }

  private static Connection ordersDatabase() throws SQLException {
    return DriverManager.getConnection(
        System.getProperty("test.postgres.orders.url"), "postgres", "");
  }

  private static void orders(String sql) throws SQLException {
    try (Connection c = ordersDatabase();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static String inOrders(String sql, String workflowId) throws SQLException {
    try (Connection c = ordersDatabase();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, workflowId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private static String call(String path) throws Exception {
    HttpResponse<String> response = SampleServer.get(path);
    assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
    return response.body();
  }

  private static int runs(String key) throws Exception {
    return Integer.parseInt(call("/test/ds/runs?key=" + key).trim());
  }

  private static void makePendingAgain(String workflowId) throws SQLException {
    assertThat(
            SampleServer.update(
                "UPDATE dbos.workflow_status SET status = 'PENDING', output = NULL, error = NULL"
                    + " WHERE workflow_uuid = ?",
                workflowId))
        .isEqualTo(1);
  }

  @Test
  void eachStepCommitsWithItsOutcomeInItsOwnDatabase() throws Exception {
    String id = "ds-order-" + System.nanoTime();

    assertThat(call("/test/ds/order?id=" + id)).isEqualTo("paid+shipped");

    assertThat(SampleServer.text("SELECT label FROM ds_probe_rows WHERE workflow_id = ?", id))
        .isEqualTo("paid");
    assertThat(inOrders("SELECT label FROM ds_probe_rows WHERE workflow_id = ?", id))
        .isEqualTo("shipped");
    assertThat(
            SampleServer.text(
                "SELECT string_agg(step_id || '=' || output, ',') FROM dbos.datasource_outputs"
                    + " WHERE workflow_id = ?",
                id))
        .isEqualTo("0=\"paid\"");
    assertThat(
            inOrders(
                "SELECT string_agg(step_id || '=' || output, ',') FROM shop.datasource_outputs"
                    + " WHERE workflow_id = ?",
                id))
        .isEqualTo("1=\"shipped\"");
    assertThat(SampleServer.workflowStatus(id)).contains("SUCCESS");
  }

  @Test
  void aCrashBetweenTheSecondDatabasesCommitAndItsCheckpointDoesNotShipTwice() throws Exception {
    String id = "ds-crash-" + System.nanoTime();
    call("/test/ds/order?id=" + id);
    // What a crash right after the orders database's commit leaves: its outcome row there, no
    // checkpoint of that step, and a PENDING workflow.
    assertThat(
            SampleServer.update(
                "DELETE FROM dbos.operation_outputs WHERE workflow_uuid = ? AND function_id = 1",
                id))
        .isEqualTo(1);
    makePendingAgain(id);

    assertThat(call("/test/ds/order?id=" + id)).isEqualTo("paid+shipped");

    assertThat(runs(id + "/ship")).as("the second step's body ran once").isEqualTo(1);
    assertThat(runs(id + "/pay")).isEqualTo(1);
    assertThat(inOrders("SELECT count(*) FROM ds_probe_rows WHERE workflow_id = ?", id))
        .isEqualTo("1");
    assertThat(
            SampleServer.count(
                "SELECT count(*) FROM dbos.operation_outputs WHERE workflow_uuid = ?", id))
        .as("checkpointed again from the orders database's record")
        .isEqualTo(2);
    assertThat(SampleServer.workflowStatus(id)).contains("SUCCESS");
  }

  @Test
  void theProgrammaticStepRunsOnTheChosenDatasourceAndIsolationAndReplaysItsRecord()
      throws Exception {
    String id = "ds-count-" + System.nanoTime();

    String first = call("/test/ds/count?id=" + id);

    assertThat(first).isEqualTo("1 row(s) at read committed");
    assertThat(inOrders("SELECT output FROM shop.datasource_outputs WHERE workflow_id = ?", id))
        .isEqualTo("\"1 row(s) at read committed\"");
    SampleServer.update("DELETE FROM dbos.operation_outputs WHERE workflow_uuid = ?", id);
    makePendingAgain(id);
    assertThat(call("/test/ds/count?id=" + id)).isEqualTo(first);
    assertThat(runs(id + "/count")).isEqualTo(1);
    assertThat(inOrders("SELECT count(*) FROM ds_probe_rows WHERE workflow_id = ?", id))
        .isEqualTo("1");
  }
}
