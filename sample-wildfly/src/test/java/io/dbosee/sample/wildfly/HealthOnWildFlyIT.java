package io.dbosee.sample.wildfly;

import static io.dbosee.sample.wildfly.WildFlyServer.CONTAINER;
import static io.dbosee.sample.wildfly.WildFlyServer.DEPLOYMENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
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
 * The library's MicroProfile Health checks on WildFly's health endpoint (the management interface):
 * WildFly's health extension collects only the checks of the application's bean archives, which the
 * library's used not to be part of (issue 28).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HealthOnWildFlyIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @ArquillianResource ContainerController controller;
  @ArquillianResource Deployer deployer;

  @Deployment(name = DEPLOYMENT, managed = false, testable = false)
  static WebArchive sample() {
    return WildFlyServer.sampleWarWithTestConfig();
  }

  @Test
  void healthListsTheLibrarysReadinessAndLivenessChecks() throws Exception {
    controller.start(CONTAINER);
    try {
      deployer.deploy(DEPLOYMENT);
      try {
        await()
            .atMost(WAIT)
            .until(
                () -> status(health("/health/ready"), "dbos-system-database"),
                s -> s.equals(Optional.of("UP")));

        HttpResponse<String> ready = health("/health/ready");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        HttpResponse<String> live = health("/health/live");
        assertThat(status(live, "dbos-engine")).as(live.body()).contains("UP");
        assertThat(live.body()).contains("\"engine\":\"running\"").contains("\"executorId\"");
        assertThat(status(live, "dbos-system-database"))
            .as("readiness is not a liveness check: %s", live.body())
            .isEmpty();
        HttpResponse<String> all = health("/health");
        assertThat(status(all, "dbos-system-database")).as(all.body()).contains("UP");
        assertThat(status(all, "dbos-engine")).as(all.body()).contains("UP");
      } finally {
        deployer.undeploy(DEPLOYMENT);
      }
    } finally {
      WildFlyServer.stop(controller);
    }
  }

  /** A health endpoint on WildFly's management interface, not the applications' HTTP port. */
  private static HttpResponse<String> health(String path) throws Exception {
    URI uri =
        URI.create("http://localhost:" + System.getProperty("wildfly.management.http.port") + path);
    return WildFlyServer.HTTP.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The status of the check named {@code name} in a health response, empty if it is absent. */
  static Optional<String> status(HttpResponse<String> response, String name) {
    Matcher check =
        Pattern.compile(
                "\\{\\s*\"name\"\\s*:\\s*\""
                    + Pattern.quote(name)
                    + "\"\\s*,\\s*\"status\"\\s*:\\s*\"(\\w+)\"")
            .matcher(response.body());
    return check.find() ? Optional.of(check.group(1)) : Optional.empty();
  }
}
