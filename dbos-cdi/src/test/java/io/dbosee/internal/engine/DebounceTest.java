package io.dbosee.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbosee.DBOSQueueDuplicatedException;
import io.dbosee.WorkflowHandle;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Debouncing: calls with one key collapse into one workflow that starts once the calls stop, with
 * the last call's arguments; across a crash and across two engines on one database. The engines'
 * clock is the test's: a delay passes when the test moves it, never by waiting.
 */
class DebounceTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration PERIOD = Duration.ofSeconds(10);

  private final EngineHarness harness = new EngineHarness();

  /** The argument of every run of the workflow, in order. */
  private final List<String> runs = Collections.synchronizedList(new ArrayList<>());

  private final Clock clock = new Clock(T0);

  /** A clock the test moves; sleeps are real (no workflow here sleeps). */
  private static final class Clock implements TimeSource {
    private volatile long now;

    Clock(Instant start) {
      now = start.toEpochMilli();
    }

    void advance(Duration d) {
      now += d.toMillis();
    }

    @Override
    public long currentTimeMillis() {
      return now;
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
      Thread.sleep(duration.toMillis());
    }
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  /** Records its argument and returns it. */
  private WorkflowSpec work() {
    return new WorkflowSpec(
        "work",
        String.class,
        new Class<?>[] {String.class},
        (engine, args) -> {
          runs.add((String) args[0]);
          return args[0];
        });
  }

  private static WorkflowHandle<Object, Exception> debounce(
      DBOSEngine engine, DebounceSpec spec, WorkflowSpec work, String argument) {
    return engine.debounce(spec, () -> work.call(argument));
  }

  private long delayUntil(String workflowId) {
    return Long.parseLong(
        harness.query(
            "SELECT delay_until_epoch_ms FROM dbos.workflow_status WHERE workflow_uuid = ?",
            workflowId));
  }

  /** Moves the clock past {@code d} and has {@code engine} look for due work at once. */
  private void advance(DBOSEngine engine, Duration d) {
    clock.advance(d);
    engine.wakeQueues();
  }

  @Test
  void callsWithOneKeyCollapseIntoOneWorkflowThatRunsOnceWithTheLastArguments() throws Exception {
    WorkflowSpec work = work();
    DBOSEngine engine = harness.engine("local", clock, work);
    DebounceSpec spec = DebounceSpec.of("doc-1", PERIOD);

    WorkflowHandle<Object, Exception> first = debounce(engine, spec, work, "a");
    clock.advance(Duration.ofSeconds(4));
    WorkflowHandle<Object, Exception> second = debounce(engine, spec, work, "b");
    clock.advance(Duration.ofSeconds(4));
    WorkflowHandle<Object, Exception> third = debounce(engine, spec, work, "c");

    assertThat(second.workflowId()).isEqualTo(first.workflowId());
    assertThat(third.workflowId()).isEqualTo(first.workflowId());
    // Each call pushed the start back to a period after itself.
    assertThat(delayUntil(first.workflowId())).isEqualTo(T0.plusSeconds(18).toEpochMilli());
    assertThat(harness.status(first.workflowId())).isEqualTo("DELAYED");
    assertThat(
            harness.query(
                "SELECT queue_name || ' ' || deduplication_id || ' ' || is_debounced"
                    + " FROM dbos.workflow_status WHERE workflow_uuid = ?",
                first.workflowId()))
        .isEqualTo("_dbos_internal_queue test.Workflows.work-doc-1 true");

    advance(engine, Duration.ofSeconds(10));

    assertThat(first.getResult(WAIT)).isEqualTo("c");
    assertThat(runs).containsExactly("c");
    assertThat(harness.query("SELECT count(*) FROM dbos.workflow_status")).isEqualTo("1");
    // The key is free once the workflow left DELAYED: the next call debounces afresh.
    assertThat(
            harness.query(
                "SELECT deduplication_id FROM dbos.workflow_status WHERE workflow_uuid = ?",
                first.workflowId()))
        .isNull();
    WorkflowHandle<Object, Exception> next = debounce(engine, spec, work, "d");
    assertThat(next.workflowId()).isNotEqualTo(first.workflowId());
    advance(engine, PERIOD);
    assertThat(next.getResult(WAIT)).isEqualTo("d");
    assertThat(runs).containsExactly("c", "d");
  }

  @Test
  void aCallWhileTheDebouncedWorkflowRunsDebouncesANewOne() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    WorkflowSpec held =
        new WorkflowSpec(
            "held",
            String.class,
            new Class<?>[] {String.class},
            (engine, args) -> {
              runs.add((String) args[0]);
              if ("first".equals(args[0])) {
                running.countDown();
                if (!release.await(30, TimeUnit.SECONDS)) {
                  throw new IllegalStateException("never released");
                }
              }
              return args[0];
            });
    DBOSEngine engine = harness.engine("local", clock, held);
    DebounceSpec spec = DebounceSpec.of("k", PERIOD);
    WorkflowHandle<Object, Exception> first = debounce(engine, spec, held, "first");
    advance(engine, PERIOD);
    assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();

    // It has left DELAYED, so it took its last arguments: this call starts the next burst.
    WorkflowHandle<Object, Exception> second = debounce(engine, spec, held, "second");

    assertThat(second.workflowId()).isNotEqualTo(first.workflowId());
    release.countDown();
    assertThat(first.getResult(WAIT)).isEqualTo("first");
    advance(engine, PERIOD);
    assertThat(second.getResult(WAIT)).isEqualTo("second");
  }

  @Test
  void otherKeysAndOtherWorkflowsDebounceApart() throws Exception {
    WorkflowSpec work = work();
    DBOSEngine engine = harness.engine("local", clock, work);

    WorkflowHandle<Object, Exception> one =
        debounce(engine, DebounceSpec.of("one", PERIOD), work, "1");
    WorkflowHandle<Object, Exception> two =
        debounce(engine, DebounceSpec.of("two", PERIOD), work, "2");
    assertThat(two.workflowId()).isNotEqualTo(one.workflowId());

    advance(engine, PERIOD);
    assertThat(one.getResult(WAIT)).isEqualTo("1");
    assertThat(two.getResult(WAIT)).isEqualTo("2");
  }

  @Test
  void theTimeoutStartsTheWorkflowAtTheLatestThatLongAfterTheFirstCall() throws Exception {
    WorkflowSpec work = work();
    DBOSEngine engine = harness.engine("local", clock, work);
    DebounceSpec spec = DebounceSpec.of("busy", PERIOD).withTimeout(Duration.ofSeconds(15));

    WorkflowHandle<Object, Exception> first = debounce(engine, spec, work, "a");
    for (String argument : List.of("b", "c", "d")) {
      clock.advance(Duration.ofSeconds(4));
      assertThat(debounce(engine, spec, work, argument).workflowId()).isEqualTo(first.workflowId());
    }

    // Calls every 4 s would push it back for ever; the deadline caps the delay.
    assertThat(delayUntil(first.workflowId())).isEqualTo(T0.plusSeconds(15).toEpochMilli());
    assertThat(
            harness.query(
                "SELECT debounce_deadline_epoch_ms FROM dbos.workflow_status"
                    + " WHERE workflow_uuid = ?",
                first.workflowId()))
        .isEqualTo(String.valueOf(T0.plusSeconds(15).toEpochMilli()));
    advance(engine, Duration.ofSeconds(3));
    assertThat(first.getResult(WAIT)).isEqualTo("d");
  }

  @Test
  void aNewServerStartsWhatACrashedOneDebounced() throws Exception {
    WorkflowSpec work = work();
    DBOSEngine crashed = harness.engine("crashed", clock, work);
    DebounceSpec spec = DebounceSpec.of("doc", PERIOD);
    WorkflowHandle<Object, Exception> handle = debounce(crashed, spec, work, "a");
    clock.advance(Duration.ofSeconds(2));
    debounce(crashed, spec, work, "b");
    harness.crash(crashed);

    WorkflowSpec again = work.copy();
    DBOSEngine next = harness.engine("next", clock, again);
    advance(next, PERIOD);

    await().atMost(WAIT).until(() -> "SUCCESS".equals(harness.status(handle.workflowId())));
    assertThat(runs).containsExactly("b");
    assertThat(harness.output(handle.workflowId())).isEqualTo("\"b\"");
  }

  @Test
  void twoServersCallingWithOneKeyStartOneWorkflowWithTheLastArguments() throws Exception {
    WorkflowSpec workA = work();
    WorkflowSpec workB = work();
    DBOSEngine a = harness.engine("a", clock, workA);
    DBOSEngine b = harness.engine("b", clock, workB);
    DebounceSpec spec = DebounceSpec.of("shared", PERIOD);

    // Both at once, many times: the unique key lets one enqueue, the others push it back.
    ExecutorService callers = Executors.newFixedThreadPool(4);
    List<Future<String>> ids = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    try {
      for (int i = 0; i < 20; i++) {
        boolean onA = i % 2 == 0;
        String argument = "x" + i;
        ids.add(
            callers.submit(
                () -> {
                  go.await();
                  return onA
                      ? debounce(a, spec, workA, argument).workflowId()
                      : debounce(b, spec, workB, argument).workflowId();
                }));
      }
      go.countDown();
      List<String> distinct = new ArrayList<>();
      for (Future<String> id : ids) {
        String workflowId = id.get();
        if (!distinct.contains(workflowId)) {
          distinct.add(workflowId);
        }
      }
      assertThat(distinct).hasSize(1);
    } finally {
      callers.shutdownNow();
    }
    // Then one last call, on the other server than the first: its arguments win.
    WorkflowHandle<Object, Exception> last = debounce(b, spec, workB, "last");

    clock.advance(PERIOD);
    a.wakeQueues();
    b.wakeQueues();

    await().atMost(WAIT).until(() -> "SUCCESS".equals(harness.status(last.workflowId())));
    assertThat(runs).containsExactly("last");
    assertThat(harness.query("SELECT count(*) FROM dbos.workflow_status")).isEqualTo("1");
  }

  @Test
  void badInputIsRefusedWithItsCodeAndNothingIsWritten() {
    WorkflowSpec work = work();
    DBOSEngine engine = harness.engine("local", clock, work);

    assertThatThrownBy(() -> DebounceSpec.of("", PERIOD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("[DBOS-CDI-085]")
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> DebounceSpec.of(null, PERIOD))
        .hasMessageStartingWith("[DBOS-CDI-085]");
    for (Duration bad : List.of(Duration.ZERO, Duration.ofSeconds(-1), Duration.ofDays(31))) {
      assertThatThrownBy(() -> DebounceSpec.of("k", bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("[DBOS-CDI-086]")
          .hasMessageContaining(bad.toString())
          .hasMessageContaining("at most PT720H");
      assertThatThrownBy(() -> DebounceSpec.of("k", PERIOD).withTimeout(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("[DBOS-CDI-087]")
          .hasMessageContaining(bad.toString());
    }
    assertThat(DebounceSpec.of("k", DebounceSpec.MAX).withTimeout(DebounceSpec.MAX).timeout())
        .isEqualTo(DebounceSpec.MAX);
    assertThatThrownBy(() -> engine.debounce(DebounceSpec.of("k", PERIOD), () -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("debounce(() -> orders.ship(orderId))");
    assertThat(harness.query("SELECT count(*) FROM dbos.workflow_status")).isEqualTo("0");
  }

  @Test
  void aDebounceInAWorkflowMustBeInAStep() throws Exception {
    WorkflowSpec work = work();
    WorkflowSpec caller =
        new WorkflowSpec(
            "caller",
            String.class,
            new Class<?>[0],
            (engine, args) ->
                engine.debounce(DebounceSpec.of("k", PERIOD), () -> work.call("a")).workflowId());
    harness.engine("local", clock, work, caller);

    assertThatThrownBy(caller::call)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("[DBOS-CDI-088]")
        .hasMessageContaining("runStep");
  }

  @Test
  void aKeyHeldByAWorkflowThatIsNotDebouncedIsAConflict() throws Exception {
    WorkflowSpec work = work();
    DBOSEngine engine = harness.engine("local", clock, work);
    // An ordinary enqueue that happens to use the deduplication id the debounce would.
    work.start(
        StartSpec.onQueue(DBOSEngine.INTERNAL_QUEUE)
            .withDeduplicationId("test.Workflows.work-k")
            .withDelay(PERIOD),
        "plain");

    assertThatThrownBy(() -> debounce(engine, DebounceSpec.of("k", PERIOD), work, "a"))
        .isInstanceOf(DBOSQueueDuplicatedException.class)
        .hasMessageContaining("test.Workflows.work-k");
  }
}
