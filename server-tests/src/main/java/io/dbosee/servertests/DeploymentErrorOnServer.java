package io.dbosee.sample.wildfly;

import static io.dbosee.sample.wildfly.WildFlyServer.CONTAINER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Misuse found at deployment fails the deployment on WildFly too, with the coded message. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class DeploymentErrorOnWildFlyIT {
  private static final String SELF_CALL = "self-call";

  @ArquillianResource ContainerController controller;
  @ArquillianResource Deployer deployer;

  /** The sample's libraries and a workflow that calls its own step through 'this'. */
  @Deployment(name = SELF_CALL, managed = false, testable = false)
  static WebArchive selfCall() {
    WebArchive war =
        ShrinkWrap.create(WebArchive.class, "self-call.war")
            .addClass(SelfCallingWorkflow.class)
            .addAsResource(
                new StringAsset("dbos.system-database.datasource=jdbc/dbosSystem\n"),
                "META-INF/microprofile-config.properties");
    for (var entry : WildFlyServer.sampleWar().getContent().entrySet()) {
      if (entry.getKey().get().startsWith("/WEB-INF/lib/") && entry.getValue().getAsset() != null) {
        war.add(entry.getValue().getAsset(), entry.getKey());
      }
    }
    return war;
  }

  @Test
  void aWorkflowCallingItsOwnStepThroughThisDoesNotDeploy() throws Exception {
    controller.start(CONTAINER);
    try {
      Throwable failure = catchThrowable(() -> deployer.deploy(SELF_CALL));

      assertThat(failure).as("the deployment must fail").isNotNull();
      StringWriter trace = new StringWriter();
      failure.printStackTrace(new PrintWriter(trace));
      assertThat(trace.toString()).contains("DBOS-CDI-009").contains("checkout").contains("charge");
    } finally {
      try {
        deployer.undeploy(SELF_CALL); // WildFly removes a failed deployment itself: nothing left
      } catch (RuntimeException alreadyGone) {
        // expected
      } finally {
        WildFlyServer.stop(controller);
      }
    }
  }
}
