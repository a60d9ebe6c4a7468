package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbosee.DBOS;
import io.dbosee.Queue;
import io.dbosee.QueueName;
import io.dbosee.Step;
import io.dbosee.Workflow;
import io.dbosee.WorkflowHandle;
import io.dbosee.WorkflowQueue;
import io.dbosee.testing.TestPostgres;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Workflow and step spans with an OpenTelemetry SDK whose spans are exported to memory, on Weld SE:
 * what MicroProfile Telemetry gives an application in Liberty.
 */
class CdiTracingTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final AttributeKey<String> WORKFLOW_ID =
      AttributeKey.stringKey("dbos.workflow.id");
  private static final AttributeKey<String> STATUS = AttributeKey.stringKey("dbos.status");

  static final List<SpanData> SPANS = new CopyOnWriteArrayList<>();

  private static final SdkTracerProvider PROVIDER =
      SdkTracerProvider.builder()
          .addSpanProcessor(
              SimpleSpanProcessor.create(
                  new SpanExporter() {
                    @Override
                    public CompletableResultCode export(Collection<SpanData> spans) {
                      SPANS.addAll(spans);
                      return CompletableResultCode.ofSuccess();
                    }

                    @Override
                    public CompletableResultCode flush() {
                      return CompletableResultCode.ofSuccess();
                    }

                    @Override
                    public CompletableResultCode shutdown() {
                      return CompletableResultCode.ofSuccess();
                    }
                  }))
          .build();

  /** Stands in for MicroProfile Telemetry's OpenTelemetry bean. */
  @ApplicationScoped
  public static class Telemetry {
    @Produces
    OpenTelemetry openTelemetry() {
      return new OpenTelemetry() {
        @Override
        public TracerProvider getTracerProvider() {
          return PROVIDER;
        }

        @Override
        public ContextPropagators getPropagators() {
          return ContextPropagators.create(W3CTraceContextPropagator.getInstance());
        }
      };
    }
  }

  /** MicroProfile Telemetry with {@code otel.sdk.disabled=true}: a no-op SDK behind a wrapper. */
  @ApplicationScoped
  public static class DisabledTelemetry {
    @Produces
    OpenTelemetry openTelemetry() {
      TracerProvider wrapped =
          new TracerProvider() {
            @Override
            public io.opentelemetry.api.trace.Tracer get(String name) {
              return TracerProvider.noop().get(name);
            }

            @Override
            public io.opentelemetry.api.trace.Tracer get(String name, String version) {
              return TracerProvider.noop().get(name, version);
            }
          };
      return new OpenTelemetry() {
        @Override
        public TracerProvider getTracerProvider() {
          return wrapped;
        }

        @Override
        public ContextPropagators getPropagators() {
          return ContextPropagators.noop();
        }
      };
    }
  }

  @ApplicationScoped
  @WorkflowQueue(name = "traced")
  public static class Orders {
    static final AtomicBoolean BLOCK_ONCE = new AtomicBoolean();
    static volatile CountDownLatch blocked = new CountDownLatch(1);

    @Inject Orders self;

    @Workflow
    public String process(String order) {
      return self.reserve(order) + "+" + self.charge(order);
    }

    @Workflow
    public String batch(String order) {
      return "batch of " + self.process(order);
    }

    @Workflow
    public String slow(String order) throws InterruptedException {
      return self.waitOnce(order);
    }

    @Step
    public String reserve(String order) {
      return "reserved " + order;
    }

    @Step
    public String charge(String order) {
      if (order.startsWith("bad")) {
        throw new IllegalStateException("card declined for " + order);
      }
      return "charged " + order;
    }

    @Step
    public String waitOnce(String order) throws InterruptedException {
      if (BLOCK_ONCE.compareAndSet(true, false)) {
        blocked.countDown();
        new CountDownLatch(1).await(); // until the engine stops and interrupts it
      }
      return "done " + order;
    }
  }

  private final TestPostgres.Database database = TestPostgres.newDatabase();
  private WeldContainer container;

  @BeforeEach
  void start() {
    SPANS.clear();
    container = startContainer(Telemetry.class);
  }

  private WeldContainer startContainer(Class<?>... extra) {
    Class<?>[] beans = new Class<?>[extra.length + 1];
    beans[0] = Orders.class;
    System.arraycopy(extra, 0, beans, 1, extra.length);
    return CdiTestSupport.start(CdiTestSupport.systemDatabase(database), beans);
  }

  @AfterEach
  void stop() {
    if (container != null) {
      container.close();
    }
    CdiTestSupport.releaseConfig();
  }

  private Orders orders() {
    return container.select(Orders.class).get();
  }

  private Queue queue() {
    return container.select(Queue.class, new QueueName.Literal("traced")).get();
  }

  /** Runs {@code call} inside a caller's span, as a traced JAX-RS request would, and ends it. */
  private static <T> T inCallerSpan(Span caller, Supplier<T> call) {
    try (Scope ignored = caller.makeCurrent()) {
      return call.get();
    } finally {
      caller.end();
    }
  }

  private static Span callerSpan() {
    return PROVIDER.get("test").spanBuilder("caller").startSpan();
  }

  /** The ended span named {@code name} of workflow {@code workflowId}, waiting for it. */
  private static SpanData span(String workflowId, String name) {
    return await()
        .atMost(WAIT)
        .until(
            () ->
                SPANS.stream()
                    .filter(s -> workflowId.equals(s.getAttributes().get(WORKFLOW_ID)))
                    .filter(s -> s.getName().equals(name))
                    .reduce((first, second) -> second) // the last execution's
                    .orElse(null),
            s -> s != null);
  }

  @Test
  void workflowAndStepSpansAreChildrenOfTheCallersSpan() {
    Span caller = callerSpan();
    String result =
        inCallerSpan(
            caller,
            () -> {
              try (var id = container.select(DBOS.class).get().withWorkflowId("order-1")) {
                return orders().batch("o1");
              }
            });
    assertThat(result).isEqualTo("batch of reserved o1+charged o1");

    SpanData batch = span("order-1", "batch");
    assertThat(batch.getTraceId()).isEqualTo(caller.getSpanContext().getTraceId());
    assertThat(batch.getParentSpanId()).isEqualTo(caller.getSpanContext().getSpanId());
    assertThat(batch.getAttributes().asMap())
        .containsEntry(WORKFLOW_ID, "order-1")
        .containsEntry(AttributeKey.stringKey("dbos.workflow.name"), "batch")
        .containsEntry(STATUS, "SUCCESS");
    assertThat(batch.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);

    String childId = "order-1-0";
    SpanData child = span(childId, "process");
    assertThat(child.getParentSpanId()).as("a child workflow").isEqualTo(batch.getSpanId());
    SpanData reserve = span(childId, "reserve");
    SpanData charge = span(childId, "charge");
    for (SpanData step : List.of(reserve, charge)) {
      assertThat(step.getTraceId()).isEqualTo(caller.getSpanContext().getTraceId());
      assertThat(step.getParentSpanId()).isEqualTo(child.getSpanId());
      assertThat(step.getAttributes().get(STATUS)).isEqualTo("SUCCESS");
    }
    Map<AttributeKey<?>, Object> attributes = charge.getAttributes().asMap();
    assertThat(attributes)
        .containsEntry(AttributeKey.longKey("dbos.step.id"), 1L)
        .containsEntry(AttributeKey.stringKey("dbos.step.name"), "charge");
    assertThat(reserve.getAttributes().get(AttributeKey.longKey("dbos.step.id"))).isEqualTo(0L);
    assertThat(tracedRows()).as("finished workflows keep no trace context").isEqualTo("0");
  }

  @Test
  void aFailingStepAndItsWorkflowAreErrorSpansWithTheException() {
    Span caller = callerSpan();
    assertThatThrownBy(
            () ->
                inCallerSpan(
                    caller,
                    () -> {
                      try (var id = container.select(DBOS.class).get().withWorkflowId("bad-1")) {
                        return orders().process("bad-1");
                      }
                    }))
        .isInstanceOf(IllegalStateException.class);

    for (SpanData failed : List.of(span("bad-1", "charge"), span("bad-1", "process"))) {
      assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
      assertThat(failed.getAttributes().get(STATUS)).isEqualTo("ERROR");
      assertThat(failed.getAttributes().get(AttributeKey.stringKey("dbos.error")))
          .contains("card declined for bad-1");
      assertThat(failed.getEvents())
          .anySatisfy(event -> assertThat(event.getName()).isEqualTo("exception"));
    }
    assertThat(span("bad-1", "reserve").getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
  }

  @Test
  void aQueuedWorkflowKeepsItsCallersTrace() throws Exception {
    Span caller = callerSpan();
    WorkflowHandle<String, RuntimeException> handle =
        inCallerSpan(caller, () -> queue().enqueue(() -> orders().process("q1")));

    assertThat(handle.getResult()).isEqualTo("reserved q1+charged q1");
    SpanData workflow = span(handle.workflowId(), "process");
    assertThat(workflow.getTraceId()).isEqualTo(caller.getSpanContext().getTraceId());
    assertThat(workflow.getParentSpanId()).isEqualTo(caller.getSpanContext().getSpanId());
    assertThat(span(handle.workflowId(), "charge").getParentSpanId())
        .isEqualTo(workflow.getSpanId());
  }

  @Test
  void aRecoveredWorkflowKeepsItsCallersTraceAcrossARestart() throws Exception {
    Orders.BLOCK_ONCE.set(true);
    Orders.blocked = new CountDownLatch(1);
    Span caller = callerSpan();
    String workflowId =
        inCallerSpan(
            caller,
            () ->
                container
                    .select(DBOS.class)
                    .get()
                    .startWorkflow(() -> orders().slow("s1"))
                    .workflowId());
    assertThat(Orders.blocked.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(tracedRows()).as("the caller's context is stored with the workflow").isEqualTo("1");

    container.close(); // the server stops: the workflow stays PENDING
    container = null;
    SpanData interrupted = span(workflowId, "slow");
    assertThat(interrupted.getAttributes().get(STATUS)).isEqualTo("PENDING");
    SPANS.clear();

    container = startContainer(Telemetry.class); // a new server on the same database recovers it
    SpanData recovered = span(workflowId, "slow");
    assertThat(recovered.getAttributes().get(STATUS)).isEqualTo("SUCCESS");
    assertThat(recovered.getTraceId()).isEqualTo(caller.getSpanContext().getTraceId());
    assertThat(recovered.getParentSpanId()).isEqualTo(caller.getSpanContext().getSpanId());
    assertThat(span(workflowId, "waitOnce").getParentSpanId()).isEqualTo(recovered.getSpanId());
    await().atMost(WAIT).until(() -> tracedRows().equals("0"));
  }

  @Test
  void withoutAnOpenTelemetryBeanNothingIsTracedOrStored() {
    // No Telemetry bean: as in a server without mpTelemetry.
    assertNothingTracedOrStored();
  }

  @Test
  void withADisabledSdkNothingIsTracedOrStored() {
    assertNothingTracedOrStored(DisabledTelemetry.class);
  }

  private void assertNothingTracedOrStored(Class<?>... telemetry) {
    container.close();
    TestPostgres.Database plain = TestPostgres.newDatabase();
    Class<?>[] beans = new Class<?>[telemetry.length + 1];
    beans[0] = Orders.class;
    System.arraycopy(telemetry, 0, beans, 1, telemetry.length);
    container = CdiTestSupport.start(CdiTestSupport.systemDatabase(plain), beans);

    Span caller = callerSpan();
    assertThat(inCallerSpan(caller, () -> orders().process("plain"))).contains("charged plain");

    assertThat(SPANS).extracting(SpanData::getName).containsOnly("caller");
    assertThat(plain.query("SELECT (to_regclass('dbos.dbosee_trace_contexts') IS NOT NULL)::text"))
        .isEqualTo("false");
  }

  private String tracedRows() {
    return database.query("SELECT count(*)::text FROM dbos.dbosee_trace_contexts");
  }
}
