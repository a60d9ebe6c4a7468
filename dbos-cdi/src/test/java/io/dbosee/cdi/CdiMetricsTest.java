package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbosee.DBOS;
import io.dbosee.DBOSWorkflowCancelledException;
import io.dbosee.Queue;
import io.dbosee.QueueName;
import io.dbosee.Scheduled;
import io.dbosee.Step;
import io.dbosee.Workflow;
import io.dbosee.WorkflowHandle;
import io.dbosee.WorkflowQueue;
import io.dbosee.testing.TestPostgres;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The metrics with an OpenTelemetry SDK read in memory, on Weld SE: what MicroProfile Telemetry
 * gives an application in Liberty. Each metric's values and attributes, as
 * docs/operations/metrics.md lists them.
 */
class CdiMetricsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final AttributeKey<String> WORKFLOW_NAME =
      AttributeKey.stringKey("dbos.workflow.name");
  private static final AttributeKey<String> STEP_NAME = AttributeKey.stringKey("dbos.step.name");
  private static final AttributeKey<String> STATUS = AttributeKey.stringKey("dbos.status");
  private static final AttributeKey<String> QUEUE_NAME = AttributeKey.stringKey("dbos.queue.name");
  private static final AttributeKey<String> SCHEDULE_NAME =
      AttributeKey.stringKey("dbos.schedule.name");

  /** Reads the SDK's metrics when the test asks (the SDK's own in-memory reader, in small). */
  static final class MemoryReader implements MetricReader {
    private volatile CollectionRegistration registration = CollectionRegistration.noop();

    @Override
    public void register(CollectionRegistration registration) {
      this.registration = registration;
    }

    Collection<MetricData> collect() {
      return registration.collectAllMetrics();
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType type) {
      return AggregationTemporality.CUMULATIVE;
    }

    @Override
    public CompletableResultCode forceFlush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  static volatile MemoryReader reader;
  static volatile SdkMeterProvider provider;

  /** Stands in for MicroProfile Telemetry's OpenTelemetry bean. */
  @ApplicationScoped
  public static class Telemetry {
    @Produces
    OpenTelemetry openTelemetry() {
      return OpenTelemetrySdk.builder().setMeterProvider(provider).build();
    }
  }

  /** Besides {@link CdiTracingTest.Orders}' workflow and steps: a queue, waits and a schedule. */
  @ApplicationScoped
  @WorkflowQueue(name = "metered", concurrency = 1)
  public static class Meters {
    static volatile CountDownLatch release = new CountDownLatch(0);
    static volatile CountDownLatch entered = new CountDownLatch(0);

    @Inject Meters self;
    @Inject DBOS dbos;

    @Workflow
    public String held(String order) throws InterruptedException {
      return self.hold(order);
    }

    @Step
    public String hold(String order) throws InterruptedException {
      entered.countDown();
      release.await();
      return "held " + order;
    }

    @Workflow
    public void nap() {
      dbos.sleep(Duration.ofMinutes(10));
    }

    @Scheduled(cron = "* * * * * *", name = "metered-every-second")
    @Workflow
    public void tick(Instant scheduledTime, Instant actualTime) {}
  }

  private final TestPostgres.Database database = TestPostgres.newDatabase();
  private WeldContainer container;

  @BeforeEach
  void start() {
    reader = new MemoryReader();
    provider = SdkMeterProvider.builder().registerMetricReader(reader).build();
    Meters.release = new CountDownLatch(0);
    Meters.entered = new CountDownLatch(0);
    container = startContainer(Telemetry.class);
  }

  private WeldContainer startContainer(Class<?>... extra) {
    Map<String, String> properties = new HashMap<>(CdiTestSupport.systemDatabase(database));
    // A durable sleep gives its thread back at once: the workflow parks.
    properties.put("dbos.waits.thread-hold-seconds", "0");
    Class<?>[] beans =
        Stream.concat(Stream.of(CdiTracingTest.Orders.class, Meters.class), Stream.of(extra))
            .toArray(Class[]::new);
    return CdiTestSupport.start(properties, beans);
  }

  @AfterEach
  void stop() {
    Meters.release.countDown();
    if (container != null) {
      container.close();
    }
    CdiTestSupport.releaseConfig();
    provider.close();
  }

  private CdiTracingTest.Orders orders() {
    return container.select(CdiTracingTest.Orders.class).get();
  }

  private Meters meters() {
    return container.select(Meters.class).get();
  }

  private DBOS dbos() {
    return container.select(DBOS.class).get();
  }

  @Test
  void workflowsAndStepsAreCountedByNameWithTheirDurations() {
    assertThat(orders().process("o1")).isEqualTo("reserved o1+charged o1");
    assertThatThrownBy(() -> orders().process("bad-1")).isInstanceOf(IllegalStateException.class);

    Attributes process = Attributes.of(WORKFLOW_NAME, "process");
    assertThat(counter("dbos.workflow.started", process)).isEqualTo(2);
    assertThat(counter("dbos.workflow.completed", process)).isEqualTo(1);
    assertThat(counter("dbos.workflow.failed", process)).isEqualTo(1);
    assertThat(counter("dbos.workflow.cancelled", process)).isZero();

    HistogramPointData succeeded =
        histogram(
            "dbos.workflow.duration", Attributes.of(WORKFLOW_NAME, "process", STATUS, "SUCCESS"));
    assertThat(succeeded.getCount()).isEqualTo(1);
    assertThat(succeeded.getSum()).as("seconds").isGreaterThanOrEqualTo(0).isLessThan(30);
    assertThat(
            histogram(
                    "dbos.workflow.duration",
                    Attributes.of(WORKFLOW_NAME, "process", STATUS, "ERROR"))
                .getCount())
        .isEqualTo(1);
    assertThat(stepCount("reserve", "SUCCESS")).isEqualTo(2);
    assertThat(stepCount("charge", "SUCCESS")).isEqualTo(1);
    assertThat(stepCount("charge", "ERROR")).isEqualTo(1);
    MetricData steps = metric("dbos.step.duration");
    assertThat(steps.getUnit()).isEqualTo("s");

    // Every checkpoint (the four steps') was committed in some batch, none larger than 64.
    HistogramPointData batches = histogram("dbos.checkpoint.batch.size", Attributes.empty());
    assertThat(batches.getSum()).isEqualTo(4);
    assertThat(batches.getMax()).isBetween(1.0, 64.0);
    assertThat(metric("dbos.workflow.started").getUnit()).isEqualTo("{workflow}");
  }

  @Test
  void aWorkflowCancelledWhileItRunsIsCountedAsCancelled() throws Exception {
    Meters.release = new CountDownLatch(1);
    Meters.entered = new CountDownLatch(1);
    WorkflowHandle<String, InterruptedException> handle =
        dbos().startWorkflow(() -> meters().held("c1"));
    assertThat(Meters.entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

    dbos().cancelWorkflow(handle.workflowId());
    Meters.release.countDown();

    assertThatThrownBy(handle::getResult).isInstanceOf(DBOSWorkflowCancelledException.class);
    Attributes held = Attributes.of(WORKFLOW_NAME, "held");
    await().atMost(WAIT).until(() -> counter("dbos.workflow.cancelled", held) == 1);
    assertThat(counter("dbos.workflow.completed", held)).isZero();
    assertThat(
            histogram(
                    "dbos.workflow.duration",
                    Attributes.of(WORKFLOW_NAME, "held", STATUS, "CANCELLED"))
                .getCount())
        .isEqualTo(1);
  }

  @Test
  void queueDepthIsReadAtCollectionAndWaitTimeIsMeasuredAtDequeue() throws Exception {
    Meters.release = new CountDownLatch(1);
    Meters.entered = new CountDownLatch(1);
    Queue queue = container.select(Queue.class, new QueueName.Literal("metered")).get();
    List<WorkflowHandle<String, InterruptedException>> handles =
        List.of(
            queue.enqueue(() -> meters().held("q1")),
            queue.enqueue(() -> meters().held("q2")),
            queue.enqueue(() -> meters().held("q3")));
    assertThat(Meters.entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

    Attributes metered = Attributes.of(QUEUE_NAME, "metered");
    // Concurrency 1: one runs, two wait.
    await().atMost(WAIT).until(() -> gauge("dbos.queue.depth", metered) == 2);

    Meters.release.countDown();
    for (WorkflowHandle<String, InterruptedException> handle : handles) {
      assertThat(handle.getResult()).startsWith("held q");
    }
    await().atMost(WAIT).until(() -> gauge("dbos.queue.depth", metered) == 0);
    HistogramPointData waits = histogram("dbos.queue.wait.duration", metered);
    assertThat(waits.getCount()).isEqualTo(3);
    assertThat(waits.getMax()).as("the last waited for the two before it").isPositive();
    assertThat(counter("dbos.workflow.started", Attributes.of(WORKFLOW_NAME, "held")))
        .as("a queued workflow starts when it is first dequeued")
        .isEqualTo(3);
  }

  @Test
  void parkedWorkflowsAreAGaugeThatStopsWithTheApplication() {
    dbos().startWorkflow(() -> meters().nap());
    await().atMost(WAIT).until(() -> gauge("dbos.workflow.parked", Attributes.empty()) == 1);

    container.close();
    container = null;
    assertThat(points("dbos.workflow.parked")).as("the application's gauges are closed").isEmpty();
    assertThat(points("dbos.queue.depth")).isEmpty();
  }

  @Test
  void aRecoveredWorkflowIsCountedByName() throws Exception {
    Meters.release = new CountDownLatch(1);
    Meters.entered = new CountDownLatch(1);
    dbos().startWorkflow(() -> meters().held("r1"));
    assertThat(Meters.entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    container.close(); // the server stops: the workflow stays PENDING
    container = null;
    Attributes held = Attributes.of(WORKFLOW_NAME, "held");
    assertThat(counter("dbos.workflow.completed", held)).isZero();
    assertThat(counter("dbos.workflow.failed", held)).as("stopping is no failure").isZero();
    assertThat(stepCount("hold", "PENDING")).isEqualTo(1);

    Meters.release.countDown();
    container = startContainer(Telemetry.class); // a new server on the same database recovers it
    await().atMost(WAIT).until(() -> counter("dbos.workflow.completed", held) == 1);
    assertThat(counter("dbos.workflow.recovered", held)).isEqualTo(1);
    assertThat(counter("dbos.workflow.started", held))
        .as("started once, recovered once")
        .isEqualTo(1);
  }

  @Test
  void scheduleTicksAreCountedBySchedule() {
    Attributes schedule = Attributes.of(SCHEDULE_NAME, "metered-every-second");
    await().atMost(WAIT).until(() -> counter("dbos.schedule.ticks", schedule) >= 2);
    long ticks = counter("dbos.schedule.ticks", schedule);
    assertThat(
            Long.parseLong(
                database.query(
                    "SELECT count(*)::text FROM dbos.workflow_status"
                        + " WHERE schedule_name = 'metered-every-second'")))
        .as("each counted tick started its workflow")
        .isGreaterThanOrEqualTo(ticks);
  }

  @Test
  void withoutAnOpenTelemetryBeanNothingIsMeasured() {
    container.close();
    container = startContainer(); // no Telemetry bean: as in a server without mpTelemetry
    assertThat(orders().process("plain")).contains("charged plain");
    assertThat(reader.collect()).isEmpty();
  }

  private MetricData metric(String name) {
    return reader.collect().stream()
        .filter(m -> m.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no metric " + name));
  }

  private List<PointData> points(String name) {
    return reader.collect().stream()
        .filter(m -> m.getName().equals(name))
        .flatMap(m -> m.getData().getPoints().stream())
        .map(p -> (PointData) p)
        .toList();
  }

  /** The values of the long sum or gauge {@code name}'s points with exactly {@code attributes}. */
  private LongStream values(String name, Attributes attributes) {
    return reader.collect().stream()
        .filter(m -> m.getName().equals(name))
        .flatMap(m -> m.getData().getPoints().stream())
        .filter(p -> p.getAttributes().equals(attributes))
        .mapToLong(p -> ((LongPointData) p).getValue());
  }

  private long counter(String name, Attributes attributes) {
    return values(name, attributes).sum();
  }

  /** The gauge's value, or -1 when it has none with these attributes. */
  private long gauge(String name, Attributes attributes) {
    return values(name, attributes).findFirst().orElse(-1);
  }

  private HistogramPointData histogram(String name, Attributes attributes) {
    return metric(name).getHistogramData().getPoints().stream()
        .filter(p -> p.getAttributes().equals(attributes))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " point with " + attributes));
  }

  private long stepCount(String step, String status) {
    return histogram("dbos.step.duration", Attributes.of(STEP_NAME, step, STATUS, status))
        .getCount();
  }
}
