package io.dbosee.internal.health;

import io.dbosee.internal.cdi.DBOSRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * MicroProfile Health readiness ({@code /health/ready}): DOWN until the engine has started and
 * migrated the system database, and whenever that database cannot be reached (each check reads the
 * migration version, giving up after five seconds); UP otherwise. A bean found by discovery (the
 * jar's {@code META-INF/beans.xml}), only when the MicroProfile Health API is present.
 */
@Readiness
@ApplicationScoped
public class DBOSReadiness implements HealthCheck {
  static final String NAME = "dbos-system-database";

  @Inject DBOSRuntime runtime;

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME);
    Optional<String> problem = runtime.readinessProblem();
    if (problem.isPresent()) {
      return response.down().withData("problem", problem.get()).build();
    }
    return response.up().build();
  }
}
