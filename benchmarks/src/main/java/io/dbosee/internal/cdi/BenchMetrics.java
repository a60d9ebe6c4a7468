package io.dbosee.internal.cdi;

import io.dbosee.internal.engine.EngineMetrics;
import io.opentelemetry.exporter.logging.LoggingMetricExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The library's OpenTelemetry metrics (as MicroProfile Telemetry would get them) over an SDK that
 * collects every second and discards what it collects: the benchmarks' {@code --metrics} runs. In
 * this package only to reach the package-private {@link OpenTelemetryMetrics}.
 */
public final class BenchMetrics implements AutoCloseable {
  /** The logging exporter's logger, off: held here, as a logger nobody holds loses its level. */
  private static final Logger EXPORTER_LOG =
      Logger.getLogger(LoggingMetricExporter.class.getName());

  private final SdkMeterProvider provider;
  private final OpenTelemetryMetrics metrics;

  public BenchMetrics() {
    // The logging exporter with its logger off: each collection runs, and its output goes nowhere.
    EXPORTER_LOG.setLevel(Level.OFF);
    this.provider =
        SdkMeterProvider.builder()
            .registerMetricReader(
                PeriodicMetricReader.builder(LoggingMetricExporter.create())
                    .setInterval(Duration.ofSeconds(1))
                    .build())
            .build();
    this.metrics =
        new OpenTelemetryMetrics(OpenTelemetrySdk.builder().setMeterProvider(provider).build());
  }

  /** What to give {@code DBOSEngine.measure} before launch. */
  public EngineMetrics engineMetrics() {
    return metrics;
  }

  @Override
  public void close() {
    metrics.close();
    provider.close();
  }
}
