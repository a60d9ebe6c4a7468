package io.dbosee.sample.wildfly;

import io.dbosee.servertests.TestServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.ContainerController;

/** The WildFly this module's build configured (pom.xml), as the shared tests see it. */
final class WildFlyServer extends TestServer {
  private static final Logger LOG = Logger.getLogger(WildFlyServer.class.getName());

  @Override
  protected String container() {
    return "wildfly";
  }

  @Override
  protected String name() {
    return "WildFly";
  }

  @Override
  protected int httpPort() {
    return Integer.parseInt(System.getProperty("wildfly.http.port"));
  }

  /** Health is on WildFly's management interface, not beside the applications. */
  @Override
  protected URI healthUri(String path) {
    return URI.create(
        "http://localhost:" + System.getProperty("wildfly.management.http.port") + path);
  }

  @Override
  protected List<ProcessHandle> jvms() {
    String home = "-Djboss.home.dir=" + System.getProperty("wildfly.home");
    return ProcessHandle.allProcesses()
        .filter(
            p -> {
              String cmd = p.info().commandLine().orElse("");
              return cmd.contains("jboss-modules.jar") && cmd.contains(home);
            })
        .toList();
  }

  /**
   * Arquillian still believes the killed server runs and would not start it again. Its stop fails
   * or finds nothing to stop, and leaves the container startable either way.
   */
  @Override
  protected void startAfterKill(ContainerController controller) {
    try {
      controller.stop(container());
    } catch (Exception expected) { // Arquillian rethrows the adapter's checked LifecycleException
      LOG.log(Level.INFO, "Stopping the killed server failed, as expected: " + expected);
    }
    controller.start(container());
  }

  @Override
  protected Path log() {
    return Path.of(System.getProperty("wildfly.home"), "standalone", "log", "server.log");
  }

  /** WildFly's default log format: the category in brackets, then the thread in parentheses. */
  @Override
  protected Pattern queuedStepRecord() {
    return Pattern.compile(
        "\\[io\\.dbosee\\.sample\\.QueueWorkflows\\] \\((.+?)\\) Step \\d+ completed!");
  }

  @Override
  protected String defaultManagedExecutorThreadPrefix() {
    return "EE-ManagedExecutorService-default-Thread-";
  }
}
