package io.dbosee.internal.cdi;

import io.dbosee.internal.engine.ExecutionObserver;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns workflow and step executions into OpenTelemetry spans, with the application's {@link
 * OpenTelemetry} bean (MicroProfile Telemetry provides one). Loaded only when the OpenTelemetry API
 * is visible to the application.
 *
 * <p>A workflow's span is a child of the span current where the workflow was started; that context
 * is stored as a W3C {@code traceparent} (and {@code tracestate}) with the workflow, so executions
 * on other threads, after a queue or after a restart stay in the caller's trace. Step spans are
 * children of their workflow's span, a child workflow's span of its parent's.
 */
final class OpenTelemetryObserver implements ExecutionObserver {
  private static final Logger LOG = Logger.getLogger(OpenTelemetryObserver.class.getName());

  /** The instrumentation scope name of the spans. */
  static final String SCOPE = "io.dbosee";

  static final AttributeKey<String> WORKFLOW_ID = AttributeKey.stringKey("dbos.workflow.id");
  static final AttributeKey<String> WORKFLOW_NAME = AttributeKey.stringKey("dbos.workflow.name");
  static final AttributeKey<Long> STEP_ID = AttributeKey.longKey("dbos.step.id");
  static final AttributeKey<String> STEP_NAME = AttributeKey.stringKey("dbos.step.name");
  static final AttributeKey<String> STATUS = AttributeKey.stringKey("dbos.status");
  static final AttributeKey<String> ERROR = AttributeKey.stringKey("dbos.error");

  private static final String TRACEPARENT = "traceparent";
  private static final String TRACESTATE = "tracestate";

  private static final TextMapGetter<Map<String, String>> GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
          return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  private final Tracer tracer;

  OpenTelemetryObserver(OpenTelemetry openTelemetry) {
    this.tracer = openTelemetry.getTracer(SCOPE);
  }

  /**
   * The observer for the application's usable {@link OpenTelemetry} ({@link
   * ApplicationOpenTelemetry}), or empty when its tracer provider is the no-op one.
   */
  static Optional<ExecutionObserver> of(OpenTelemetry openTelemetry) {
    if (openTelemetry.getTracerProvider() == TracerProvider.noop()) {
      return Optional.empty();
    }
    LOG.log(Level.INFO, "DBOS traces workflows and steps with OpenTelemetry.");
    return Optional.of(new OpenTelemetryObserver(openTelemetry));
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public String propagationContext() {
    Context current = Context.current();
    if (!Span.fromContext(current).getSpanContext().isValid()) {
      return null;
    }
    Map<String, String> carrier = new HashMap<>(4);
    W3CTraceContextPropagator.getInstance().inject(current, carrier, Map::put);
    String parent = carrier.get(TRACEPARENT);
    if (parent == null) {
      return null;
    }
    String state = carrier.get(TRACESTATE);
    return state == null || state.isEmpty() ? parent : parent + "\n" + state;
  }

  @Override
  public Observation workflowStarted(String workflowId, String workflowName, String propagated) {
    Context parent = propagated == null ? Context.current() : extract(propagated);
    Span span =
        tracer
            .spanBuilder(workflowName)
            .setParent(parent)
            .setSpanKind(SpanKind.INTERNAL)
            .setAttribute(WORKFLOW_ID, workflowId)
            .setAttribute(WORKFLOW_NAME, workflowName)
            .startSpan();
    return open(span);
  }

  @Override
  public Observation stepStarted(String workflowId, int stepId, String stepName) {
    Span span =
        tracer
            .spanBuilder(stepName)
            .setSpanKind(SpanKind.INTERNAL)
            .setAttribute(WORKFLOW_ID, workflowId)
            .setAttribute(STEP_ID, (long) stepId)
            .setAttribute(STEP_NAME, stepName)
            .startSpan();
    return open(span);
  }

  /** Makes {@code span} current on this thread until its observation finishes. */
  private static Observation open(Span span) {
    Scope scope = span.makeCurrent();
    return (status, error) -> {
      try {
        span.setAttribute(STATUS, status);
        if (error != null && "ERROR".equals(status)) {
          span.setAttribute(ERROR, error.toString());
          span.recordException(error);
          span.setStatus(StatusCode.ERROR, error.toString());
        }
      } finally {
        scope.close();
        span.end();
      }
    };
  }

  private static Context extract(String propagated) {
    int newline = propagated.indexOf('\n');
    Map<String, String> carrier = new HashMap<>(4);
    if (newline < 0) {
      carrier.put(TRACEPARENT, propagated);
    } else {
      carrier.put(TRACEPARENT, propagated.substring(0, newline));
      carrier.put(TRACESTATE, propagated.substring(newline + 1));
    }
    return W3CTraceContextPropagator.getInstance().extract(Context.root(), carrier, GETTER);
  }
}
