package io.dbosee.internal.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * The engine's settings, validated on construction.
 *
 * @param executorId this server's id in {@code workflow_status.executor_id}
 * @param applicationVersion recorded with every workflow; recovery only takes its own version
 * @param schema the system database schema
 * @param resultPollInterval how often a caller polls for the result of a workflow that another
 *     server runs
 */
public record EngineConfig(
    String executorId, String applicationVersion, String schema, Duration resultPollInterval) {

  public EngineConfig {
    requireText(executorId, "executorId");
    requireText(applicationVersion, "applicationVersion");
    requireText(schema, "schema");
    Objects.requireNonNull(resultPollInterval, "resultPollInterval");
    if (resultPollInterval.isZero() || resultPollInterval.isNegative()) {
      throw new IllegalArgumentException(
          "resultPollInterval must be positive, got " + resultPollInterval);
    }
  }

  public EngineConfig(String executorId, String applicationVersion, String schema) {
    this(executorId, applicationVersion, schema, Duration.ofMillis(100));
  }

  private static void requireText(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
  }
}
