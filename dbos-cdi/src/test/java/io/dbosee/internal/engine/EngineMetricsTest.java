package io.dbosee.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's side of metrics: which {@link EngineMetrics} events it reports, with what names and
 * statuses, what its {@link EngineMetrics.Readings} read, and that metrics not enabled are never
 * called. CdiMetricsTest checks the OpenTelemetry instruments made of these events.
 */
class EngineMetricsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final EngineHarness harness = new EngineHarness();

  /** Records each event as a line of text. */
  static final class Recording implements EngineMetrics {
    final List<String> events = new CopyOnWriteArrayList<>();
    volatile Readings readings;

    @Override
    public boolean enabled() {
      return true;
    }

    @Override
    public void readFrom(Readings readings) {
      this.readings = readings;
    }

    @Override
    public void workflowStarted(String workflowName) {
      events.add("started " + workflowName);
    }

    @Override
    public void workflowRecovered(String workflowName) {
      events.add("recovered " + workflowName);
    }

    @Override
    public void workflowEnded(String workflowName, String status, long durationMillis) {
      assertThat(durationMillis).isNotNegative();
      events.add("ended " + workflowName + " " + status);
    }

    @Override
    public void stepEnded(String stepName, String status, long durationNanos) {
      assertThat(durationNanos).isPositive();
      events.add("step " + stepName + " " + status);
    }

    @Override
    public void dequeued(String queueName, long waitMillis) {
      assertThat(waitMillis).isNotNegative();
      events.add("dequeued " + queueName);
    }

    @Override
    public void checkpointsCommitted(int checkpoints) {
      events.add("checkpoints " + checkpoints);
    }
  }

  @AfterEach
  void close() {
    harness.close();
  }

  private static WorkflowSpec order() {
    return new WorkflowSpec(
        "order",
        String.class,
        new Class<?>[] {String.class},
        (engine, args) -> {
          String fetched = (String) EngineHarness.step(engine, "fetch", () -> "fetched " + args[0]);
          return EngineHarness.step(
              engine,
              "charge",
              () -> {
                if (((String) args[0]).startsWith("bad")) {
                  throw new IllegalStateException("declined");
                }
                return fetched + ", charged";
              });
        });
  }

  @Test
  void aWorkflowsStartStepsCheckpointsAndEndAreReportedByName() throws Exception {
    Recording metrics = new Recording();
    harness.metrics = metrics;
    WorkflowSpec order = order();
    harness.engine("e1", List.of(QueueDefinition.unlimited("q")), order);

    assertThat(order.call("o1")).isEqualTo("fetched o1, charged");
    assertThat(metrics.events)
        .containsExactly(
            "started order",
            "step fetch SUCCESS",
            "checkpoints 1",
            "step charge SUCCESS",
            "checkpoints 1",
            "ended order SUCCESS");

    metrics.events.clear();
    assertThatThrownBy(() -> order.call("bad-1")).hasMessage("declined");
    assertThat(metrics.events)
        .containsExactly(
            "started order",
            "step fetch SUCCESS",
            "checkpoints 1",
            "step charge ERROR",
            "checkpoints 1",
            "ended order ERROR");

    metrics.events.clear();
    order.callWithId("wf-1", "o2");
    order.callWithId("wf-1", "o2"); // the same id again: its recorded outcome, no new start
    assertThat(metrics.events).filteredOn(e -> e.startsWith("started")).hasSize(1);

    assertThat(metrics.readings.parkedWorkflows()).isZero();
    assertThat(metrics.readings.queueDepths()).isEqualTo(Map.of("q", 0L));
  }

  @Test
  void aQueuedWorkflowStartsAtItsFirstDequeueWithItsWait() throws Exception {
    Recording metrics = new Recording();
    harness.metrics = metrics;
    WorkflowSpec order = order();
    harness.engine(
        "e1",
        List.of(QueueDefinition.unlimited("q").withPollingInterval(Duration.ofMillis(100))),
        order);

    assertThat(order.start(StartSpec.onQueue("q"), "q1").getResult())
        .isEqualTo("fetched q1, charged");
    await().atMost(WAIT).until(() -> metrics.events.contains("ended order SUCCESS"));
    assertThat(metrics.events).startsWith("dequeued q", "started order");
  }

  @Test
  void metricsThatAreNotEnabledAreNeverCalled() throws Exception {
    // Every method but enabled() fails the workflow (or the launch) if the engine calls it.
    harness.metrics =
        (EngineMetrics)
            Proxy.newProxyInstance(
                EngineMetrics.class.getClassLoader(),
                new Class<?>[] {EngineMetrics.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("enabled")) {
                    return false;
                  }
                  throw new AssertionError(method.getName() + " was called");
                });
    WorkflowSpec order = order();
    harness.engine("e1", List.of(QueueDefinition.unlimited("q")), order);
    assertThat(order.call("o1")).isEqualTo("fetched o1, charged");
    assertThat(order.start(StartSpec.onQueue("q"), "q1").getResult())
        .isEqualTo("fetched q1, charged");
  }

  @Test
  void metricsAreGivenBeforeLaunch() {
    DBOSEngine engine = harness.engine("e1", order());
    assertThatThrownBy(() -> engine.measure(new Recording()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("before launch");
  }
}
