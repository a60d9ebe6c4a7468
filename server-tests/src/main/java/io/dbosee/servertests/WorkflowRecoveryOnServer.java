package io.dbosee.servertests;

import static io.dbosee.servertests.SampleArchives.DEPLOYMENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * The tutorial's crash-and-resume demo: the server is killed (SIGKILL) while the workflow sleeps
 * after step one, started again (it deploys the sample again from its configuration), and the
 * workflow finishes without running step one again.
 */
public abstract class WorkflowRecoveryOnServer extends OnServer {
  protected WorkflowRecoveryOnServer(TestServer server) {
    super(server);
  }

  @Deployment(name = DEPLOYMENT, managed = false, testable = false)
  static WebArchive sample() {
    return SampleArchives.sampleWarWithTestConfig();
  }

  @Test
  void aKilledServerResumesTheWorkflowAfterItsLastCompletedStep() throws Exception {
    server.start(controller);
    deployer.deploy(DEPLOYMENT);
    try {
      String id = "restart-" + System.nanoTime();
      CompletableFuture<HttpResponse<String>> call = server.getAsync("/workflow?id=" + id);
      // Step one is done and the workflow sleeps (five seconds) before step two.
      await("step one of " + id)
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> SampleDatabase.stepExecutions(id, "stepOne") == 1 || call.isDone());
      assertThat(call).as("the workflow answered before step one was recorded").isNotDone();

      server.kill();
      assertThat(SampleDatabase.workflowStatus(id)).as("status after the kill").contains("PENDING");
      assertThat(SampleDatabase.stepExecutions(id, "stepTwo")).isZero();
      server.startAfterKill(controller);

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
      if (server.isStarted(controller)) {
        try {
          deployer.undeploy(DEPLOYMENT);
        } finally {
          server.stop(controller);
        }
      }
    }
  }
}
