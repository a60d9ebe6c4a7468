package io.dbosee.sample.it;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.arquillian.container.test.api.Deployer;

/** Kills a Liberty server the way a crash would, and makes Arquillian accept that it is gone. */
final class LibertyProcess {
  private static final Logger LOG = Logger.getLogger(LibertyProcess.class.getName());

  private LibertyProcess() {}

  /** SIGKILLs the JVM of Liberty server {@code serverName} and waits until it is gone. */
  static void kill(String serverName) throws Exception {
    List<ProcessHandle> servers = jvms(serverName);
    if (servers.size() != 1) {
      throw new IllegalStateException(
          "expected one JVM of Liberty server " + serverName + ", found " + servers);
    }
    ProcessHandle server = servers.get(0);
    server.destroyForcibly(); // SIGKILL: no shutdown hooks, no graceful stop
    server.onExit().get(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS);
    LOG.info("Killed Liberty server " + serverName + " (pid " + server.pid() + ")");
  }

  /** Waits until the JVM of Liberty server {@code serverName} has exited (it halted itself). */
  static void awaitExit(String serverName) throws Exception {
    for (ProcessHandle jvm : jvms(serverName)) {
      jvm.onExit().get(60, TimeUnit.SECONDS);
    }
  }

  /** Starts the server and deploys {@code deployment} (a test's {@code @BeforeEach}). */
  static void startAndDeploy(ContainerController controller, Deployer deployer, String deployment) {
    controller.start(SampleServer.CONTAINER);
    deployer.deploy(deployment);
  }

  /** Undeploys {@code deployment} and stops the server, even if the undeploy fails. */
  static void undeployAndStop(ContainerController controller, Deployer deployer, String deployment)
      throws Exception {
    try {
      deployer.undeploy(deployment);
    } finally {
      stop(controller, SampleServer.CONTAINER);
    }
  }

  /**
   * Stops the server and waits until its JVM has exited: Arquillian finds a running server by its
   * JVM, and refuses to start one while the previous JVM is still exiting.
   */
  static void stop(ContainerController controller, String container) throws Exception {
    controller.stop(container);
    for (ProcessHandle jvm : jvms(System.getProperty("liberty.server.name"))) {
      jvm.onExit().get(60, TimeUnit.SECONDS);
    }
  }

  private static List<ProcessHandle> jvms(String serverName) {
    return ProcessHandle.allProcesses()
        .filter(
            p -> {
              String cmd = p.info().commandLine().orElse("");
              // This build's server only: another checkout may run one of the same name.
              return cmd.contains("ws-server.jar")
                  && cmd.contains(System.getProperty("liberty.wlp.home"))
                  && !cmd.contains("--stop")
                  && List.of(cmd.split(" ")).contains(serverName);
            })
        .toList();
  }

  /**
   * Arquillian still believes the killed server runs and would not start it again. Its stop fails
   * (there is nothing to stop) and leaves the container startable: the failure is expected.
   */
  static void forgetKilledServer(ContainerController controller, String container) {
    try {
      controller.stop(container);
    } catch (Exception expected) { // Arquillian rethrows the adapter's checked LifecycleException
      LOG.log(Level.INFO, "Stopping the killed server failed, as expected: " + expected);
    }
  }
}
