package io.dbosee.sample.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbosee.sample.it.OtlpCollector.ExportedPoint;
import io.dbosee.sample.it.inserver.TracedWorkflows;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DBOS's metrics inside Open Liberty with MicroProfile Telemetry ({@code mpTelemetry-2.0}),
 * exported over OTLP/HTTP to a receiver in this JVM ({@link OtlpCollector}) every second ({@code
 * otel.metric.export.interval=1000} in the server's bootstrap.properties).
 *
 * <p>The server is {@link TracingIT}'s ({@code <test server name>Otel}, the {@code otel-server}
 * execution in sample-war/pom.xml), with the sample and the test-only {@code
 * inserver.TracedWorkflows}. Metrics are cumulative: each check reads the latest export of a point.
 * The tests share one server in their order; the last one SIGKILLs it and starts it again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsIT {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final String SCOPE = "io.dbosee";

  @RegisterExtension
  static final TelemetryServer telemetry = new TelemetryServer("metered.war", "otel-metrics-1.log");

  @Test
  @Order(1)
  void aFailedWorkflowAndItsStepsAreCountedAndTimed() throws Exception {
    String id = "metered-order-1";
    assertThat(get("/test/tracing/order?id=" + id)).isEqualTo("failed: card declined for " + id);

    Map<String, String> order = Map.of("dbos.workflow.name", "order");
    ExportedPoint failed = awaitPoint("dbos.workflow.failed", order, p -> p.value() >= 1);
    assertThat(failed.kind()).isEqualTo("SUM");
    assertThat(failed.unit()).isEqualTo("{workflow}");
    assertThat(awaitPoint("dbos.workflow.started", order, p -> p.value() >= 1).kind())
        .isEqualTo("SUM");

    ExportedPoint duration =
        awaitPoint(
            "dbos.workflow.duration",
            Map.of("dbos.workflow.name", "order", "dbos.status", "ERROR"),
            p -> p.count() >= 1);
    assertThat(duration.kind()).isEqualTo("HISTOGRAM");
    assertThat(duration.unit()).isEqualTo("s");
    assertThat(
            awaitPoint(
                    "dbos.step.duration",
                    Map.of("dbos.step.name", "charge", "dbos.status", "ERROR"),
                    p -> p.count() >= 1)
                .unit())
        .isEqualTo("s");
    awaitPoint(
        "dbos.step.duration",
        Map.of("dbos.step.name", "fetch", "dbos.status", "SUCCESS"),
        p -> p.count() >= 1);
    assertThat(awaitPoint("dbos.checkpoint.batch.size", Map.of(), p -> p.value() >= 1).count())
        .isPositive();
  }

  @Test
  @Order(2)
  void aQueuedWorkflowsWaitAndTheQueuesDepthAreReported() throws Exception {
    String id = "metered-queued-1";
    assertThat(get("/test/tracing/enqueue?id=" + id)).isEqualTo("enqueued " + id);

    Map<String, String> traced = Map.of("dbos.queue.name", "traced");
    awaitPoint("dbos.queue.wait.duration", traced, p -> p.count() >= 1);
    awaitPoint(
        "dbos.workflow.completed", Map.of("dbos.workflow.name", "fetchOnly"), p -> p.value() >= 1);
    ExportedPoint depth = awaitPoint("dbos.queue.depth", traced, p -> p.value() == 0);
    assertThat(depth.kind()).isEqualTo("GAUGE");
  }

  @Test
  @Order(3)
  void aSchedulesTicksAreCounted() {
    awaitPoint(
        "dbos.schedule.ticks",
        Map.of("dbos.schedule.name", TracedWorkflows.SCHEDULE),
        p -> p.value() >= 2);
  }

  @Test
  @Order(4)
  void aParkedWorkflowIsAGaugeAndIsCountedAsRecoveredAfterASigkill() throws Exception {
    String id = "metered-recovered-1";
    assertThat(get("/test/tracing/wait?id=" + id)).isEqualTo("started " + id);
    // It waits on recv for minutes: it gives its thread back (parks) after the thread hold.
    awaitPoint("dbos.workflow.parked", Map.of(), p -> p.value() >= 1);

    telemetry.server().kill();
    telemetry.startServer("otel-metrics-2.log");
    Map<String, String> waitForGo = Map.of("dbos.workflow.name", "waitForGo");
    awaitPoint("dbos.workflow.recovered", waitForGo, p -> p.value() >= 1);
    assertThat(get("/test/tracing/send?id=" + id + "&message=go")).isEqualTo("sent to " + id);
    awaitPoint("dbos.workflow.completed", waitForGo, p -> p.value() >= 1);
  }

  /** The body of the answer to a GET of {@code path} on the server. */
  private static String get(String path) throws Exception {
    return telemetry.server().get(path).body();
  }

  /**
   * The latest exported DBOS point of {@code metric} with exactly {@code attributes}, once it
   * satisfies {@code condition}.
   */
  private static ExportedPoint awaitPoint(
      String metric, Map<String, String> attributes, Predicate<ExportedPoint> condition) {
    return await(metric + " " + attributes)
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> latest(metric, attributes).filter(condition), Optional::isPresent)
        .orElseThrow();
  }

  private static Optional<ExportedPoint> latest(String metric, Map<String, String> attributes) {
    return telemetry.collector().points().stream()
        .filter(p -> p.scope().equals(SCOPE))
        .filter(p -> p.name().equals(metric))
        .filter(p -> p.attributes().equals(attributes))
        .reduce((first, second) -> second);
  }
}
