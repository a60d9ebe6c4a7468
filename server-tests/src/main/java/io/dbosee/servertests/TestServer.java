package io.dbosee.servertests;

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
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.ContainerController;

/**
 * The server the tests run: HTTP calls to the sample on it, and its process (a kill the way a crash
 * would, a stop that waits for the JVM to exit). A subclass says what differs between servers: its
 * Arquillian container, its ports, how its JVM is found and started again after a kill, and how its
 * log records the thread a queued step ran on.
 */
public abstract class TestServer {
  private static final Logger LOG = Logger.getLogger(TestServer.class.getName());

  /** HTTP/1.1, and never a redirect or a retry of its own. */
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /** The qualifier of the server's container in arquillian.xml. */
  protected abstract String container();

  /** The port of the server's HTTP listener, where the sample answers. */
  protected abstract int httpPort();

  /** The JVMs of this build's server: another checkout may run one of its own. */
  protected abstract List<ProcessHandle> jvms();

  /**
   * Starts the server again after {@link #kill()}; it deploys the sample again from its
   * configuration. Arquillian never saw the kill and still has the server as started.
   */
  protected abstract void startAfterKill(ContainerController controller) throws Exception;

  /** The server's log file, where the sample's queued steps log. */
  protected abstract Path log();

  /**
   * A log record of the queued example's step ({@code Step N completed!}) in the server's log
   * format, its first group the name of the thread the step ran on.
   */
  protected abstract Pattern queuedStepRecord();

  /** How the threads of the server's default managed executor are named. */
  protected abstract String defaultManagedExecutorThreadPrefix();

  /** A short name of the server for messages. */
  protected abstract String name();

  /**
   * Where the server serves MicroProfile Health's {@code path} ({@code /health/ready}, ...): the
   * HTTP listener unless the server says otherwise (WildFly: its management interface).
   */
  protected URI healthUri(String path) {
    return uri(path);
  }

  HttpResponse<String> getHealth(String path) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(healthUri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  URI uri(String path) {
    return URI.create("http://localhost:" + httpPort() + path);
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  CompletableFuture<HttpResponse<String>> getAsync(String path) {
    return HTTP.sendAsync(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A POST of an empty JSON object with HTTP Basic credentials ({@code user} null: none). */
  HttpResponse<String> postJson(String path, String user, String password)
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

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofMinutes(2));
  }

  /** SIGKILLs the test server's JVM (no shutdown hooks, no graceful stop) and waits until gone. */
  void kill() throws Exception {
    List<ProcessHandle> servers = jvms();
    if (servers.size() != 1) {
      throw new IllegalStateException(
          "expected one " + name() + " JVM of this build, found " + servers);
    }
    ProcessHandle server = servers.get(0);
    server.destroyForcibly();
    server.onExit().get(30, TimeUnit.SECONDS);
    LOG.info("Killed " + name() + " (pid " + server.pid() + ")");
  }

  void start(ContainerController controller) {
    controller.start(container());
  }

  boolean isStarted(ContainerController controller) {
    return controller.isStarted(container());
  }

  /** Stops the server and waits until its JVM has exited, so that the next start finds it gone. */
  void stop(ContainerController controller) throws Exception {
    controller.stop(container());
    for (ProcessHandle jvm : jvms()) {
      jvm.onExit().get(60, TimeUnit.SECONDS);
    }
  }
}
