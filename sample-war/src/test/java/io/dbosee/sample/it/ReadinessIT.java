package io.dbosee.sample.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * MicroProfile Health readiness of the deployed sample while its system database goes away and
 * comes back: the database refuses connections to the sample's database and closes the open ones,
 * as a stopped PostgreSQL would, without stopping the PostgreSQL the other tests share.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ReadinessIT {
  private static final String DEPLOYMENT = "readiness";
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String CHECK = "dbos-system-database";

  @ArquillianResource ContainerController controller;
  @ArquillianResource Deployer deployer;

  @Deployment(name = DEPLOYMENT, managed = false, testable = false)
  static WebArchive sample() {
    return SampleServer.sampleWar();
  }

  @BeforeEach
  void startAndDeploy() {
    LibertyProcess.startAndDeploy(controller, deployer, DEPLOYMENT);
  }

  @AfterEach
  void undeployAndStop() throws Exception {
    try {
      setReachable(true);
    } finally {
      LibertyProcess.undeployAndStop(controller, deployer, DEPLOYMENT);
    }
  }

  @Test
  void readinessIsDownWhileTheSystemDatabaseIsUnreachableAndUpWhenItIsBack() throws Exception {
    await().atMost(WAIT).until(() -> readiness().equals("UP"));

    setReachable(false);
    await().atMost(WAIT).until(() -> readiness().equals("DOWN"));
    JsonObject down = dbosCheck();
    assertThat(down.getString("status")).isEqualTo("DOWN");
    assertThat(down.getJsonObject("data").getString("problem")).contains("system database");
    HttpResponse<String> live = SampleServer.get("/health/live");
    assertThat(live.statusCode())
        .as("a database outage is no reason to restart the server: %s", live.body())
        .isEqualTo(200);

    setReachable(true);
    await().atMost(WAIT).until(() -> readiness().equals("UP"));
  }

  /** The overall readiness status, checking that the HTTP status agrees (200 UP, 503 DOWN). */
  private static String readiness() throws Exception {
    HttpResponse<String> response = SampleServer.get("/health/ready");
    String status = json(response).getString("status");
    assertThat(response.statusCode())
        .as(response.body())
        .isEqualTo(status.equals("UP") ? 200 : 503);
    return status;
  }

  private static JsonObject dbosCheck() throws Exception {
    return json(SampleServer.get("/health/ready")).getJsonArray("checks").stream()
        .map(JsonObject.class::cast)
        .filter(check -> check.getString("name").equals(CHECK))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + CHECK + " readiness check"));
  }

  private static JsonObject json(HttpResponse<String> response) {
    try (var reader = Json.createReader(new StringReader(response.body()))) {
      return reader.readObject();
    }
  }

  /**
   * Lets the sample's database accept connections, or refuses them and closes the open ones (run
   * from the PostgreSQL server's maintenance database, which stays reachable).
   */
  private static void setReachable(boolean reachable) throws SQLException {
    String url = System.getProperty("test.postgres.url");
    String maintenance = url.substring(0, url.lastIndexOf('/') + 1) + "postgres";
    try (Connection c = DriverManager.getConnection(maintenance, "postgres", "");
        Statement s = c.createStatement()) {
      s.execute(
          "ALTER DATABASE " + TestPostgresSession.DATABASE + " ALLOW_CONNECTIONS " + reachable);
      if (!reachable) {
        s.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
                + TestPostgresSession.DATABASE
                + "'");
      }
    }
  }
}
