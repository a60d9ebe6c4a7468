package io.dbosee.servertests;

import static io.dbosee.servertests.SampleArchives.DEPLOYMENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sample WAR, as packaged for Open Liberty and with its own configuration, on a server
 * configured by server-config's files for it: its workflow, greeting, transaction and orders
 * examples, its schedule, the engine's LISTEN connection through the server's connection wrappers,
 * and the admin endpoints' authentication. The server starts once for the class.
 */
public abstract class SampleOnServer extends OnServer {
  private static final Pattern ORDER =
      Pattern.compile("Order (\\S+) placed for (\\S+); sales recorded: (\\d+)\n");

  protected SampleOnServer(TestServer server) {
    super(server);
  }

  @Deployment(name = DEPLOYMENT, managed = false, testable = false)
  static WebArchive sample() {
    return SampleArchives.sampleWar();
  }

  // Static: JUnit makes an instance per test. A module has one subclass, so one count per JVM.
  private static int remaining =
      (int)
          Arrays.stream(SampleOnServer.class.getDeclaredMethods())
              .filter(m -> m.isAnnotationPresent(Test.class))
              .count();
  private static boolean started;

  @BeforeEach
  void startAndDeployOnce() {
    if (!started) {
      server.start(controller);
      started = true;
      deployer.deploy(DEPLOYMENT);
    }
  }

  @AfterEach
  void undeployAndStopAfterTheLastTest() throws Exception {
    if (--remaining == 0 && started) {
      started = false;
      try {
        deployer.undeploy(DEPLOYMENT);
      } finally {
        server.stop(controller);
      }
    }
  }

  @Test
  void runsTheWorkflowOnceWithBothSteps() throws Exception {
    String id = "smoke-" + System.nanoTime();

    HttpResponse<String> response = server.get("/workflow?id=" + id);

    assertThat(response.statusCode()).as("GET /workflow: %s", response.body()).isEqualTo(200);
    assertThat(response.body()).contains("completed");
    assertThat(SampleDatabase.workflowStatus(id)).contains("SUCCESS");
    assertThat(SampleDatabase.stepExecutions(id, "stepOne")).isEqualTo(1);
    assertThat(SampleDatabase.stepExecutions(id, "stepTwo")).isEqualTo(1);
  }

  /**
   * The greeting's step calls the sample's guestbook on the server's HTTP port (the system property
   * {@code http.port} that server-config's files for the sample set).
   */
  @Test
  void greetsSigningTheGuestbookOnceAndRecordingOneGreeting() throws Exception {
    String id = "greeting-" + System.nanoTime();
    String name = "Ada" + System.nanoTime();

    HttpResponse<String> response = server.get("/greeting/" + name + "?id=" + id);

    assertThat(response.statusCode()).as("GET /greeting: %s", response.body()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("Thank you for being awesome, " + name + "!\n");
    assertThat(SampleDatabase.workflowStatus(id)).contains("SUCCESS");
    assertThat(server.get("/guestbook").body()).contains(name + " signed 1 time(s)\n");
    assertThat(server.get("/greetings").body()).contains(name + " (workflow " + id + ")\n");
  }

  /**
   * The server's JPA provider (Hibernate on WildFly, EclipseLink on Payara) created the table
   * (persistence.xml) and writes through JTA.
   */
  @Test
  void theTransactionExampleAddsExactlyOneRowPerCall() throws Exception {
    long before = rowCount(server.get("/transaction"));

    long after = rowCount(server.get("/transaction"));

    assertThat(after).isEqualTo(before + 1);
    assertThat(SampleDatabase.count("SELECT count(*) FROM example_table")).isEqualTo(after);
  }

  /**
   * Two @Transaction steps on two JTA DataSources (jdbc/orders and jdbc/app), each outcome recorded
   * in its own database; a replay after both commits runs neither body again.
   */
  @Test
  void theOrdersExampleCommitsEachStepOnceInItsOwnDatabaseAlsoWhenReplayed() throws Exception {
    String id = "order-" + System.nanoTime();
    String first = order("lamp", id);
    Matcher m = ORDER.matcher(first);
    assertThat(m.matches()).as(first).isTrue();
    String orderId = m.group(1);
    String outcomes =
        "SELECT string_agg(step_id || '=' || output, ',' ORDER BY step_id)"
            + " FROM dbos.datasource_outputs WHERE workflow_id = ?";
    assertThat(SampleDatabase.inOrders(outcomes, id)).isEqualTo("0=\"" + orderId + "\"");
    assertThat(SampleDatabase.text(outcomes, id)).isEqualTo("1=" + m.group(3));
    // What a crash after both commits and before their checkpoints leaves behind.
    SampleDatabase.update("DELETE FROM dbos.operation_outputs WHERE workflow_uuid = ?", id);
    SampleDatabase.update(
        "UPDATE dbos.workflow_status SET status = 'PENDING', output = NULL, error = NULL"
            + " WHERE workflow_uuid = ?",
        id);

    assertThat(order("lamp", id)).as("the recorded outcomes, returned again").isEqualTo(first);

    assertThat(
            SampleDatabase.inOrders("SELECT count(*) FROM customer_orders WHERE id = ?", orderId))
        .isEqualTo("1");
    assertThat(SampleDatabase.count("SELECT count(*) FROM sales WHERE order_id = ?", orderId))
        .isEqualTo(1);
    assertThat(SampleDatabase.workflowStatus(id)).contains("SUCCESS");
  }

  /** The sample's own configuration switches the every-second schedule on. */
  @Test
  void runsTheEverySecondScheduledWorkflowOnTheServersScheduledExecutor() {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () ->
                SampleDatabase.tableExists("dbos", "workflow_status")
                    && SampleDatabase.count(
                            "SELECT count(*) FROM dbos.workflow_status WHERE schedule_name ="
                                + " 'run-every-second' AND status = 'SUCCESS'")
                        >= 2);
  }

  /**
   * The engine reached the driver's PGConnection through the server's connection wrapper
   * (Connection.unwrap, with the driver visible to the application: WildFly's global org.postgresql
   * module of dbos-wildfly.cli, Payara's common library) and LISTENs: an idle connection of the
   * system database whose last statement was a LISTEN.
   */
  @Test
  void theEngineListensForNotificationsThroughTheSystemDataSource() {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () ->
                SampleDatabase.count(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                            + " AND pid <> pg_backend_pid() AND query LIKE 'LISTEN %'")
                    >= 1);
  }

  /** 401 without credentials, 403 for a user without the role, the answer for an operator. */
  @Test
  void theAdminEndpointsAuthenticateWithBasicAndAdmitOnlyTheRole() throws Exception {
    String path = "/dbos-admin/workflows";
    String admin = System.getProperty("dbos.admin.password");
    String viewer = System.getProperty("dbos.viewer.password");

    HttpResponse<String> anonymous = server.postJson(path, null, null);
    HttpResponse<String> wrongPassword = server.postJson(path, "operator", "wrong");
    HttpResponse<String> notInRole = server.postJson(path, "viewer", viewer);
    HttpResponse<String> operator = server.postJson(path, "operator", admin);

    assertThat(anonymous.statusCode()).as(anonymous.body()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
        .get()
        .asString()
        .startsWith("Basic");
    assertThat(wrongPassword.statusCode()).as(wrongPassword.body()).isEqualTo(401);
    assertThat(notInRole.statusCode()).as(notInRole.body()).isEqualTo(403);
    assertThat(operator.statusCode()).as(operator.body()).isEqualTo(200);
    assertThat(operator.body()).startsWith("[");
  }

  private String order(String item, String workflowId) throws Exception {
    String path = "/order?item=" + item + "&id=" + workflowId;
    HttpResponse<String> response = server.get(path);
    assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
    return response.body();
  }

  private static long rowCount(HttpResponse<String> response) {
    assertThat(response.statusCode()).as("GET /transaction: %s", response.body()).isEqualTo(200);
    assertThat(response.body()).startsWith("Row count: ");
    return Long.parseLong(response.body().substring("Row count: ".length()).trim());
  }
}
