package io.dbosee.internal.cdi;

import io.dbosee.internal.engine.DBOSEngine;
import io.dbosee.internal.errors.ErrorCode;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.TracerProvider;
import jakarta.enterprise.inject.Instance;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Finds the application's {@link OpenTelemetry} bean (MicroProfile Telemetry provides one) and
 * hooks it into the engine: spans ({@link OpenTelemetryObserver}) and metrics ({@link
 * OpenTelemetryMetrics}). Loaded only when the OpenTelemetry API is visible to the application.
 */
final class ApplicationOpenTelemetry {
  private static final Logger LOG = Logger.getLogger(ApplicationOpenTelemetry.class.getName());

  private ApplicationOpenTelemetry() {}

  /**
   * Lets the application's OpenTelemetry trace and measure {@code engine}, before its launch.
   *
   * @return what to close when the application stops (the metrics' gauges, which the server's SDK
   *     would otherwise go on calling)
   */
  static AutoCloseable install(Instance<Object> beans, DBOSEngine engine) {
    Optional<OpenTelemetry> found = usable(beans);
    if (found.isEmpty()) {
      return () -> {};
    }
    OpenTelemetryObserver.of(found.get()).ifPresent(engine::observe);
    Optional<OpenTelemetryMetrics> metrics = OpenTelemetryMetrics.of(found.get());
    metrics.ifPresent(engine::measure);
    return metrics.<AutoCloseable>map(m -> m::close).orElse(() -> {});
  }

  /**
   * The application's {@link OpenTelemetry} bean, or empty when there is none or it is the no-op
   * one (MicroProfile Telemetry with {@code otel.sdk.disabled=true}, its default).
   */
  private static Optional<OpenTelemetry> usable(Instance<Object> beans) {
    Instance<OpenTelemetry> candidates = beans.select(OpenTelemetry.class);
    if (candidates.isUnsatisfied()) {
      return Optional.empty();
    }
    if (candidates.isAmbiguous()) {
      LOG.log(
          Level.WARNING,
          ErrorCode.AMBIGUOUS_OPENTELEMETRY.message(
              "Several OpenTelemetry beans are visible to the application, so DBOS neither"
                  + " traces workflows nor counts metrics. Leave one (MicroProfile Telemetry"
                  + " provides it)."));
      return Optional.empty();
    }
    OpenTelemetry openTelemetry = candidates.get();
    if (openTelemetry == OpenTelemetry.noop() || !enabled(openTelemetry)) {
      return Optional.empty();
    }
    return Optional.of(openTelemetry);
  }

  /**
   * Whether the SDK behind {@code openTelemetry} is enabled: a disabled one (possibly wrapped by
   * the server) gives spans without ids. The probe span is never ended, so never exported.
   */
  private static boolean enabled(OpenTelemetry openTelemetry) {
    if (openTelemetry.getTracerProvider() == TracerProvider.noop()) {
      return true; // no spans to probe: each provider's own no-op test decides
    }
    Span probe =
        openTelemetry
            .getTracer(OpenTelemetryObserver.SCOPE)
            .spanBuilder("dbos-probe")
            .setNoParent()
            .startSpan();
    return probe.getSpanContext().isValid();
  }
}
