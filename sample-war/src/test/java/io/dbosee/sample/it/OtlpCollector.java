package io.dbosee.sample.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
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
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP receiver of traces and metrics in the test JVM ({@code http/protobuf} on {@code
 * /v1/traces} and {@code /v1/metrics} of a free loopback port): what an OpenTelemetry Collector
 * would receive, decoded into {@link ExportedSpan}s and {@link ExportedPoint}s.
 */
final class OtlpCollector implements AutoCloseable {
  private static final HexFormat HEX = HexFormat.of();

  private final HttpServer server;
  private final ExecutorService executor = Executors.newSingleThreadExecutor();
  private final List<ExportedSpan> spans = new CopyOnWriteArrayList<>();
  private final List<ExportedPoint> points = new CopyOnWriteArrayList<>();

  private OtlpCollector(HttpServer server) {
    this.server = server;
    server.createContext(
        "/v1/traces",
        handler(
            ExportTraceServiceRequest::parseFrom,
            this::store,
            ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
    server.createContext(
        "/v1/metrics",
        handler(
            ExportMetricsServiceRequest::parseFrom,
            this::store,
            ExportMetricsServiceResponse.getDefaultInstance().toByteArray()));
    server.setExecutor(executor);
  }

  static OtlpCollector start() throws IOException {
    OtlpCollector collector =
        new OtlpCollector(
            HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
    collector.server.start();
    return collector;
  }

  /** The server's environment that sends its traces and metrics here. */
  Map<String, String> environment() {
    String base = "http://localhost:" + server.getAddress().getPort();
    return Map.of(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", base + "/v1/traces",
        "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", base + "/v1/metrics");
  }

  /** Every metric data point received so far, in the order received. */
  List<ExportedPoint> points() {
    return List.copyOf(points);
  }

  /** Every span received so far, in the order received. */
  List<ExportedSpan> spans() {
    return List.copyOf(spans);
  }

  /** Answers OTLP/HTTP POSTs: each request parsed, stored, and acknowledged. */
  private static <T> HttpHandler handler(Parser<T> parser, Consumer<T> store, byte[] answer) {
    return exchange -> {
      T request = read(exchange, parser);
      if (request != null) {
        store.accept(request);
        answer(exchange, answer);
      }
    };
  }

  private void store(ExportTraceServiceRequest request) {
    request.getResourceSpansList().stream()
        .flatMap(resource -> resource.getScopeSpansList().stream())
        .forEach(
            scope ->
                scope
                    .getSpansList()
                    .forEach(span -> spans.add(ExportedSpan.of(scope.getScope().getName(), span))));
  }

  private void store(ExportMetricsServiceRequest request) {
    request.getResourceMetricsList().stream()
        .flatMap(resource -> resource.getScopeMetricsList().stream())
        .forEach(
            scope ->
                scope
                    .getMetricsList()
                    .forEach(
                        metric ->
                            points.addAll(ExportedPoint.of(scope.getScope().getName(), metric))));
  }

  /** Parses a protobuf message of OTLP/HTTP. */
  @FunctionalInterface
  private interface Parser<T> {
    T parse(InputStream body) throws IOException;
  }

  /** The POSTed request, or null after answering 405 to another method. */
  private static <T> T read(HttpExchange exchange, Parser<T> parser) throws IOException {
    if (!exchange.getRequestMethod().equals("POST")) {
      exchange.sendResponseHeaders(405, -1);
      exchange.close();
      return null;
    }
    try (InputStream body = body(exchange)) {
      return parser.parse(body);
    }
  }

  private static void answer(HttpExchange exchange, byte[] answer) throws IOException {
    try (exchange) {
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
      Map<String, String> attributes = attributesOf(span.getAttributesList());
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

    String attribute(String key) {
      return attributes.get(key);
    }
  }

  /** The attributes of a span or data point, as strings. */
  private static Map<String, String> attributesOf(List<KeyValue> keyValues) {
    Map<String, String> attributes = new LinkedHashMap<>();
    for (KeyValue attribute : keyValues) {
      attributes.put(attribute.getKey(), text(attribute.getValue()));
    }
    return attributes;
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

  /**
   * One metric data point as exported: its metric's scope, name, unit and kind ({@code SUM}, {@code
   * GAUGE}, {@code HISTOGRAM}), its attributes as strings, its value (a sum's or gauge's; a
   * histogram's sum) and its count (a histogram's; 0 otherwise).
   */
  record ExportedPoint(
      String scope,
      String name,
      String unit,
      String kind,
      Map<String, String> attributes,
      double value,
      long count) {

    static List<ExportedPoint> of(String scope, Metric metric) {
      String kind = metric.getDataCase().name();
      return switch (metric.getDataCase()) {
        case SUM ->
            metric.getSum().getDataPointsList().stream()
                .map(p -> number(scope, metric, kind, p))
                .toList();
        case GAUGE ->
            metric.getGauge().getDataPointsList().stream()
                .map(p -> number(scope, metric, kind, p))
                .toList();
        case HISTOGRAM ->
            metric.getHistogram().getDataPointsList().stream()
                .map(p -> histogram(scope, metric, kind, p))
                .toList();
        default -> List.of();
      };
    }

    private static ExportedPoint number(
        String scope, Metric metric, String kind, NumberDataPoint point) {
      double value =
          point.getValueCase() == NumberDataPoint.ValueCase.AS_INT
              ? point.getAsInt()
              : point.getAsDouble();
      return new ExportedPoint(
          scope,
          metric.getName(),
          metric.getUnit(),
          kind,
          attributesOf(point.getAttributesList()),
          value,
          0);
    }

    private static ExportedPoint histogram(
        String scope, Metric metric, String kind, HistogramDataPoint point) {
      return new ExportedPoint(
          scope,
          metric.getName(),
          metric.getUnit(),
          kind,
          attributesOf(point.getAttributesList()),
          point.getSum(),
          point.getCount());
    }

    String attribute(String key) {
      return attributes.get(key);
    }
  }
}
