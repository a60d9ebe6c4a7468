package io.dbosee.sample.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP trace receiver in the test JVM ({@code http/protobuf} on {@code /v1/traces} of a
 * free loopback port): what an OpenTelemetry Collector would receive, decoded into {@link
 * ExportedSpan}s.
 */
final class OtlpCollector implements AutoCloseable {
  private static final HexFormat HEX = HexFormat.of();

  private final HttpServer server;
  private final ExecutorService executor = Executors.newSingleThreadExecutor();
  private final List<ExportedSpan> spans = new CopyOnWriteArrayList<>();

  private OtlpCollector(HttpServer server) {
    this.server = server;
    server.createContext("/v1/traces", this::receive);
    server.setExecutor(executor);
  }

  static OtlpCollector start() throws IOException {
    OtlpCollector collector =
        new OtlpCollector(
            HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
    collector.server.start();
    return collector;
  }

  /** The value for {@code otel.exporter.otlp.traces.endpoint}. */
  String tracesEndpoint() {
    return "http://localhost:" + server.getAddress().getPort() + "/v1/traces";
  }

  /** Every span received so far, in the order received. */
  List<ExportedSpan> spans() {
    return List.copyOf(spans);
  }

  private void receive(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("POST")) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      ExportTraceServiceRequest request;
      try (InputStream body = body(exchange)) {
        request = ExportTraceServiceRequest.parseFrom(body);
      }
      for (ResourceSpans resource : request.getResourceSpansList()) {
        for (ScopeSpans scope : resource.getScopeSpansList()) {
          for (var span : scope.getSpansList()) {
            spans.add(ExportedSpan.of(scope.getScope().getName(), span));
          }
        }
      }
      byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
      exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
      exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
      if (answer.length > 0) {
        exchange.getResponseBody().write(answer);
      }
    }
  }

  private static InputStream body(HttpExchange exchange) throws IOException {
    InputStream body = exchange.getRequestBody();
    return "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
        ? new GZIPInputStream(body)
        : body;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /**
   * One span as exported: ids in lower-case hex (the parent empty for a root span), its kind
   * ({@code SPAN_KIND_SERVER}, ...), its attributes as strings, whether its status is ERROR, the
   * names of its events.
   */
  record ExportedSpan(
      String scope,
      String name,
      String traceId,
      String spanId,
      String parentSpanId,
      String kind,
      Instant start,
      Map<String, String> attributes,
      boolean error,
      List<String> events) {

    static ExportedSpan of(String scope, io.opentelemetry.proto.trace.v1.Span span) {
      Map<String, String> attributes = new LinkedHashMap<>();
      for (KeyValue attribute : span.getAttributesList()) {
        attributes.put(attribute.getKey(), text(attribute.getValue()));
      }
      long start = span.getStartTimeUnixNano();
      return new ExportedSpan(
          scope,
          span.getName(),
          HEX.formatHex(span.getTraceId().toByteArray()),
          HEX.formatHex(span.getSpanId().toByteArray()),
          HEX.formatHex(span.getParentSpanId().toByteArray()),
          span.getKind().name(),
          Instant.ofEpochSecond(0, start),
          attributes,
          span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR,
          span.getEventsList().stream().map(e -> e.getName()).toList());
    }

    private static String text(AnyValue value) {
      return switch (value.getValueCase()) {
        case STRING_VALUE -> value.getStringValue();
        case INT_VALUE -> Long.toString(value.getIntValue());
        case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
        case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
        default -> value.toString();
      };
    }

    String attribute(String key) {
      return attributes.get(key);
    }
  }
}
