package io.dbosee.sample.it;

import java.util.Arrays;
import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.arquillian.container.test.api.Deployer;
import org.junit.jupiter.api.Test;

/**
 * The test server started and one WAR deployed once for a test class, before its first test, then
 * undeployed and stopped after its last: Arquillian's deployer cannot be used in an
 * {@code @AfterAll}. When only some of the class's tests run, Arquillian stops the server at the
 * end of the suite.
 */
final class ServerForClass {
  /** What a class prepares before the server starts (its tables, say). */
  @FunctionalInterface
  interface Preparation {
    void run() throws Exception;
  }

  private final String deployment;
  private int remaining;
  private boolean started;

  ServerForClass(Class<?> testClass, String deployment) {
    this.deployment = deployment;
    this.remaining =
        (int)
            Arrays.stream(testClass.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(Test.class))
                .count();
  }

  /** For {@code @BeforeEach}: the first test prepares, starts the server and deploys. */
  void beforeEach(ContainerController controller, Deployer deployer, Preparation prepare)
      throws Exception {
    if (!started) {
      prepare.run();
      LibertyProcess.startAndDeploy(controller, deployer, deployment);
      started = true;
    }
  }

  /** For {@code @AfterEach}: the last test undeploys and stops the server. */
  void afterEach(ContainerController controller, Deployer deployer) throws Exception {
    if (--remaining == 0 && started) {
      started = false;
      LibertyProcess.undeployAndStop(controller, deployer, deployment);
    }
  }
}
