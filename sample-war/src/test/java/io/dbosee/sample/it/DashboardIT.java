package io.dbosee.sample.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbosee.sample.it.inserver.AdminProbes;
import java.time.Duration;
import java.util.Optional;
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

/**
 * The dashboard in a real headless Chromium: see a workflow, its steps, cancel it, resume it, fork
 * it.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class DashboardIT {
  private static final String DEPLOYMENT = "dashboard";
  private static final Duration WAIT = Duration.ofSeconds(60);

  @ArquillianResource ContainerController controller;
  @ArquillianResource Deployer deployer;

  @Deployment(name = DEPLOYMENT, managed = false, testable = false)
  static WebArchive sample() {
    return SampleServer.sampleWarWithTestEndpoints().addClass(AdminProbes.class);
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
  void anOperatorSeesAWorkflowItsStepsCancelsResumesAndForksIt() throws Exception {
    assertThat(AdminClient.plainGet("/test/admin/start?id=dash-1&seconds=600").statusCode())
        .isEqualTo(200);
    await()
        .atMost(WAIT)
        .until(
            () ->
                SampleServer.count(
                        "SELECT count(*) FROM dbos.operation_outputs WHERE workflow_uuid = ?",
                        "dash-1")
                    >= 2);

    try (Browser browser = new Browser()) {
      browser.authenticateAs("operator", "dbos-admin-dev");
      browser.open(SampleServer.uri(AdminClient.BASE + "/"));

      String row = "tr[data-workflow-id='dash-1']";
      await().atMost(WAIT).until(() -> browser.find(row) != null);
      assertThat(browser.text(row + " td.status")).isEqualTo("PENDING");

      browser.type("#search", "dash-");
      browser.click("#refresh");
      await()
          .atMost(WAIT)
          .until(() -> browser.count("#workflows tr") == 1 && browser.find(row) != null);

      browser.click(row);
      await().atMost(WAIT).until(() -> "PENDING".equals(browser.text("#detail-status")));
      assertThat(browser.text("#detail-input")).contains("dash-1").contains("600");
      await().atMost(WAIT).until(() -> browser.count("#timeline .bar") == 2);
      assertThat(browser.text("#timeline")).contains("before").contains("DBOS.sleep");

      browser.click("#cancel");

      await().atMost(WAIT).until(() -> "CANCELLED".equals(browser.text("#detail-status")));
      assertThat(browser.text(row + " td.status")).isEqualTo("CANCELLED");
      assertThat(SampleServer.workflowStatus("dash-1")).isEqualTo(Optional.of("CANCELLED"));

      browser.click("#resume");

      // Resumed from its last completed step: it runs (sleeps) again.
      await().atMost(WAIT).until(() -> "PENDING".equals(browser.text("#detail-status")));
      assertThat(browser.text(row + " td.status")).isEqualTo("PENDING");
      assertThat(SampleServer.workflowStatus("dash-1")).isEqualTo(Optional.of("PENDING"));

      browser.clear("#search"); // the fork's id is new: list every workflow
      browser.click("#fork");

      // The page shows the new workflow: a copy of dash-1 from step 0, with its own id.
      await().atMost(WAIT).until(() -> !browser.text("#detail-title").endsWith(" dash-1"));
      String title = browser.text("#detail-title");
      String forkId = title.substring(title.lastIndexOf(' ') + 1);
      assertThat(
              SampleServer.text(
                  "SELECT forked_from FROM dbos.workflow_status WHERE workflow_uuid = ?", forkId))
          .isEqualTo("dash-1");
      await()
          .atMost(WAIT)
          .until(() -> browser.find("tr[data-workflow-id='" + forkId + "']") != null);
      assertThat(browser.text("#detail-input")).contains("dash-1").contains("600");

      browser.click("#cancel"); // the fork, then the original: leave nothing sleeping
      await().atMost(WAIT).until(() -> "CANCELLED".equals(browser.text("#detail-status")));
      assertThat(AdminClient.OPERATOR.post("/workflows/dash-1/cancel", "").statusCode())
          .isEqualTo(204);
    }
  }
}
