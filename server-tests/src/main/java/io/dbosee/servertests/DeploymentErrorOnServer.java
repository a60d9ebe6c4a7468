package io.dbosee.servertests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dbosee.internal.errors.ErrorCode;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/** Misuse found at deployment fails the deployment on the server too, with the coded message. */
public abstract class DeploymentErrorOnServer extends OnServer {
  private static final String SELF_CALL = "self-call";

  protected DeploymentErrorOnServer(TestServer server) {
    super(server);
  }

  @Deployment(name = SELF_CALL, managed = false, testable = false)
  static WebArchive selfCall() {
    return SampleArchives.selfCallingWorkflow();
  }

  @Test
  void aWorkflowCallingItsOwnStepThroughThisDoesNotDeploy() throws Exception {
    server.start(controller);
    try {
      Throwable failure = catchThrowable(() -> deployer.deploy(SELF_CALL));

      assertThat(failure).as("the deployment must fail").isNotNull();
      StringWriter trace = new StringWriter();
      failure.printStackTrace(new PrintWriter(trace));
      assertThat(trace.toString())
          .contains(ErrorCode.SELF_CALL.code())
          .contains("checkout")
          .contains("charge");
    } finally {
      try {
        deployer.undeploy(SELF_CALL); // the server keeps no failed deployment: nothing left
      } catch (RuntimeException alreadyGone) {
        // expected
      } finally {
        server.stop(controller);
      }
    }
  }
}
