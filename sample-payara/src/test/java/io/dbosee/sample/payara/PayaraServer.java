package io.dbosee.sample.payara;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.ClassLoaderAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The Payara the tests run: the sample WAR they deploy, HTTP calls to it, and its process (a kill
 * the way a crash would, a stop that waits for the JVM to exit).
 */
final class PayaraServer {
  private static final Logger LOG = Logger.getLogger(PayaraServer.class.getName());

  static final String CONTAINER = "payara";
  static final String DEPLOYMENT = "sample";

  /** HTTP/1.1, and never a redirect or a retry of its own. */
  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private PayaraServer() {}

  /**
   * The sample WAR exactly as sample-war packaged it (the same file Open Liberty and WildFly run).
   */
  static WebArchive sampleWar() {
    File war = new File(System.getProperty("sample.war", "target/sample-war.war"));
    WebArchive archive = ShrinkWrap.createFromZipFile(WebArchive.class, war);
    assertThat(archive.getContent().keySet())
        .as("WEB-INF/lib of %s", war)
        .anyMatch(path -> path.get().matches("/WEB-INF/lib/dbos-cdi-.*\\.jar"))
        .anyMatch(path -> path.get().matches("/WEB-INF/lib/dbos-jpa-datasource-.*\\.jar"));
    return archive;
  }

  /** The sample with the tests' configuration (test-config.properties) in place of its own. */
  static WebArchive sampleWarWithTestConfig() {
    WebArchive war = sampleWar();
    String config = "WEB-INF/classes/META-INF/microprofile-config.properties";
    war.delete(config);
    war.add(new ClassLoaderAsset("test-config.properties"), config);
    return war;
  }

  static URI uri(String path) {
    return URI.create("http://localhost:" + System.getProperty("payara.http.port") + path);
  }

  static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  static CompletableFuture<HttpResponse<String>> getAsync(String path) {
    return HTTP.sendAsync(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A POST of an empty JSON object with HTTP Basic credentials ({@code user} null: none). */
  static HttpResponse<String> postJson(String path, String user, String password)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{}"));
    if (user != null) {
      String token = user + ":" + password;
      request.header(
          "Authorization",
          "Basic " + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)));
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofMinutes(2));
  }

  /** SIGKILLs the test server's JVM (no shutdown hooks, no graceful stop) and waits until gone. */
  static void kill() throws Exception {
    List<ProcessHandle> servers = jvms();
    if (servers.size() != 1) {
      throw new IllegalStateException("expected one Payara JVM of this build, found " + servers);
    }
    ProcessHandle server = servers.get(0);
    server.destroyForcibly();
    server.onExit().get(30, TimeUnit.SECONDS);
    LOG.info("Killed Payara (pid " + server.pid() + ")");
  }

  /**
   * Starts the killed server again with asadmin itself. Arquillian never saw the kill and still has
   * the server as started, so its start would do nothing; stopping the dead server through the
   * Payara adapter (2.5) first fails and leaves it unstartable too. Payara deploys the sample again
   * from its domain.xml, and Arquillian's stop stops it as usual.
   */
  static void restartKilledServer() throws Exception {
    asadmin("start-domain", System.getProperty("payara.domain"));
  }

  /** Runs asadmin as the build and the adapter do: admin-cli.jar on this JVM's java. */
  private static void asadmin(String... command) throws Exception {
    List<String> line = new java.util.ArrayList<>();
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

  /** Stops the server and waits until its JVM has exited, so that the next start finds it gone. */
  static void stop(ContainerController controller) throws Exception {
    controller.stop(CONTAINER);
    for (ProcessHandle jvm : jvms()) {
      jvm.onExit().get(60, TimeUnit.SECONDS);
    }
  }

  /** This build's Payara JVMs: another checkout may run one of its own. */
  private static List<ProcessHandle> jvms() {
    String domain =
        "-Dcom.sun.aas.instanceRoot="
            + new File(System.getProperty("payara.home"), "glassfish/domains")
                .toPath()
                .resolve(System.getProperty("payara.domain"))
                .toAbsolutePath()
                .normalize();
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").contains(domain))
        .toList();
  }
}
