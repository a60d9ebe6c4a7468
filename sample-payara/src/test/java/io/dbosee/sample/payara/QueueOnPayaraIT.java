package io.dbosee.sample.payara;

import static io.dbosee.sample.payara.PayaraServer.CONTAINER;
import static io.dbosee.sample.payara.PayaraServer.DEPLOYMENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
 * The sample's queue example on Payara: ten queued workflows, two at a time (test-config), each on
 * Payara's default managed executor (java:comp/DefaultManagedExecutorService, the library's
 * default): never a thread of the library's own.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class QueueOnPayaraIT {
  /**
   * A record of the queued step, with the thread it ran on (Payara's default log format: a header
   * of bracketed fields, the message on the next line between [[ and ]]).
   */
  private static final Pattern STEP_LOG =
      Pattern.compile(
          "\\[io\\.dbosee\\.sample\\.QueueWorkflows\\] \\[tid: _ThreadID=\\d+ _ThreadName=([^\\]]+)\\]"
              + "[^\\n]*\\[\\[\\s*Step \\d+ completed!");

  @ArquillianResource ContainerController controller;
  @ArquillianResource Deployer deployer;

  @Deployment(name = DEPLOYMENT, managed = false, testable = false)
  static WebArchive sample() {
    return PayaraServer.sampleWarWithTestConfig();
  }

  @Test
  void theQueuedWorkflowsRunOnTheServersDefaultManagedExecutor() throws Exception {
    controller.start(CONTAINER);
    try {
      deployer.deploy(DEPLOYMENT);
      try {
        String id = "queue-" + System.nanoTime();

        HttpResponse<String> response = PayaraServer.get("/queue?id=" + id);

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
            .allMatch(t -> t.startsWith("concurrent/__defaultManagedExecutorService-"));
      } finally {
        deployer.undeploy(DEPLOYMENT);
      }
    } finally {
      PayaraServer.stop(controller);
    }
  }

  private static List<String> stepThreads() throws Exception {
    Path log =
        Path.of(
            System.getProperty("payara.home"),
            "glassfish",
            "domains",
            System.getProperty("payara.domain"),
            "logs",
            "server.log");
    return STEP_LOG.matcher(Files.readString(log)).results().map(m -> m.group(1)).toList();
  }
}
