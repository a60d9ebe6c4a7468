package io.dbosee.sample.payara;

import static io.dbosee.sample.payara.PayaraServer.CONTAINER;
import static io.dbosee.sample.payara.PayaraServer.DEPLOYMENT;
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
 * The tutorial's crash-and-resume demo on Payara: the server is killed (SIGKILL) while the workflow
 * sleeps after step one, started again with asadmin (see PayaraServer; Payara deploys the sample
 * again from its domain.xml), and the workflow finishes without running step one again.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class WorkflowRecoveryOnPayaraIT {
  @ArquillianResource ContainerController controller;
  @ArquillianResource Deployer deployer;

  @Deployment(name = DEPLOYMENT, managed = false, testable = false)
  static WebArchive sample() {
    return PayaraServer.sampleWarWithTestConfig();
  }

  @Test
  void aKilledServerResumesTheWorkflowAfterItsLastCompletedStep() throws Exception {
    controller.start(CONTAINER);
    deployer.deploy(DEPLOYMENT);
    try {
      String id = "restart-" + System.nanoTime();
      CompletableFuture<HttpResponse<String>> call = PayaraServer.getAsync("/workflow?id=" + id);
      // Step one is done and the workflow sleeps (five seconds) before step two.
      await("step one of " + id)
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> SampleDatabase.stepExecutions(id, "stepOne") == 1 || call.isDone());
      assertThat(call).as("the workflow answered before step one was recorded").isNotDone();

      PayaraServer.kill();
      assertThat(SampleDatabase.workflowStatus(id)).as("status after the kill").contains("PENDING");
      assertThat(SampleDatabase.stepExecutions(id, "stepTwo")).isZero();
      PayaraServer.restartKilledServer();

      await("workflow " + id + " recovered to SUCCESS")
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> SampleDatabase.workflowStatus(id), Optional.of("SUCCESS")::equals);
      assertThat(SampleDatabase.stepExecutions(id, "stepOne"))
          .as("step one runs once")
          .isEqualTo(1);
      assertThat(SampleDatabase.stepExecutions(id, "stepTwo"))
          .as("step two runs once")
          .isEqualTo(1);
    } finally {
      try {
        deployer.undeploy(DEPLOYMENT);
      } finally {
        PayaraServer.stop(controller); // Arquillian still has it as started: its stop works
      }
    }
  }
}
