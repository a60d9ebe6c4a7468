package io.dbosee.internal.cdi;

import io.dbosee.internal.engine.EngineMetrics;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.metrics.ObservableLongGauge;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Counts what the engine does as OpenTelemetry metrics, with the application's {@link
 * OpenTelemetry} (MicroProfile Telemetry's). docs/operations/metrics.md lists every instrument; the
 * names and attributes here must stay as it says (dashboards and alerts are built on them).
 *
 * <p>An event costs a counter increment or a histogram record: the attributes of each workflow,
 * step, queue and schedule name are built once and kept. The gauges read the engine only when the
 * SDK collects.
 */
final class OpenTelemetryMetrics implements EngineMetrics {
  private static final Logger LOG = Logger.getLogger(OpenTelemetryMetrics.class.getName());

  static final AttributeKey<String> WORKFLOW_NAME = OpenTelemetryObserver.WORKFLOW_NAME;
  static final AttributeKey<String> STEP_NAME = OpenTelemetryObserver.STEP_NAME;
  static final AttributeKey<String> STATUS = OpenTelemetryObserver.STATUS;
  static final AttributeKey<String> QUEUE_NAME = AttributeKey.stringKey("dbos.queue.name");
  static final AttributeKey<String> SCHEDULE_NAME = AttributeKey.stringKey("dbos.schedule.name");

  /** Seconds: from a quick step to an hour-long workflow. */
  private static final List<Double> DURATION_BUCKETS =
      List.of(
          0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0,
          3600.0);

  /** Up to the largest batch a commit writes (GroupCommit.MAX_BATCH, 64). */
  private static final List<Long> BATCH_BUCKETS = List.of(1L, 2L, 4L, 8L, 16L, 32L, 64L);

  private static final double NANOS_PER_SECOND = 1e9;
  private static final double MILLIS_PER_SECOND = 1e3;

  private final Meter meter;
  private final LongCounter started;
  private final LongCounter completed;
  private final LongCounter failed;
  private final LongCounter cancelled;
  private final LongCounter recovered;
  private final DoubleHistogram workflowDuration;
  private final DoubleHistogram stepDuration;
  private final DoubleHistogram queueWait;
  private final LongCounter scheduleTicks;
  private final LongHistogram checkpointBatch;
  private volatile ObservableLongGauge queueDepth;
  private volatile ObservableLongGauge parked;

  private final NamedAttributes workflows = new NamedAttributes(WORKFLOW_NAME);
  private final NamedAttributes steps = new NamedAttributes(STEP_NAME);
  private final NamedAttributes queues = new NamedAttributes(QUEUE_NAME);
  private final NamedAttributes schedules = new NamedAttributes(SCHEDULE_NAME);

  /** The attributes of each name (and name and status) of one kind, built once and kept. */
  private static final class NamedAttributes {
    private final AttributeKey<String> key;
    private final ConcurrentMap<String, Attributes> byName = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, ConcurrentMap<String, Attributes>> byNameAndStatus =
        new ConcurrentHashMap<>();

    NamedAttributes(AttributeKey<String> key) {
      this.key = key;
    }

    Attributes of(String name) {
      Attributes known = byName.get(name);
      return known != null ? known : byName.computeIfAbsent(name, n -> Attributes.of(key, n));
    }

    Attributes of(String name, String status) {
      ConcurrentMap<String, Attributes> statuses = byNameAndStatus.get(name);
      if (statuses == null) {
        statuses = byNameAndStatus.computeIfAbsent(name, n -> new ConcurrentHashMap<>());
      }
      Attributes known = statuses.get(status);
      return known != null
          ? known
          : statuses.computeIfAbsent(status, st -> Attributes.of(key, name, STATUS, st));
    }
  }

  OpenTelemetryMetrics(OpenTelemetry openTelemetry) {
    this.meter = openTelemetry.getMeter(OpenTelemetryObserver.SCOPE);
    this.started = counter("dbos.workflow.started", "Workflows whose first execution began");
    this.completed = counter("dbos.workflow.completed", "Workflows that ended in SUCCESS");
    this.failed = counter("dbos.workflow.failed", "Workflows that ended in ERROR");
    this.cancelled = counter("dbos.workflow.cancelled", "Workflows that ended CANCELLED");
    this.recovered = counter("dbos.workflow.recovered", "PENDING workflows started again");
    this.workflowDuration =
        seconds("dbos.workflow.duration", "Time from a workflow's start or enqueue to its end");
    this.stepDuration = seconds("dbos.step.duration", "Time a step ran, its retries included");
    this.queueWait =
        seconds("dbos.queue.wait.duration", "Time a workflow waited on its queue to be dequeued");
    this.scheduleTicks =
        meter
            .counterBuilder("dbos.schedule.ticks")
            .setDescription("Schedule ticks whose workflow this server started")
            .setUnit("{tick}")
            .build();
    this.checkpointBatch =
        meter
            .histogramBuilder("dbos.checkpoint.batch.size")
            .setDescription("Step checkpoints written together by one commit")
            .setUnit("{checkpoint}")
            .ofLongs()
            .setExplicitBucketBoundariesAdvice(BATCH_BUCKETS)
            .build();
  }

  /**
   * The metrics for the application's usable {@link OpenTelemetry} ({@link
   * ApplicationOpenTelemetry}), or empty when its meter provider is the no-op one.
   */
  static Optional<OpenTelemetryMetrics> of(OpenTelemetry openTelemetry) {
    if (openTelemetry.getMeterProvider() == MeterProvider.noop()) {
      return Optional.empty();
    }
    LOG.log(
        Level.INFO, "DBOS counts workflows, steps, queues and schedules as OpenTelemetry metrics.");
    return Optional.of(new OpenTelemetryMetrics(openTelemetry));
  }

  private LongCounter counter(String name, String description) {
    return meter.counterBuilder(name).setDescription(description).setUnit("{workflow}").build();
  }

  private DoubleHistogram seconds(String name, String description) {
    return meter
        .histogramBuilder(name)
        .setDescription(description)
        .setUnit("s")
        .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
        .build();
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public void readFrom(Readings readings) {
    queueDepth =
        meter
            .gaugeBuilder("dbos.queue.depth")
            .setDescription("Workflows ENQUEUED on a queue, waiting to be dequeued")
            .setUnit("{workflow}")
            .ofLongs()
            .buildWithCallback(
                measurement -> {
                  try {
                    readings
                        .queueDepths()
                        .forEach((queue, depth) -> measurement.record(depth, queues.of(queue)));
                  } catch (RuntimeException e) {
                    // The database is unreachable: this collection has no depths.
                    LOG.log(Level.FINE, "DBOS could not read its queues' depths", e);
                  }
                });
    parked =
        meter
            .gaugeBuilder("dbos.workflow.parked")
            .setDescription("Workflows waiting without a thread on this server")
            .setUnit("{workflow}")
            .ofLongs()
            .buildWithCallback(measurement -> measurement.record(readings.parkedWorkflows()));
  }

  /** Stops the gauges: the server's SDK outlives the application and would go on reading it. */
  void close() {
    for (ObservableLongGauge gauge : new ObservableLongGauge[] {queueDepth, parked}) {
      if (gauge != null) {
        gauge.close();
      }
    }
  }

  @Override
  public void workflowStarted(String workflowName) {
    started.add(1, workflows.of(workflowName));
  }

  @Override
  public void workflowRecovered(String workflowName) {
    recovered.add(1, workflows.of(workflowName));
  }

  @Override
  public void workflowEnded(String workflowName, String status, long durationMillis) {
    LongCounter counter =
        switch (status) {
          case "SUCCESS" -> completed;
          case "CANCELLED" -> cancelled;
          default -> failed;
        };
    counter.add(1, workflows.of(workflowName));
    workflowDuration.record(durationMillis / MILLIS_PER_SECOND, workflows.of(workflowName, status));
  }

  @Override
  public void stepEnded(String stepName, String status, long durationNanos) {
    stepDuration.record(durationNanos / NANOS_PER_SECOND, steps.of(stepName, status));
  }

  @Override
  public void dequeued(String queueName, long waitMillis) {
    queueWait.record(waitMillis / MILLIS_PER_SECOND, queues.of(queueName));
  }

  @Override
  public void scheduleTicked(String scheduleName) {
    scheduleTicks.add(1, schedules.of(scheduleName));
  }

  @Override
  public void checkpointsCommitted(int checkpoints) {
    checkpointBatch.record(checkpoints);
  }
}
