package io.dbosee.sample.it;

import static io.dbosee.sample.it.SampleServer.CONTAINER;
import static io.dbosee.sample.it.SampleServer.DEPLOYMENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
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
 * The harness of {@link WorkflowRestartIT} on its own, without any workflow: a SIGKILLed server
 * starts again, redeploys the sample from dropins and finds the database as it was. When the
 * restart test fails and this one passes, look at the engine, not at the harness.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ServerKillRestartIT {
  @ArquillianResource ContainerController controller;
  @ArquillianResource Deployer deployer;

  @Deployment(name = DEPLOYMENT, managed = false, testable = false)
  static WebArchive sample() {
    return SampleServer.sampleWar();
  }

  @Test
  void aKilledServerStartsAgainWithTheSampleAndItsData() throws Exception {
    controller.start(CONTAINER);
    deployer.deploy(DEPLOYMENT);
    try {
      assertThat(status()).as("GET /steps before the kill").isEqualTo(200);
      try (Connection c = SampleServer.database();
          Statement s = c.createStatement()) {
        s.execute(
            "INSERT INTO sample_step_executions (workflow_id, step, executions)"
                + " VALUES ('written-before-the-kill', 'someStep', 1)");
      }

      LibertyProcess.kill(System.getProperty("liberty.server.name"));
      assertThat(status()).as("GET /steps of a killed server").isEqualTo(-1);
      LibertyProcess.forgetKilledServer(controller, CONTAINER);
      controller.start(CONTAINER);

      await("the sample after the restart")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> status() == 200);
      assertThat(SampleServer.get("/steps").body())
          .contains("written-before-the-kill someStep ran 1 time(s)");
    } finally {
      if (controller.isStarted(CONTAINER)) {
        deployer.undeploy(DEPLOYMENT);
        LibertyProcess.stop(controller, CONTAINER);
      }
    }
  }

  /** The HTTP status of GET /steps, -1 when nothing answers. */
  private static int status() {
    try {
      return SampleServer.get("/steps").statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
