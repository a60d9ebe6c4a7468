package io.dbosee.sample.wildfly;

import static io.dbosee.sample.wildfly.WildFlyServer.CONTAINER;
import static io.dbosee.sample.wildfly.WildFlyServer.DEPLOYMENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * The sample's queue example on WildFly: ten queued workflows, two at a time (test-config), each on
 * WildFly's default managed executor (java:comp/DefaultManagedExecutorService, the library's
 * default): never a thread of the library's own.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class QueueOnWildFlyIT {
  /** A log line of the queued step, with the thread it ran on (WildFly's default log format). */
  private static final Pattern STEP_LOG =
      Pattern.compile(
          "\\[io\\.dbosee\\.sample\\.QueueWorkflows\\] \\((.+?)\\) Step \\d+ completed!");

  @ArquillianResource ContainerController controller;
  @ArquillianResource Deployer deployer;

  @Deployment(name = DEPLOYMENT, managed = false, testable = false)
  static WebArchive sample() {
    return WildFlyServer.sampleWarWithTestConfig();
  }

  @Test
  void theQueuedWorkflowsRunOnTheServersDefaultManagedExecutor() throws Exception {
    controller.start(CONTAINER);
    try {
      deployer.deploy(DEPLOYMENT);
      try {
        String id = "queue-" + System.nanoTime();

        HttpResponse<String> response = WildFlyServer.get("/queue?id=" + id);

        assertThat(response.statusCode()).as("GET /queue: %s", response.body()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("Successfully completed 10 steps\n");
        assertThat(
                SampleDatabase.count(
                    "SELECT count(*) FROM dbos.workflow_status WHERE parent_workflow_id = ?"
                        + " AND queue_name = 'example-queue' AND status = 'SUCCESS'",
                    id))
            .isEqualTo(10);
        assertThat(stepThreads())
            .hasSize(10)
            .allMatch(t -> t.startsWith("EE-ManagedExecutorService-default-Thread-"));
      } finally {
        deployer.undeploy(DEPLOYMENT);
      }
    } finally {
      WildFlyServer.stop(controller);
    }
  }

  private static List<String> stepThreads() throws Exception {
    Path log = Path.of(System.getProperty("wildfly.home"), "standalone", "log", "server.log");
    return Files.readAllLines(log).stream()
        .map(STEP_LOG::matcher)
        .filter(Matcher::find)
        .map(m -> m.group(1))
        .toList();
  }
}
