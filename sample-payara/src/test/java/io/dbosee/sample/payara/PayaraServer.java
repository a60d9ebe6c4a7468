package io.dbosee.sample.payara;

import io.dbosee.servertests.TestServer;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.ContainerController;

/** The Payara domain this module's build created and configured (pom.xml), as the tests see it. */
final class PayaraServer extends TestServer {
  @Override
  protected String container() {
    return "payara";
  }

  @Override
  protected String name() {
    return "Payara";
  }

  @Override
  protected int httpPort() {
    return Integer.parseInt(System.getProperty("payara.http.port"));
  }

  @Override
  protected List<ProcessHandle> jvms() {
    String domain = "-Dcom.sun.aas.instanceRoot=" + domainDirectory();
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").contains(domain))
        .toList();
  }

  /**
   * Starts the killed server again with asadmin itself. Arquillian never saw the kill and still has
   * the server as started, so its start would do nothing; stopping the dead server through the
   * Payara adapter (2.5) first fails and leaves it unstartable too. Payara deploys the sample again
   * from its domain.xml, and Arquillian's stop stops it as usual.
   */
  @Override
  protected void startAfterKill(ContainerController controller) throws Exception {
    asadmin("start-domain", System.getProperty("payara.domain"));
  }

  @Override
  protected Path log() {
    return domainDirectory().resolve(Path.of("logs", "server.log"));
  }

  /**
   * Payara's default log format: a header of bracketed fields, the message on the next line between
   * [[ and ]].
   */
  @Override
  protected Pattern queuedStepRecord() {
    return Pattern.compile(
        "\\[io\\.dbosee\\.sample\\.QueueWorkflows\\] \\[tid: _ThreadID=\\d+ _ThreadName=([^\\]]+)\\]"
            + "[^\\n]*\\[\\[\\s*Step \\d+ completed!");
  }

  @Override
  protected String defaultManagedExecutorThreadPrefix() {
    return "concurrent/__defaultManagedExecutorService-";
  }

  private static Path domainDirectory() {
    return new File(System.getProperty("payara.home"), "glassfish/domains")
        .toPath()
        .resolve(System.getProperty("payara.domain"))
        .toAbsolutePath()
        .normalize();
  }

  /** Runs asadmin as the build and the adapter do: admin-cli.jar on this JVM's java. */
  private static void asadmin(String... command) throws Exception {
    List<String> line = new ArrayList<>();
    line.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    line.add("-jar");
    line.add(
        Path.of(System.getProperty("payara.home"), "glassfish", "modules", "admin-cli.jar")
            .toString());
    line.addAll(List.of(command));
    Process process = new ProcessBuilder(line).inheritIO().start();
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("asadmin did not finish in 3 minutes: " + line);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException("asadmin failed (" + process.exitValue() + "): " + line);
    }
  }
}
