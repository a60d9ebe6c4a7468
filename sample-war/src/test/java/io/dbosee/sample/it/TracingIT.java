package io.dbosee.sample.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbosee.sample.it.OtlpCollector.ExportedSpan;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Workflow and step spans inside Open Liberty with MicroProfile Telemetry ({@code
 * mpTelemetry-2.0}), exported over OTLP/HTTP to a collector in this JVM ({@link OtlpCollector}).
 *
 * <p>The server ({@code <test server name>Otel}, see the {@code otel-server} execution in
 * sample-war/pom.xml) is the sample's configuration plus src/test/liberty-otel: the feature and the
 * WAR as a {@code <webApplication>} whose class loader sees third-party APIs; its
 * bootstrap.properties switch the SDK on. It runs as a real process ({@link SampleProcess}, {@code
 * bin/server run}) with the sample and the test-only {@code inserver.TracedWorkflows}. Each request
 * carries a W3C {@code traceparent} of a trace the test made up, so the test finds Liberty's JAX-RS
 * server span of that request (a child of the made-up span) and checks what DBOS adds under it.
 *
 * <p>The tests share one server in their order; the last one SIGKILLs it and starts it again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TracingIT {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final String SCOPE = "io.dbosee";
  private static final String SERVER = "SPAN_KIND_SERVER";
  private static final String INTERNAL = "SPAN_KIND_INTERNAL";
  private static final SecureRandom RANDOM = new SecureRandom();

  @RegisterExtension
  static final TelemetryServer telemetry = new TelemetryServer("traced.war", "otel-server-1.log");

  @Test
  @Order(1)
  void aRequestsWorkflowAndStepsAreSpansUnderItsJaxRsServerSpan() throws Exception {
    Traceparent caller = Traceparent.create();
    String id = "traced-order-1";

    HttpResponse<String> response =
        telemetry.server().get("/test/tracing/order?id=" + id, caller.headers());
    assertThat(response.body()).isEqualTo("failed: card declined for " + id);

    ExportedSpan request = serverSpan(caller);
    ExportedSpan workflow = awaitSpan(id, "order");
    ExportedSpan fetch = awaitSpan(id, "fetch");
    ExportedSpan charge = awaitSpan(id, "charge");

    assertChild(workflow, caller, request.spanId(), "a child of the JAX-RS span");
    assertThat(workflow.kind()).isEqualTo(INTERNAL);
    assertThat(workflow.attributes())
        .containsEntry("dbos.workflow.id", id)
        .containsEntry("dbos.workflow.name", "order")
        .containsEntry("dbos.status", "ERROR")
        .doesNotContainKey("dbos.step.id");
    assertThat(workflow.attribute("dbos.error")).contains("card declined for " + id);
    assertThat(workflow.error()).isTrue();
    assertThat(workflow.events()).contains("exception");

    for (ExportedSpan step : List.of(fetch, charge)) {
      assertChild(step, caller, workflow.spanId(), "a child of the workflow");
      assertThat(step.kind()).isEqualTo(INTERNAL);
      assertThat(step.attribute("dbos.workflow.id")).isEqualTo(id);
    }
    assertThat(fetch.attributes())
        .containsEntry("dbos.step.id", "0")
        .containsEntry("dbos.step.name", "fetch")
        .containsEntry("dbos.status", "SUCCESS")
        .doesNotContainKey("dbos.error");
    assertThat(fetch.error()).isFalse();
    assertThat(charge.attributes())
        .containsEntry("dbos.step.id", "1")
        .containsEntry("dbos.step.name", "charge")
        .containsEntry("dbos.status", "ERROR");
    assertThat(charge.attribute("dbos.error"))
        .isEqualTo("java.lang.IllegalStateException: card declined for " + id);
    assertThat(charge.error()).isTrue();
    assertThat(charge.events()).contains("exception");

    await("the engine LISTENing: the application still sees the global library (the driver)")
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(100))
        .until(TracingIT::listening);
  }

  @Test
  @Order(2)
  void anEnqueuedWorkflowRunsInTheTraceOfTheRequestThatEnqueuedIt() throws Exception {
    Traceparent caller = Traceparent.create();
    String id = "traced-queued-1";

    HttpResponse<String> response =
        telemetry.server().get("/test/tracing/enqueue?id=" + id, caller.headers());
    assertThat(response.body()).isEqualTo("enqueued " + id);

    ExportedSpan request = serverSpan(caller);
    ExportedSpan workflow = awaitSpan(id, "fetchOnly");
    ExportedSpan fetch = awaitSpan(id, "fetch");
    assertChild(workflow, caller, request.spanId(), "a child of the JAX-RS span");
    assertThat(workflow.attribute("dbos.status")).isEqualTo("SUCCESS");
    assertChild(fetch, caller, workflow.spanId(), "a child of the workflow");
  }

  @Test
  @Order(3)
  void aWorkflowRecoveredAfterASigkillContinuesInItsCallersTrace() throws Exception {
    Traceparent caller = Traceparent.create();
    String id = "traced-recovered-1";

    HttpResponse<String> response =
        telemetry.server().get("/test/tracing/wait?id=" + id, caller.headers());
    assertThat(response.body()).isEqualTo("started " + id);
    ExportedSpan request = serverSpan(caller);
    assertThat(awaitSpan(id, "fetch").traceId()).isEqualTo(caller.traceId());
    await("the first step's checkpoint")
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> checkpoints(id) >= 1);

    telemetry.server().kill();
    Instant killed = Instant.now();
    telemetry.startServer("otel-server-2.log");
    assertThat(telemetry.server().get("/test/tracing/send?id=" + id + "&message=go").body())
        .isEqualTo("sent to " + id);

    ExportedSpan finish = awaitSpan(id, "finish");
    // The execution that ran it: a recovered one (a waiting workflow may give its thread back and
    // continue in another execution: each is a span of its own, PENDING but the last).
    ExportedSpan finished =
        await("the span of the execution that finished the workflow")
            .atMost(DEADLINE)
            .pollInterval(Duration.ofMillis(100))
            .until(
                () ->
                    spans(id, "waitForGo", killed).stream()
                        .filter(s -> s.spanId().equals(finish.parentSpanId()))
                        .findFirst(),
                Optional::isPresent)
            .orElseThrow();
    assertThat(finished.attribute("dbos.status")).isEqualTo("SUCCESS");
    assertThat(finish.traceId()).isEqualTo(caller.traceId());
    // 0 fetch, 1 and 2 the recv (the message, its durable timeout), 3 finish
    assertThat(finish.attribute("dbos.step.id")).isEqualTo("3");
    assertThat(spans(id, "waitForGo", killed))
        .as("the workflow's executions after the restart")
        .allSatisfy(
            execution ->
                assertChild(
                    execution,
                    caller,
                    request.spanId(),
                    "a child of the JAX-RS span of the request before the kill"));
    assertThat(spans(id, "fetch", killed))
        .as("the first step is replayed, not run again")
        .isEmpty();
  }

  /** Liberty's JAX-RS span of the request that sent {@code caller}'s traceparent. */
  private static ExportedSpan serverSpan(Traceparent caller) {
    return await("the JAX-RS server span of trace " + caller.traceId())
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                telemetry.collector().spans().stream()
                    .filter(s -> s.kind().equals(SERVER))
                    .filter(s -> s.parentSpanId().equals(caller.spanId()))
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  /** The first span named {@code name} of workflow {@code workflowId}, once exported. */
  private static ExportedSpan awaitSpan(String workflowId, String name) {
    return await("span " + name + " of " + workflowId)
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> span(workflowId, name, Instant.EPOCH), Optional::isPresent)
        .orElseThrow();
  }

  /** The first DBOS span named {@code name} of the workflow that started after {@code after}. */
  private static Optional<ExportedSpan> span(String workflowId, String name, Instant after) {
    return spans(workflowId, name, after).stream().findFirst();
  }

  /** The DBOS spans named {@code name} of the workflow that started after {@code after}. */
  private static List<ExportedSpan> spans(String workflowId, String name, Instant after) {
    return telemetry.collector().spans().stream()
        .filter(s -> s.scope().equals(SCOPE))
        .filter(s -> workflowId.equals(s.attribute("dbos.workflow.id")))
        .filter(s -> s.name().equals(name))
        .filter(s -> s.start().isAfter(after))
        .toList();
  }

  /**
   * Whether a session of the server's LISTENs for PostgreSQL notifications (the engine's listener
   * runs nothing after its LISTEN statements; without the driver's classes it polls instead).
   */
  private static boolean listening() throws Exception {
    return Integer.parseInt(
            telemetry
                .server()
                .single(
                    "SELECT count(*)::text FROM pg_stat_activity WHERE datname = current_database()"
                        + " AND query LIKE 'LISTEN %'"))
        > 0;
  }

  /** How many steps of the workflow are checkpointed. */
  private static int checkpoints(String workflowId) throws Exception {
    return Integer.parseInt(
        telemetry
            .server()
            .single(
                "SELECT count(*)::text FROM dbos.operation_outputs WHERE workflow_uuid = ?",
                workflowId));
  }

  /** {@code span} is in the caller's trace, a child of the span {@code parentSpanId}. */
  private static void assertChild(
      ExportedSpan span, Traceparent caller, String parentSpanId, String what) {
    assertThat(span.traceId()).as("%s: the caller's trace", what).isEqualTo(caller.traceId());
    assertThat(span.parentSpanId()).as(what).isEqualTo(parentSpanId);
  }

  /** A W3C trace context of a made-up, sampled client span. */
  private record Traceparent(String traceId, String spanId) {
    static Traceparent create() {
      return new Traceparent(hex(16), hex(8));
    }

    private static String hex(int bytes) {
      byte[] id = new byte[bytes];
      RANDOM.nextBytes(id);
      return HexFormat.of().formatHex(id);
    }

    String[] headers() {
      return new String[] {"traceparent", "00-" + traceId + "-" + spanId + "-01"};
    }
  }
}
