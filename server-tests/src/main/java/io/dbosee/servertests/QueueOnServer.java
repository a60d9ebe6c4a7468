package io.dbosee.servertests;

import static io.dbosee.servertests.SampleArchives.DEPLOYMENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * The sample's queue example: ten queued workflows, two at a time (test-config), each on the
 * server's default managed executor (java:comp/DefaultManagedExecutorService, the library's
 * default): never a thread of the library's own.
 */
public abstract class QueueOnServer extends OnServer {
  protected QueueOnServer(TestServer server) {
    super(server);
  }

  @Deployment(name = DEPLOYMENT, managed = false, testable = false)
  static WebArchive sample() {
    return SampleArchives.sampleWarWithTestConfig();
  }

  @Test
  void theQueuedWorkflowsRunOnTheServersDefaultManagedExecutor() throws Exception {
    server.start(controller);
    try {
      deployer.deploy(DEPLOYMENT);
      try {
        String id = "queue-" + System.nanoTime();

        HttpResponse<String> response = server.get("/queue?id=" + id);

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
            .allMatch(t -> t.startsWith(server.defaultManagedExecutorThreadPrefix()));
      } finally {
        deployer.undeploy(DEPLOYMENT);
      }
    } finally {
      server.stop(controller);
    }
  }

  private List<String> stepThreads() throws Exception {
    return server
        .queuedStepRecord()
        .matcher(Files.readString(server.log()))
        .results()
        .map(m -> m.group(1))
        .toList();
  }
}
