package io.dbosee.sample.payara;

import static io.dbosee.sample.payara.PayaraServer.CONTAINER;
import static io.dbosee.sample.payara.PayaraServer.DEPLOYMENT;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
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
 * The library's MicroProfile Health checks on Payara's health endpoint (its HTTP listener's {@code
 * /health}), and an undeploy after workflows ran on Payara's pooled threads: Payara's leak
 * detection finds no thread-local entry of the library on them (issue 28: it used to log one SEVERE
 * line per thread that had run a workflow).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HealthAndUndeployOnPayaraIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @ArquillianResource ContainerController controller;
  @ArquillianResource Deployer deployer;

  @Deployment(name = DEPLOYMENT, managed = false, testable = false)
  static WebArchive sample() {
    return PayaraServer.sampleWarWithTestConfig();
  }

  @Test
  void healthListsTheLibrarysChecksAndAnUndeployLeavesNoThreadLocalOfIt() throws Exception {
    controller.start(CONTAINER);
    try {
      deployer.deploy(DEPLOYMENT);
      long logBeforeUndeploy;
      try {
        await()
            .atMost(WAIT)
            .until(
                () -> checkStatus(PayaraServer.get("/health/ready"), "dbos-system-database"),
                "\"UP\""::equals);
        HttpResponse<String> live = PayaraServer.get("/health/live");
        assertThat(checkStatus(live, "dbos-engine")).as(live.body()).isEqualTo("\"UP\"");
        HttpResponse<String> all = PayaraServer.get("/health");
        assertThat(all.statusCode()).as(all.body()).isEqualTo(200);
        assertThat(checkStatus(all, "dbos-system-database")).as(all.body()).isEqualTo("\"UP\"");

        // A workflow on an HTTP thread, its queued children on the managed executor's threads:
        // both pools outlive the application.
        HttpResponse<String> queue = PayaraServer.get("/queue?id=leak-" + System.nanoTime());
        assertThat(queue.statusCode()).as("GET /queue: %s", queue.body()).isEqualTo(200);
        logBeforeUndeploy = Files.size(serverLog());
      } finally {
        deployer.undeploy(DEPLOYMENT);
      }
      // Payara checks the threads while it undeploys, on the thread that runs the undeploy.
      byte[] all = Files.readAllBytes(serverLog());
      String undeployLog =
          new String(all, (int) logBeforeUndeploy, all.length - (int) logBeforeUndeploy, UTF_8);
      assertThat(undeployLog)
          .doesNotContainPattern(Pattern.compile("ThreadLocal[^\\n]*io\\.dbosee"));
    } finally {
      PayaraServer.stop(controller);
    }
  }

  /** The status of the check named {@code name} (with its quotes), or the response if absent. */
  private static String checkStatus(HttpResponse<String> response, String name) {
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

  /** The domain's server.log. */
  static Path serverLog() {
    return Path.of(
        System.getProperty("payara.home"),
        "glassfish",
        "domains",
        System.getProperty("payara.domain"),
        "logs",
        "server.log");
  }
}
