package io.dbosee.sample.it;

import static io.dbosee.sample.it.SampleServer.CONTAINER;
import static io.dbosee.sample.it.SampleServer.DEPLOYMENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The tutorial's crash-and-resume demo on the Arquillian-managed server: the server is killed
 * (SIGKILL) while the workflow sleeps after step one, started again, and the workflow finishes
 * without running step one again. (The greeting and queue demos run on the sample as users start
 * it: {@link SampleCrashDemoIT}.)
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class WorkflowRestartIT {
  private static final Duration STEP_ONE_DEADLINE = Duration.ofSeconds(60);
  private static final Duration RECOVERY_DEADLINE = Duration.ofSeconds(120);

  @ArquillianResource ContainerController controller;
  @ArquillianResource Deployer deployer;

  @Deployment(name = DEPLOYMENT, managed = false, testable = false)
  static WebArchive sample() {
    return SampleServer.sampleWarWithTestEndpoints();
  }

  @Test
  void aKilledServerResumesTheWorkflowAfterItsLastCompletedStep() throws Exception {
    controller.start(CONTAINER);
    deployer.deploy(DEPLOYMENT);
    try {
      String id = "restart-" + System.nanoTime();
      CompletableFuture<HttpResponse<String>> call = SampleServer.getAsync("/workflow?id=" + id);

      // Step one is done and the workflow sleeps (five seconds) before step two.
      await("step one of " + id)
          .atMost(STEP_ONE_DEADLINE)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> SampleServer.stepExecutions(id, "stepOne") == 1 || call.isDone());
      assertThat(call)
          .as("the workflow call answered before step one was recorded: %s", describe(call))
          .isNotDone();

      LibertyProcess.kill(System.getProperty("liberty.server.name"));
      assertThat(SampleServer.workflowStatus(id)).as("status after the kill").contains("PENDING");
      assertThat(SampleServer.stepExecutions(id, "stepTwo")).isZero();

      LibertyProcess.forgetKilledServer(controller, CONTAINER);
      controller.start(CONTAINER); // Liberty starts the sample again from its dropins directory

      assertResumedToSuccessWithEachStepOnce(id);
    } finally {
      if (controller.isStarted(CONTAINER)) {
        deployer.undeploy(DEPLOYMENT);
        LibertyProcess.stop(controller, CONTAINER);
      }
    }
  }

  /**
   * A graceful stop interrupts a workflow running in the background: it must stay PENDING (not be
   * recorded as failed) and resume when the server starts again. (A workflow an HTTP request waits
   * for usually finishes first: Liberty lets in-flight requests end before it stops.)
   */
  @Test
  void aGracefullyStoppedServerResumesABackgroundWorkflowAfterItsLastCompletedStep()
      throws Exception {
    controller.start(CONTAINER);
    deployer.deploy(DEPLOYMENT);
    try {
      String id = "stop-" + System.nanoTime();
      assertThat(SampleServer.get("/test/background?id=" + id).body()).isEqualTo("started " + id);
      await("step one of " + id)
          .atMost(STEP_ONE_DEADLINE)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> SampleServer.stepExecutions(id, "stepOne") == 1);

      LibertyProcess.stop(controller, CONTAINER);
      assertThat(SampleServer.workflowStatus(id)).as("status after the stop").contains("PENDING");
      assertThat(SampleServer.stepExecutions(id, "stepTwo")).isZero();

      controller.start(CONTAINER);

      assertResumedToSuccessWithEachStepOnce(id);
    } finally {
      if (controller.isStarted(CONTAINER)) {
        deployer.undeploy(DEPLOYMENT);
        LibertyProcess.stop(controller, CONTAINER);
      }
    }
  }

  private static void assertResumedToSuccessWithEachStepOnce(String id) throws Exception {
    await("workflow " + id + " recovered to SUCCESS")
        .atMost(RECOVERY_DEADLINE)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> SampleServer.workflowStatus(id), Optional.of("SUCCESS")::equals);
    assertThat(SampleServer.stepExecutions(id, "stepOne")).as("step one runs once").isEqualTo(1);
    assertThat(SampleServer.stepExecutions(id, "stepTwo")).as("step two runs once").isEqualTo(1);
  }

  private static String describe(CompletableFuture<HttpResponse<String>> call) {
    if (!call.isDone()) {
      return "(still running)";
    }
    try {
      HttpResponse<String> r = call.join();
      return "HTTP " + r.statusCode() + " " + r.body();
    } catch (RuntimeException e) {
      return e.toString();
    }
  }
}
