package io.dbosee.internal.health;

import io.dbosee.internal.cdi.DBOSRuntime;
import io.dbosee.internal.engine.DBOSEngine;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * MicroProfile Health liveness ({@code /health/live}): the engine of this server, its executor id
 * and application version and how many workflows it is executing; DOWN once the engine has stopped.
 * A database outage does not make it DOWN (restarting the server would not help; the readiness
 * check reports it).
 */
@Liveness
@ApplicationScoped
public class DBOSLiveness implements HealthCheck {
  static final String NAME = "dbos-engine";

  @Inject DBOSRuntime runtime;

  @Override
  public HealthCheckResponse call() {
    DBOSEngine engine = runtime.startedEngine();
    if (engine == null) {
      return HealthCheckResponse.named(NAME).up().withData("engine", "starting").build();
    }
    return HealthCheckResponse.named(NAME)
        .status(engine.isRunning())
        .withData("engine", engine.isRunning() ? "running" : "stopped")
        .withData("executorId", engine.config().executorId())
        .withData("applicationVersion", engine.config().applicationVersion())
        .withData("activeWorkflows", engine.activeWorkflows())
        .build();
  }
}
