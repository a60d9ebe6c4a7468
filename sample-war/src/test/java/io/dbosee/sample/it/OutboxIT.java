package io.dbosee.sample.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.dbosee.sample.it.inserver.OutboxProbes;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The transactional outbox in Open Liberty: inside a {@code @Transactional} method, an enqueue, a
 * start in the background and a send go through {@code jdbc/app} (the test configuration's {@code
 * dbos.outbox.datasource}), with the application's own row, and commit or roll back with it. (The
 * crash between the commit and the dispatch: {@link OutboxCrashIT}.)
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OutboxIT {
  private static final String PROBES = "outbox-probes";
  private static final String NOT_TRANSACTIONAL = "outbox-not-transactional";
  private static final String UNCONFIGURED = "outbox-unconfigured";
  private static final Duration RUN_DEADLINE = Duration.ofSeconds(60);

  @ArquillianResource ContainerController controller;
  @ArquillianResource Deployer deployer;

  @Deployment(name = PROBES, managed = false, testable = false)
  static WebArchive probes() {
    return SampleServer.sampleWarWithOutboxProbes();
  }

  /**
   * The libraries, with an outbox DataSource of the system database that never joins a JTA
   * transaction: the system DataSource itself.
   */
  @Deployment(name = NOT_TRANSACTIONAL, managed = false, testable = false)
  static WebArchive notTransactional() {
    return SampleServer.libraryWar("outbox-not-transactional.war")
        .addAsResource(
            new StringAsset(
                "dbos.system-database.datasource=jdbc/dbosSystem\n"
                    + "dbos.outbox.datasource=jdbc/dbosSystem\n"),
            "META-INF/microprofile-config.properties");
  }

  /**
   * The outbox probes without dbos.outbox.datasource, as an application upgraded without setting
   * it: at their own context root, as a server of their own (executor id).
   */
  @Deployment(name = UNCONFIGURED, managed = false, testable = false)
  static WebArchive unconfigured() {
    return SampleServer.libraryWar(UNCONFIGURED + ".war")
        .addClasses(
            io.dbosee.sample.SampleApplication.class,
            OutboxProbes.class,
            io.dbosee.sample.it.inserver.OutboxProbeResource.class,
            io.dbosee.sample.it.inserver.OutboxWorkflows.class)
        .addAsResource(
            new StringAsset(
                "dbos.system-database.datasource=jdbc/dbosSystem\n"
                    + "dbos.executor-id="
                    + UNCONFIGURED
                    + "\n"),
            "META-INF/microprofile-config.properties");
  }

  private static final ServerForClass SERVER = new ServerForClass(OutboxIT.class, PROBES);

  @BeforeEach
  void startAndDeployOnce() throws Exception {
    SERVER.beforeEach(
        controller,
        deployer,
        () -> {
          createTables();
        });
  }

  @AfterEach
  void undeployAndStopAfterTheLastTest() throws Exception {
    SERVER.afterEach(controller, deployer);
  }

  /** The probes' tables: the application's rows, and each run of a counted workflow's body. */
  static void createTables() throws SQLException {
    SampleServer.update("CREATE TABLE IF NOT EXISTS outbox_rows (key TEXT NOT NULL)");
    SampleServer.update(
        "CREATE TABLE IF NOT EXISTS outbox_runs (workflow_id TEXT NOT NULL, pid BIGINT NOT NULL)");
  }

  static long applicationRows(String key) throws SQLException {
    return SampleServer.count("SELECT count(*) FROM outbox_rows WHERE key = ?", key);
  }

  static long runs(String workflowId) throws SQLException {
    return SampleServer.count("SELECT count(*) FROM outbox_runs WHERE workflow_id = ?", workflowId);
  }

  static void awaitSuccess(String workflowId, Duration deadline) {
    await("workflow " + workflowId + " to succeed")
        .atMost(deadline)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> SampleServer.workflowStatus(workflowId), Optional.of("SUCCESS")::equals);
  }

  private static String call(String path) throws Exception {
    HttpResponse<String> response = SampleServer.get(path);
    assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
    return response.body();
  }

  private static long messagesTo(String workflowId) throws SQLException {
    return SampleServer.count(
        "SELECT count(*) FROM dbos.notifications WHERE destination_uuid = ?", workflowId);
  }

  @Test
  void onCommitTheEnqueuedAndStartedWorkflowsRunAndTheMessageArrives() throws Exception {
    String key = "commit-" + System.nanoTime();

    assertThat(call("/test/outbox/place?key=" + key)).isEqualTo("committed " + key);

    assertThat(applicationRows(key)).isEqualTo(1);
    awaitSuccess(OutboxProbes.enqueuedId(key), RUN_DEADLINE);
    awaitSuccess(OutboxProbes.startedId(key), RUN_DEADLINE);
    awaitSuccess(OutboxProbes.inboxId(key), RUN_DEADLINE);
    assertThat(runs(OutboxProbes.enqueuedId(key))).isEqualTo(1);
    assertThat(runs(OutboxProbes.startedId(key))).isEqualTo(1);
    assertThat(
            SampleServer.text(
                "SELECT output FROM dbos.workflow_output WHERE workflow_uuid = ?",
                OutboxProbes.inboxId(key)))
        .as("what the inbox workflow received")
        .contains("hello " + key);
  }

  @Test
  void onRollbackNothingIsLeftNotEvenAnEnqueuedRow() throws Exception {
    String key = "rollback-" + System.nanoTime();

    assertThat(call("/test/outbox/place?key=" + key + "&fail=true"))
        .startsWith("threw java.lang.IllegalStateException: failed after the row, the enqueue");

    assertThat(applicationRows(key)).isZero();
    assertThat(SampleServer.workflowStatus(OutboxProbes.enqueuedId(key))).isEmpty();
    assertThat(SampleServer.workflowStatus(OutboxProbes.startedId(key))).isEmpty();
    assertThat(messagesTo(OutboxProbes.inboxId(key))).as("messages to the inbox").isZero();
    assertThat(SampleServer.workflowStatus(OutboxProbes.inboxId(key)))
        .as("the inbox, started outside the transaction, still waits")
        .contains("PENDING");
    assertThat(
            SampleServer.count(
                "SELECT count(*) FROM dbos.workflow_input WHERE workflow_uuid" + " IN (?, ?)",
                OutboxProbes.enqueuedId(key),
                OutboxProbes.startedId(key)))
        .isZero();
  }

  @Test
  void aHandlesResultInsideTheStartingTransactionIsRefusedAndTheWorkflowRunsAfterTheCommit()
      throws Exception {
    String key = "result-" + System.nanoTime();

    String answer = call("/test/outbox/result-inside?key=" + key);

    assertThat(answer)
        .startsWith("[DBOS-CDI-100] Workflow '" + OutboxProbes.startedId(key) + "'")
        .contains("has not committed yet");
    assertThat(applicationRows(key)).as("the caller caught it and committed").isEqualTo(1);
    awaitSuccess(OutboxProbes.startedId(key), RUN_DEADLINE);
    assertThat(runs(OutboxProbes.startedId(key))).isEqualTo(1);
  }

  @Test
  void aRefusedDuplicateEnqueueLeavesTheTransactionUsable() throws Exception {
    String key = "duplicate-" + System.nanoTime();

    assertThat(call("/test/outbox/duplicate?key=" + key))
        .isEqualTo("refused " + OutboxProbes.enqueuedId(key) + "-again, then committed " + key);

    assertThat(applicationRows(key)).as("written after the refusal, committed").isEqualTo(1);
    awaitSuccess(OutboxProbes.enqueuedId(key), RUN_DEADLINE);
    assertThat(runs(OutboxProbes.enqueuedId(key))).isEqualTo(1);
    assertThat(SampleServer.workflowStatus(OutboxProbes.enqueuedId(key) + "-again")).isEmpty();
  }

  @Test
  void withoutAnOutboxDatasourceAStartInsideATransactionIsRefusedAndNothingIsWritten()
      throws Exception {
    String key = "unconfigured-" + System.nanoTime();
    deployer.deploy(UNCONFIGURED);
    try {
      String answer = call("/" + UNCONFIGURED + "/test/outbox/result-inside?key=" + key);

      assertThat(answer)
          .startsWith(
              "threw java.lang.IllegalStateException: [DBOS-CDI-097] The startWorkflow of"
                  + " workflow '"
                  + OutboxProbes.startedId(key)
                  + "' was called inside a JTA transaction")
          .contains("dbos.outbox.datasource")
          .contains("dbos.outbox.mode=separate");
      assertThat(applicationRows(key)).as("the caller's transaction rolled back").isZero();
      assertThat(SampleServer.workflowStatus(OutboxProbes.startedId(key))).isEmpty();
    } finally {
      deployer.undeploy(UNCONFIGURED);
    }
  }

  /**
   * The check only a JTA transaction can make. (One failed start costs two minutes: the Arquillian
   * container waits for the stopped application until its appDeployTimeout. So an outbox DataSource
   * of another database, the other DBOS-CDI-099, is tested by DatabaseIdentityTest, without a
   * server.)
   */
  @Test
  void aNonTransactionalOutboxDatasourceFailsTheDeployment() throws Exception {
    assertDeploymentFailsWith(
        NOT_TRANSACTIONAL,
        "[DBOS-CDI-099] The outbox DataSource dbos.outbox.datasource=jdbc/dbosSystem cannot"
            + " carry starts, enqueues and sends into the system database: its connections do"
            + " not take part in JTA transactions");
  }

  private void assertDeploymentFailsWith(String deployment, String logged) throws Exception {
    Throwable failure = catchThrowable(() -> deployer.deploy(deployment));
    try {
      assertThat(failure).as("the deployment must fail").isNotNull();
      Path log = Path.of(System.getProperty("liberty.server.dir"), "logs", "messages.log");
      assertThat(Files.readString(log)).contains(logged);
    } finally {
      deployer.undeploy(deployment); // also when it failed: its archive must leave dropins
    }
  }
}
