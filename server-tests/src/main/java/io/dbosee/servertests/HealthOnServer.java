package io.dbosee.servertests;

import static io.dbosee.servertests.SampleArchives.DEPLOYMENT;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * The library's MicroProfile Health checks on the server's own health endpoint, and an undeploy
 * after workflows ran on the server's pooled threads (issue 28). WildFly's health extension
 * collects only the checks of the application's bean archives, which the library's were not part
 * of; Payara's leak detection logs a SEVERE line for each pooled thread that still holds an
 * application's object after undeploy, which the library's thread-local state used to be.
 */
public abstract class HealthOnServer extends OnServer {
  private static final Duration WAIT = Duration.ofSeconds(60);

  /** A leak report about the library: Payara's, "created a ThreadLocal ... io.dbosee...". */
  private static final Pattern THREAD_LOCAL_LEAK = Pattern.compile("ThreadLocal[^\\n]*io\\.dbosee");

  protected HealthOnServer(TestServer server) {
    super(server);
  }

  @Deployment(name = DEPLOYMENT, managed = false, testable = false)
  static WebArchive sample() {
    return SampleArchives.sampleWarWithTestConfig();
  }

  @Test
  void healthListsTheLibrarysChecksAndAnUndeployLeavesNoThreadLocalOfIt() throws Exception {
    server.start(controller);
    try {
      deployer.deploy(DEPLOYMENT);
      long logBeforeUndeploy;
      try {
        await()
            .atMost(WAIT)
            .until(
                () -> status(server.getHealth("/health/ready"), "dbos-system-database"),
                "\"UP\""::equals);
        HttpResponse<String> ready = server.getHealth("/health/ready");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        HttpResponse<String> live = server.getHealth("/health/live");
        assertThat(status(live, "dbos-engine")).as(live.body()).isEqualTo("\"UP\"");
        assertThat(live.body()).containsPattern("\"engine\"\\s*:\\s*\"running\"");
        assertThat(live.body())
            .as("readiness is not a liveness check")
            .doesNotContain("dbos-system-database");
        HttpResponse<String> all = server.getHealth("/health");
        assertThat(status(all, "dbos-system-database")).as(all.body()).isEqualTo("\"UP\"");
        assertThat(status(all, "dbos-engine")).as(all.body()).isEqualTo("\"UP\"");

        // The greeting is started on an HTTP thread and runs on the managed executor's, and its
        // step calls the guestbook on another HTTP thread: both pools outlive the application.
        // (Not the queue example: QueueOnServer counts its records in the same server log.)
        HttpResponse<String> greeting =
            server.get("/greeting/Undeploy?id=undeploy-" + System.nanoTime());
        assertThat(greeting.statusCode()).as("GET /greeting: %s", greeting.body()).isEqualTo(200);
        logBeforeUndeploy = Files.size(server.log());
      } finally {
        deployer.undeploy(DEPLOYMENT);
      }
      // Payara checks the threads while it undeploys, on the thread that runs the undeploy.
      byte[] log = Files.readAllBytes(server.log());
      String undeployLog =
          new String(log, (int) logBeforeUndeploy, log.length - (int) logBeforeUndeploy, UTF_8);
      assertThat(undeployLog).doesNotContainPattern(THREAD_LOCAL_LEAK);
    } finally {
      server.stop(controller);
    }
  }

  /** The status of the check named {@code name} (with its quotes), or the response if absent. */
  private static String status(HttpResponse<String> response, String name) {
    return Pattern.compile(
            "\"name\"\\s*:\\s*\""
                + Pattern.quote(name)
                + "\"\\s*,\\s*\"status\"\\s*:\\s*(\"\\w+\")")
        .matcher(response.body())
        .results()
        .map(m -> m.group(1))
        .findFirst()
        .orElse(response.statusCode() + " " + response.body());
  }
}
