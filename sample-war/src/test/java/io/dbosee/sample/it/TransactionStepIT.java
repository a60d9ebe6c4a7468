package io.dbosee.sample.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dbosee.sample.it.inserver.CallerTransactions;
import io.dbosee.sample.it.inserver.ProbeRefusedException;
import io.dbosee.sample.it.inserver.TransactionProbeResource;
import io.dbosee.sample.it.inserver.TransactionProbes;
import io.dbosee.sample.it.inserver.TransactionalTransactionStep;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
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
 * {@code @Transaction} steps in Open Liberty with real JTA, EclipseLink and PostgreSQL: user writes
 * and the step's outcome row commit together or not at all, and what was recorded is never run
 * again.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TransactionStepIT {
  private static final String PROBES = "tx-probes";
  private static final String MISUSE = "tx-misuse";

  @ArquillianResource ContainerController controller;
  @ArquillianResource Deployer deployer;

  @Deployment(name = PROBES, managed = false, testable = false)
  static WebArchive probes() {
    return SampleServer.sampleWar()
        .addClasses(
            TransactionProbes.class,
            TransactionProbeResource.class,
            CallerTransactions.class,
            ProbeRefusedException.class);
  }

  /** A WAR with the libraries and a @Transaction method that is also @Transactional. */
  @Deployment(name = MISUSE, managed = false, testable = false)
  static WebArchive misuse() {
    return SampleServer.libraryWar("tx-misuse.war")
        .addClass(TransactionalTransactionStep.class)
        .addAsResource(
            new StringAsset(
                "dbos.system-database.datasource=jdbc/dbosSystem\n"
                    + "dbos.application-database.datasource=jdbc/app\n"),
            "META-INF/microprofile-config.properties");
  }

  private static final ServerForClass SERVER = new ServerForClass(TransactionStepIT.class, PROBES);

  @BeforeEach
  void startAndDeployOnce() throws Exception {
    SERVER.beforeEach(controller, deployer, () -> {});
    SampleServer.update(
        "CREATE TABLE IF NOT EXISTS tx_probe_rows (workflow_id TEXT NOT NULL, label TEXT)");
    SampleServer.update(
        "CREATE TABLE IF NOT EXISTS tx_probe_counter (id TEXT PRIMARY KEY, n INT NOT NULL)");
  }

  @AfterEach
  void undeployAndStopAfterTheLastTest() throws Exception {
    SERVER.afterEach(controller, deployer);
  }

  private static String call(String path) throws Exception {
    HttpResponse<String> response = SampleServer.get(path);
    assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
    return response.body();
  }

  private static String id(String prefix) {
    return prefix + "-" + System.nanoTime();
  }

  private static long userRows(String key) throws SQLException {
    return SampleServer.count("SELECT count(*) FROM tx_probe_rows WHERE workflow_id = ?", key);
  }

  private static long userRows(String key, String label) throws SQLException {
    return SampleServer.count(
        "SELECT count(*) FROM tx_probe_rows WHERE workflow_id = ? AND label = ?", key, label);
  }

  private static int runs(String key) throws Exception {
    return Integer.parseInt(call("/test/tx/runs?key=" + key).trim());
  }

  private static String outcomeRow(String workflowId, int stepId, String column)
      throws SQLException {
    return SampleServer.text(
        "SELECT "
            + column
            + " FROM dbos.datasource_outputs WHERE workflow_id = ? AND step_id = "
            + stepId,
        workflowId);
  }

  private static long checkpoints(String workflowId) throws SQLException {
    return SampleServer.count(
        "SELECT count(*) FROM dbos.operation_outputs WHERE workflow_uuid = ?", workflowId);
  }

  /** Makes the next call with this id execute the workflow again, as a recovery would. */
  private static void makePendingAgain(String workflowId) throws SQLException {
    assertThat(
            SampleServer.update(
                "UPDATE dbos.workflow_status SET status = 'PENDING', output = NULL, error = NULL"
                    + " WHERE workflow_uuid = ?",
                workflowId))
        .isEqualTo(1);
  }

  @Test
  void aTransactionStepCommitsTheUserWritesWithItsOutcomeRowThenCheckpoints() throws Exception {
    String id = id("golden");

    String result = call("/test/tx/insert?id=" + id + "&label=hello");

    assertThat(result).isEqualTo("hello inserted (serializable)");
    assertThat(userRows(id)).isEqualTo(1);
    assertThat(outcomeRow(id, 0, "output")).isEqualTo("\"hello inserted (serializable)\"");
    assertThat(outcomeRow(id, 0, "serialization")).isEqualTo("portable_json");
    assertThat(checkpoints(id)).isEqualTo(1);
    assertThat(SampleServer.workflowStatus(id)).contains("SUCCESS");
  }

  @Test
  void aReplayReturnsTheRecordedResultWithoutRunningTheBodyAgain() throws Exception {
    String id = id("replay");
    String first = call("/test/tx/insert?id=" + id + "&label=once");
    makePendingAgain(id);

    String again = call("/test/tx/insert?id=" + id + "&label=once");

    assertThat(again).isEqualTo(first);
    assertThat(runs(id)).isEqualTo(1);
    assertThat(userRows(id)).isEqualTo(1);
  }

  @Test
  void aFailingBodyRollsBackItsWritesRecordsTheErrorAndAReplayRethrowsIt() throws Exception {
    String id = id("refuse");

    String result = call("/test/tx/refuse?id=" + id);

    assertThat(result)
        .isEqualTo(
            "threw "
                + ProbeRefusedException.class.getName()
                + ": refused after inserting, in "
                + id);
    assertThat(userRows(id)).as("the body's insert rolled back").isZero();
    assertThat(outcomeRow(id, 0, "error")).contains("ProbeRefusedException");
    assertThat(outcomeRow(id, 0, "output")).isNull();
    assertThat(SampleServer.workflowStatus(id)).contains("ERROR");

    makePendingAgain(id);
    assertThat(call("/test/tx/refuse?id=" + id)).isEqualTo(result);
    assertThat(runs(id)).isEqualTo(1);
  }

  @Test
  void aFailedCommitIsTheStepsFailureAndRollsBackEverything() throws Exception {
    String id = id("commit");
    String row = id("row");
    SampleServer.update("INSERT INTO example_table (id, name) VALUES (?, 'already there')", row);

    String result = call("/test/tx/commit-failure?id=" + id + "&row=" + row);

    assertThat(result)
        .startsWith("rolled back: Transaction step 'persistExample' of workflow '" + id + "'")
        .contains("could not commit");
    assertThat(userRows(id)).as("the row written before the failed flush").isZero();
    assertThat(SampleServer.count("SELECT count(*) FROM example_table WHERE id = ?", row))
        .isEqualTo(1);
    assertThat(outcomeRow(id, 0, "error")).contains("DBOSTransactionRolledBackException");

    makePendingAgain(id);
    assertThat(call("/test/tx/commit-failure?id=" + id + "&row=" + row)).isEqualTo(result);
    assertThat(runs(id)).isEqualTo(1);
  }

  @Test
  void aCrashAfterTheApplicationCommitAndBeforeTheCheckpointDoesNotRunTheBodyAgain()
      throws Exception {
    String id = id("crash");
    String first = call("/test/tx/insert?id=" + id + "&label=exactly-once");
    // What a crash right after the application database's commit leaves: the outcome row, no
    // checkpoint, and a PENDING workflow.
    assertThat(
            SampleServer.update("DELETE FROM dbos.operation_outputs WHERE workflow_uuid = ?", id))
        .isEqualTo(1);
    makePendingAgain(id);

    String again = call("/test/tx/insert?id=" + id + "&label=exactly-once");

    assertThat(again).isEqualTo(first);
    assertThat(runs(id)).as("the body ran once").isEqualTo(1);
    assertThat(userRows(id)).isEqualTo(1);
    assertThat(checkpoints(id)).as("checkpointed from the outcome row").isEqualTo(1);
    assertThat(SampleServer.workflowStatus(id)).contains("SUCCESS");
  }

  @Test
  void twoExecutionsOfOneWorkflowAtOnceCommitOneSetOfUserRowsAndAgreeOnTheOutcome()
      throws Exception {
    String id = id("race");

    String result = call("/test/tx/race?id=" + id);

    String[] outcomes = result.split(" \\| ");
    assertThat(outcomes).as(result).hasSize(2);
    assertThat(outcomes[0]).startsWith("recorded by ").isEqualTo(outcomes[1]);
    assertThat(runs(id)).as("both bodies ran, concurrently").isEqualTo(2);
    assertThat(userRows(id)).as("only the winner's writes committed").isEqualTo(1);
    assertThat(
            SampleServer.count(
                "SELECT count(*) FROM dbos.datasource_outputs WHERE workflow_id = ?", id))
        .isEqualTo(1);
  }

  @Test
  void aSerializationFailureIsRetriedInANewTransaction() throws Exception {
    String id = id("retry");
    SampleServer.update("INSERT INTO tx_probe_counter (id, n) VALUES (?, 0)", id);

    String result = call("/test/tx/bump?id=" + id);

    assertThat(result).isEqualTo("attempt 2 read 100");
    assertThat(SampleServer.count("SELECT n FROM tx_probe_counter WHERE id = ?", id))
        .as("the concurrent +100 and one +1")
        .isEqualTo(101);
    assertThat(outcomeRow(id, 0, "output")).isEqualTo("\"attempt 2 read 100\"");
  }

  @Test
  void outsideAWorkflowItIsAnOrdinaryTransactionWithoutBookkeeping() throws Exception {
    String key = id("outside");
    long outcomes = SampleServer.count("SELECT count(*) FROM dbos.datasource_outputs");

    assertThat(call("/test/tx/outside?key=" + key)).isEqualTo("tx=true");

    assertThat(userRows(key)).isEqualTo(1);
    assertThat(SampleServer.count("SELECT count(*) FROM dbos.datasource_outputs"))
        .isEqualTo(outcomes);
  }

  @Test
  void outsideAWorkflowItJoinsTheCallersTransaction() throws Exception {
    String key = id("joined");

    assertThat(call("/test/tx/outside-in-caller-tx?key=" + key))
        .isEqualTo("caller rolled back after: tx=true");

    assertThat(runs(key)).isEqualTo(1);
    assertThat(userRows(key)).as("rolled back with the caller's transaction").isZero();
  }

  @Test
  void insideAStepItIsAPlainCall() throws Exception {
    String id = id("nested");

    assertThat(call("/test/tx/nested?id=" + id)).isEqualTo("tx=false");

    assertThat(outcomeRow(id, 0, "output")).isNull();
    assertThat(checkpoints(id)).as("only the enclosing step").isEqualTo(1);
  }

  @Test
  void insideAWorkflowItDoesNotJoinATransactionItsCallerHolds() throws Exception {
    String id = id("own-unit");

    assertThat(call("/test/tx/own-unit?id=" + id))
        .isEqualTo("caller rolled back after: own unit inserted (serializable)");

    assertThat(userRows(id, "own unit")).as("committed on its own").isEqualTo(1);
    assertThat(userRows(id, "caller")).as("rolled back with the caller").isZero();
    assertThat(outcomeRow(id, 0, "output")).isNotNull();
  }

  @Test
  void aTransactionStepThatIsAlsoTransactionalDoesNotDeploy() throws Exception {
    Throwable failure = catchThrowable(() -> deployer.deploy(MISUSE));
    try {
      assertThat(failure).as("the deployment must fail").isNotNull();
      // Liberty's exception names the definition error; its text is in the server's log.
      assertThat(String.valueOf(failure.getMessage())).contains("DefinitionException");
      Path log = Path.of(System.getProperty("liberty.server.dir"), "logs", "messages.log");
      assertThat(Files.readString(log))
          .contains(
              "[DBOS-CDI-016] "
                  + TransactionalTransactionStep.class.getName()
                  + ".save() is @Transaction and @Transactional(REQUIRED)")
          .contains("Remove @Transactional from the method");
    } finally {
      deployer.undeploy(MISUSE); // also when it failed: its archive must leave dropins
    }
  }
}
