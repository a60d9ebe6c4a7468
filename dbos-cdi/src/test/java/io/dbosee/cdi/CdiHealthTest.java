package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbosee.testing.TestPostgres;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.util.AnnotationLiteral;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The MicroProfile Health checks the library registers, on Weld SE. */
class CdiHealthTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final TestPostgres.Database database = TestPostgres.newDatabase();
  private WeldContainer container;

  @BeforeEach
  void start() {
    container =
        CdiTestSupport.start(
            CdiTestSupport.systemDatabase(database), CdiManagementTest.Orders.class);
  }

  @AfterEach
  void stop() {
    TestPostgres.setReachable(database, true);
    container.close();
    CdiTestSupport.releaseConfig();
  }

  private HealthCheckResponse readiness() {
    return container.select(HealthCheck.class, new AnnotationLiteral<Readiness>() {}).get().call();
  }

  private HealthCheckResponse liveness() {
    return container.select(HealthCheck.class, new AnnotationLiteral<Liveness>() {}).get().call();
  }

  @Test
  void readinessIsDownWhileTheSystemDatabaseIsUnreachableAndUpWhenItIsBack() {
    assertThat(readiness().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);

    TestPostgres.setReachable(database, false);
    HealthCheckResponse down = readiness();
    assertThat(down.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
    assertThat(down.getData().orElseThrow().get("problem").toString()).contains("system database");
    assertThat(liveness().getStatus())
        .as("a database outage is not a reason to restart the server")
        .isEqualTo(HealthCheckResponse.Status.UP);

    TestPostgres.setReachable(database, true);
    await().atMost(WAIT).until(() -> readiness().getStatus() == HealthCheckResponse.Status.UP);
  }

  @Test
  void readinessIsDownWhileTheSchemaIsNotMigratedToThisVersion() {
    database.query("UPDATE dbos.dbos_migrations SET version = 41 RETURNING version");

    HealthCheckResponse down = readiness();

    assertThat(down.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
    assertThat(down.getData().orElseThrow().get("problem").toString())
        .contains("migration 41")
        .contains("123");
  }

  @Test
  void livenessReportsTheEngineAndIsDownOnceItStopped() {
    HealthCheckResponse live = liveness();
    assertThat(live.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
    assertThat(live.getData().orElseThrow())
        .containsEntry("engine", "running")
        .containsEntry("executorId", "local")
        .containsKey("applicationVersion")
        .containsKey("activeWorkflows");

    HealthCheck check =
        container.select(HealthCheck.class, new AnnotationLiteral<Liveness>() {}).get();
    container.select(io.dbosee.internal.cdi.DBOSRuntime.class).get().engine().close();

    assertThat(check.call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
    assertThat(container.select(HealthCheck.class, Any.Literal.INSTANCE).stream().count())
        .isEqualTo(2);
  }
}
