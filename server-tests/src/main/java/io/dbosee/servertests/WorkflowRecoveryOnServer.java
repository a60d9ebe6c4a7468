package io.dbosee.sample.wildfly;

import static io.dbosee.sample.wildfly.WildFlyServer.CONTAINER;
import static io.dbosee.sample.wildfly.WildFlyServer.DEPLOYMENT;
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
 * The tutorial's crash-and-resume demo on WildFly: the server is killed (SIGKILL) while the
 * workflow sleeps after step one, started again (WildFly deploys the sample again from its
 * configuration), and the workflow finishes without running step one again.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class WorkflowRecoveryOnWildFlyIT {
  @ArquillianResource ContainerController controller;
  @ArquillianResource Deployer deployer;

  @Deployment(name = DEPLOYMENT, managed = false, testable = false)
  static WebArchive sample() {
    return WildFlyServer.sampleWarWithTestConfig();
  }

  @Test
  void aKilledServerResumesTheWorkflowAfterItsLastCompletedStep() throws Exception {
    controller.start(CONTAINER);
    deployer.deploy(DEPLOYMENT);
    try {
      String id = "restart-" + System.nanoTime();
      CompletableFuture<HttpResponse<String>> call = WildFlyServer.getAsync("/workflow?id=" + id);
      // Step one is done and the workflow sleeps (five seconds) before step two.
      await("step one of " + id)
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> SampleDatabase.stepExecutions(id, "stepOne") == 1 || call.isDone());
      assertThat(call).as("the workflow answered before step one was recorded").isNotDone();

      WildFlyServer.kill();
      assertThat(SampleDatabase.workflowStatus(id)).as("status after the kill").contains("PENDING");
      assertThat(SampleDatabase.stepExecutions(id, "stepTwo")).isZero();
      WildFlyServer.forgetKilledServer(controller);
      controller.start(CONTAINER);

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
      if (controller.isStarted(CONTAINER)) {
        try {
          deployer.undeploy(DEPLOYMENT);
        } finally {
          WildFlyServer.stop(controller);
        }
      }
    }
  }
}
