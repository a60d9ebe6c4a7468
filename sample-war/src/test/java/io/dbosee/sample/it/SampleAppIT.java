package io.dbosee.sample.it;

import static io.dbosee.sample.it.SampleServer.DEPLOYMENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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

/** The sample deploys on Open Liberty, reaches its database, and runs its workflow. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SampleAppIT {
  @ArquillianResource ContainerController controller;
  @ArquillianResource Deployer deployer;

  @Deployment(name = DEPLOYMENT, managed = false, testable = false)
  static WebArchive sample() {
    return SampleServer.sampleWar();
  }

  @BeforeEach
  void startAndDeploy() {
    LibertyProcess.startAndDeploy(controller, deployer, DEPLOYMENT);
  }

  @AfterEach
  void undeployAndStop() throws Exception {
    LibertyProcess.undeployAndStop(controller, deployer, DEPLOYMENT);
  }

  @Test
  void answersAtTheRootAndReadsItsDatabase() throws Exception {
    HttpResponse<String> steps = SampleServer.get("/steps");

    assertThat(steps.statusCode()).as("GET /steps: %s", steps.body()).isEqualTo(200);
    assertThat(steps.body()).startsWith("workflow step executions");
    assertThat(SampleServer.tableExists("public", "sample_step_executions"))
        .as("the table the server created through jdbc/app, seen from the test")
        .isTrue();
  }

  @Test
  void runsTheWorkflowOnceWithBothSteps() throws Exception {
    String id = "smoke-" + System.nanoTime();

    HttpResponse<String> response = SampleServer.get("/workflow?id=" + id);

    assertThat(response.statusCode()).as("GET /workflow: %s", response.body()).isEqualTo(200);
    assertThat(response.body()).contains("completed");
    assertThat(SampleServer.workflowStatus(id)).contains("SUCCESS");
    assertThat(SampleServer.stepExecutions(id, "stepOne")).isEqualTo(1);
    assertThat(SampleServer.stepExecutions(id, "stepTwo")).isEqualTo(1);
  }

  @Test
  void theTransactionExampleAddsExactlyOneRowPerCall() throws Exception {
    HttpResponse<String> first = SampleServer.get("/transaction");
    assertThat(first.statusCode()).as("GET /transaction: %s", first.body()).isEqualTo(200);
    long before = rowCount(first.body());

    HttpResponse<String> second = SampleServer.get("/transaction");

    assertThat(second.statusCode()).as("GET /transaction: %s", second.body()).isEqualTo(200);
    assertThat(rowCount(second.body())).isEqualTo(before + 1);
    assertThat(SampleServer.count("SELECT count(*) FROM example_table")).isEqualTo(before + 1);
  }

  @Test
  void greetsSigningTheGuestbookOnceAndRecordingOneGreeting() throws Exception {
    String id = "greeting-" + System.nanoTime();
    String name = "Ada" + System.nanoTime();

    HttpResponse<String> response = SampleServer.get("/greeting/" + name + "?id=" + id);

    assertThat(response.statusCode()).as("GET /greeting: %s", response.body()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("Thank you for being awesome, " + name + "!\n");
    assertThat(SampleServer.workflowStatus(id)).contains("SUCCESS");
    assertThat(SampleServer.get("/guestbook").body()).contains(name + " signed 1 time(s)\n");
    assertThat(SampleServer.get("/greetings").body()).contains(name + " (workflow " + id + ")\n");
  }

  /** Double signing shows in the guestbook; a signature without a name is refused. */
  @Test
  void theGuestbookCountsEverySignatureAndRefusesOneWithoutAName() throws Exception {
    String name = "Bob" + System.nanoTime();

    HttpResponse<String> first = signGuestbook("{\"name\": \"" + name + "\"}");
    HttpResponse<String> second = signGuestbook("{\"name\": \"" + name + "\"}");
    HttpResponse<String> nameless = signGuestbook("{\"nom\": \"Mike\"}");

    assertThat(first.body()).as("first signature").contains("\"signatures\":1");
    assertThat(second.body()).as("second signature").contains("\"signatures\":2");
    assertThat(SampleServer.get("/guestbook").body()).contains(name + " signed 2 time(s)\n");
    assertThat(nameless.statusCode()).as("without a name: %s", nameless.body()).isEqualTo(400);
    assertThat(nameless.body()).contains("non-empty \"name\"");
  }

  private static HttpResponse<String> signGuestbook(String json) throws Exception {
    return SampleServer.HTTP.send(
        HttpRequest.newBuilder(SampleServer.uri("/guestbook/record_greeting"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static long rowCount(String body) {
    assertThat(body).startsWith("Row count: ");
    return Long.parseLong(body.substring("Row count: ".length()).trim());
  }

  @Test
  void runsTheEverySecondScheduledWorkflowOnTheServersScheduledExecutor() {
    // The sample's own configuration switches the schedule on; ticks are once a second.
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> SampleServer.finishedTicks("run-every-second") >= 2);
  }
}
