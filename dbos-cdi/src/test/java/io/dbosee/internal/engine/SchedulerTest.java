package io.dbosee.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbosee.DBOSNonExistentScheduleException;
import io.dbosee.DBOSScheduleExistsException;
import io.dbosee.ScheduleStatus;
import io.dbosee.WorkflowHandle;
import io.dbosee.WorkflowSchedule;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SchedulerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00.500Z");

  private final EngineHarness harness = new EngineHarness();
  private final List<ExecutorService> pools = new ArrayList<>();

  /** How many times the body ran for each tick's workflow id. */
  private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

  /** The arguments each tick's workflow received, by workflow id. */
  private final Map<String, Instant[]> received = new ConcurrentHashMap<>();

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

  private final Clock clock = new Clock(T0);

  @AfterEach
  void stop() {
    harness.close();
    pools.forEach(ExecutorService::shutdownNow);
  }

  private WorkflowSpec tick() {
    return new WorkflowSpec(
        "tick",
        String.class,
        new Class<?>[] {Instant.class, Instant.class},
        (engine, args) -> {
          String id = engine.currentWorkflowId().orElseThrow();
          runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
          received.put(id, new Instant[] {(Instant) args[0], (Instant) args[1]});
          return "ran " + args[0];
        });
  }

  private static WorkflowSchedule everySecond(String name) {
    return WorkflowSchedule.of(name, "test.Workflows", "tick", "* * * * * *");
  }

  private static String id(String schedule, String time) {
    return "sched-" + schedule + "-" + time;
  }

  private void awaitFinished(int count) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                harness
                    .query("SELECT count(*) FROM dbos.workflow_status WHERE status = 'SUCCESS'")
                    .equals(String.valueOf(count)));
  }

  private int workflows() {
    return Integer.parseInt(harness.query("SELECT count(*) FROM dbos.workflow_status"));
  }

  @Test
  void aOneSecondScheduleStartsOneTickPerSecondOfTheClock() {
    WorkflowSpec tick = tick();
    DBOSEngine engine = harness.engine("local", clock, tick);
    Scheduler scheduler = harness.scheduler(engine, clock, null);
    scheduler.create(everySecond("every-second"));

    assertThat(scheduler.runRound()).isEqualTo(Instant.parse("2026-01-01T00:00:01Z"));
    assertThat(workflows()).isZero();

    clock.advance(Duration.ofSeconds(1));
    scheduler.runRound();
    clock.advance(Duration.ofSeconds(3));
    Instant next = scheduler.runRound();

    awaitFinished(4);
    assertThat(runs.keySet())
        .containsExactlyInAnyOrder(
            id("every-second", "2026-01-01T00:00:01+00:00"),
            id("every-second", "2026-01-01T00:00:02+00:00"),
            id("every-second", "2026-01-01T00:00:03+00:00"),
            id("every-second", "2026-01-01T00:00:04+00:00"));
    assertThat(runs.values()).allSatisfy(n -> assertThat(n).hasValue(1));
    assertThat(next).isEqualTo(Instant.parse("2026-01-01T00:00:05Z"));
    Instant[] first = received.get(id("every-second", "2026-01-01T00:00:01+00:00"));
    assertThat(first[0]).isEqualTo(Instant.parse("2026-01-01T00:00:01Z"));
    assertThat(first[1]).isEqualTo(Instant.parse("2026-01-01T00:00:01.500Z"));
    assertThat(
            harness.query(
                "SELECT schedule_name FROM dbos.workflow_status WHERE workflow_uuid = ?",
                id("every-second", "2026-01-01T00:00:04+00:00")))
        .isEqualTo("every-second");
    assertThat(scheduler.get("every-second").orElseThrow().lastFiredAt())
        .contains(Instant.parse("2026-01-01T00:00:04Z"));
  }

  @Test
  void tickIdsAreWrittenAsThePythonSdkWritesThem() {
    Instant tick = Instant.parse("2026-12-02T00:38:05Z");
    assertThat(Scheduler.workflowId("s", tick, ZoneOffset.UTC))
        .isEqualTo("sched-s-2026-12-02T00:38:05+00:00");
    assertThat(Scheduler.workflowId("s", tick, ZoneId.of("UTC")))
        .isEqualTo("sched-s-2026-12-02T00:38:05+00:00");
    assertThat(Scheduler.workflowId("s", tick, ZoneId.of("Europe/Paris")))
        .as("the local time with its offset, as isoformat() of an aware datetime")
        .isEqualTo("sched-s-2026-12-02T01:38:05+01:00");
    assertThat(Scheduler.workflowId("s", Instant.parse("2026-12-02T00:38:00Z"), ZoneOffset.UTC))
        .as("seconds always written")
        .isEqualTo("sched-s-2026-12-02T00:38:00+00:00");
    assertThat(Scheduler.isoTime(Instant.parse("2026-12-02T00:38:05.25Z"), ZoneOffset.UTC))
        .as("microseconds only when not zero")
        .isEqualTo("2026-12-02T00:38:05.250000+00:00");
  }

  @Test
  void aTickAnotherSdksServerAlreadyStartedIsNotStartedAgain() {
    WorkflowSpec tick = tick();
    DBOSEngine engine = harness.engine("local", clock, tick);
    Scheduler scheduler = harness.scheduler(engine, clock, null);
    scheduler.create(everySecond("shared"));
    scheduler.runRound();
    // A server of another SDK on the same system database ran the tick of 00:00:01 first.
    harness.query(
        "INSERT INTO dbos.workflow_status (workflow_uuid, status, name, class_name, executor_id,"
            + " output, serialization) VALUES (?, 'SUCCESS', 'tick', 'test.Workflows', 'python-1',"
            + " '\"ran elsewhere\"', 'portable_json') RETURNING workflow_uuid",
        "sched-shared-2026-01-01T00:00:01+00:00");

    clock.advance(Duration.ofSeconds(2));
    scheduler.runRound();

    awaitFinished(2);
    assertThat(runs.keySet()).containsExactly(id("shared", "2026-01-01T00:00:02+00:00"));
    assertThat(
            harness.query(
                "SELECT executor_id FROM dbos.workflow_status WHERE workflow_uuid = ?",
                id("shared", "2026-01-01T00:00:01+00:00")))
        .isEqualTo("python-1");
    assertThat(
            harness.query(
                "SELECT last_fired_at FROM dbos.workflow_schedules WHERE schedule_name = 'shared'"))
        .as("written as the Python SDK writes it, which reads it with datetime.fromisoformat")
        .isEqualTo("2026-01-01T00:00:02+00:00");
  }

  @Test
  void aOneSecondScheduleFiresAboutOnceASecondOnARealTimer() {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    pools.add(timer);
    WorkflowSpec tick = tick();
    DBOSEngine engine = harness.engine("local", tick);
    Scheduler scheduler = harness.scheduler(engine, TimeSource.SYSTEM, timer);
    scheduler.create(everySecond("real"));
    scheduler.start(Set.of());

    await().atMost(WAIT).until(() -> received.size() >= 3);
    scheduler.close();

    List<Instant[]> ticks =
        received.values().stream().sorted((a, b) -> a[0].compareTo(b[0])).limit(3).toList();
    for (int i = 0; i < ticks.size(); i++) {
      Instant scheduled = ticks.get(i)[0];
      Instant actual = ticks.get(i)[1];
      assertThat(scheduled.getNano()).as("ticks are whole seconds").isZero();
      assertThat(Duration.between(scheduled, actual))
          .as("started soon after its time")
          .isBetween(Duration.ZERO, Duration.ofMillis(1500));
      if (i > 0) {
        assertThat(Duration.between(ticks.get(i - 1)[0], scheduled))
            .isEqualTo(Duration.ofSeconds(1));
      }
    }
  }

  @Test
  void twoServersStartingTheSameTicksAtOnceRunEachOnce() throws Exception {
    WorkflowSpec onA = tick();
    WorkflowSpec onB = onA.copy();
    DBOSEngine a = harness.engine("a", clock, onA);
    DBOSEngine b = harness.engine("b", clock, onB);
    Scheduler sa = harness.scheduler(a, clock, null);
    Scheduler sb = harness.scheduler(b, clock, null);
    sa.create(everySecond("shared"));
    sa.runRound();
    sb.runRound();
    ExecutorService both = Executors.newFixedThreadPool(2);
    pools.add(both);
    CyclicBarrier barrier = new CyclicBarrier(2);

    for (int round = 0; round < 5; round++) {
      clock.advance(Duration.ofSeconds(round == 4 ? 20 : 1)); // the last round: 20 ticks at once
      Future<?> fa = both.submit(() -> awaitThen(barrier, sa));
      Future<?> fb = both.submit(() -> awaitThen(barrier, sb));
      fa.get(30, TimeUnit.SECONDS);
      fb.get(30, TimeUnit.SECONDS);
    }

    awaitFinished(24);
    assertThat(workflows()).isEqualTo(24);
    assertThat(runs).hasSize(24);
    assertThat(runs.values()).allSatisfy(n -> assertThat(n).hasValue(1));
    assertThat(
            harness.queryColumn(
                "SELECT DISTINCT executor_id FROM dbos.workflow_status ORDER BY executor_id"))
        .isSubsetOf("a", "b");
  }

  private static Object awaitThen(CyclicBarrier barrier, Scheduler scheduler) throws Exception {
    barrier.await(30, TimeUnit.SECONDS);
    return scheduler.runRound();
  }

  @Test
  void aRestartedServerStartsNoTickAgain() throws Exception {
    WorkflowSpec tick = tick();
    DBOSEngine first = harness.engine("local", clock, tick);
    Scheduler before = harness.scheduler(first, clock, null);
    before.create(everySecond("restart"));
    before.runRound();
    clock.advance(Duration.ofSeconds(3));
    before.runRound();
    awaitFinished(3);
    before.close();
    first.close();

    WorkflowSpec again = tick.copy();
    DBOSEngine second = harness.engine("local", clock, again);
    Scheduler after = harness.scheduler(second, clock, null);
    after.runRound();
    clock.advance(Duration.ofMillis(200));
    after.runRound();
    assertThat(workflows()).isEqualTo(3);

    clock.advance(Duration.ofSeconds(1));
    after.runRound();
    awaitFinished(4);
    assertThat(runs).hasSize(4);
    assertThat(runs.values()).allSatisfy(n -> assertThat(n).hasValue(1));
  }

  @Test
  void ticksMissedWhileNoServerRanAreSkippedUnlessTheScheduleAsksForBackfill() throws Exception {
    WorkflowSpec tick = tick();
    DBOSEngine first = harness.engine("local", clock, tick);
    Scheduler before = harness.scheduler(first, clock, null);
    before.create(everySecond("skips"));
    before.create(everySecond("backfills").withAutomaticBackfill(true));
    before.runRound();
    clock.advance(Duration.ofSeconds(1));
    before.runRound();
    awaitFinished(2);
    before.close();
    first.close();

    clock.advance(Duration.ofSeconds(5)); // every server down for ticks :02 to :06
    DBOSEngine second = harness.engine("local", clock, tick.copy());
    Scheduler after = harness.scheduler(second, clock, null);
    after.runRound();
    after.runRound();

    awaitFinished(7);
    assertThat(runs.keySet())
        .filteredOn(id -> id.startsWith("sched-skips-"))
        .containsExactly(id("skips", "2026-01-01T00:00:01+00:00"));
    assertThat(runs.keySet())
        .filteredOn(id -> id.startsWith("sched-backfills-"))
        .containsExactlyInAnyOrder(
            id("backfills", "2026-01-01T00:00:01+00:00"),
            id("backfills", "2026-01-01T00:00:02+00:00"),
            id("backfills", "2026-01-01T00:00:03+00:00"),
            id("backfills", "2026-01-01T00:00:04+00:00"),
            id("backfills", "2026-01-01T00:00:05+00:00"),
            id("backfills", "2026-01-01T00:00:06+00:00"));
    assertThat(runs.values()).allSatisfy(n -> assertThat(n).hasValue(1));
  }

  @Test
  void aPausedScheduleStartsNothingAndResumesFromItsNextTick() {
    DBOSEngine engine = harness.engine("local", clock, tick());
    Scheduler scheduler = harness.scheduler(engine, clock, null);
    scheduler.create(everySecond("pausable"));
    scheduler.runRound();
    clock.advance(Duration.ofSeconds(1));
    scheduler.runRound();

    scheduler.pause("pausable");
    assertThat(scheduler.get("pausable").orElseThrow().paused()).isTrue();
    clock.advance(Duration.ofSeconds(3));
    scheduler.runRound();
    assertThat(workflows()).isEqualTo(1);

    scheduler.resume("pausable");
    scheduler.runRound();
    assertThat(workflows()).as("what was due while paused is skipped").isEqualTo(1);
    clock.advance(Duration.ofSeconds(1));
    scheduler.runRound();

    awaitFinished(2);
    assertThat(runs.keySet())
        .containsExactlyInAnyOrder(
            id("pausable", "2026-01-01T00:00:01+00:00"),
            id("pausable", "2026-01-01T00:00:05+00:00"));
  }

  @Test
  void triggerStartsTheWorkflowNowAndBackfillStartsEachMissingTickOnce() throws Exception {
    DBOSEngine engine = harness.engine("local", clock, tick());
    Scheduler scheduler = harness.scheduler(engine, clock, null);
    scheduler.create(
        WorkflowSchedule.of("hourly", "test.Workflows", "tick", "0 * * * *")
            .withTimeZone(ZoneId.of("Europe/Paris")));
    scheduler.pause("hourly");

    WorkflowHandle<Object, Exception> now = scheduler.trigger("hourly");
    assertThat(now.workflowId())
        .as("the SDKs' id for a triggered run, the time in UTC")
        .isEqualTo("sched-hourly-trigger-2026-01-01T00:00:00.500000+00:00");
    assertThat(now.getResult(WAIT)).isEqualTo("ran 2026-01-01T00:00:00.500Z");

    List<WorkflowHandle<Object, Exception>> first =
        scheduler.backfill(
            "hourly", Instant.parse("2025-12-31T10:00:00Z"), Instant.parse("2025-12-31T13:00:00Z"));
    List<WorkflowHandle<Object, Exception>> overlapping =
        scheduler.backfill(
            "hourly", Instant.parse("2025-12-31T12:00:00Z"), Instant.parse("2025-12-31T14:30:00Z"));

    assertThat(first)
        .extracting(WorkflowHandle::workflowId)
        .containsExactly(
            id("hourly", "2025-12-31T11:00:00+01:00"),
            id("hourly", "2025-12-31T12:00:00+01:00"),
            id("hourly", "2025-12-31T13:00:00+01:00"));
    assertThat(overlapping)
        .extracting(WorkflowHandle::workflowId)
        .containsExactly(
            id("hourly", "2025-12-31T13:00:00+01:00"),
            id("hourly", "2025-12-31T14:00:00+01:00"),
            id("hourly", "2025-12-31T15:00:00+01:00"));
    for (WorkflowHandle<Object, Exception> handle : overlapping) {
      handle.getResult(WAIT);
    }
    awaitFinished(6);
    assertThat(runs).hasSize(6);
    assertThat(runs.values()).allSatisfy(n -> assertThat(n).hasValue(1));
    assertThat(scheduler.get("hourly").orElseThrow().lastFiredAt())
        .as("only cron ticks move it")
        .isEmpty();
  }

  @Test
  void aStoredScheduleOnAnUndeclaredQueueIsReportedOnceAndHoldsUpNoOtherSchedule()
      throws Exception {
    DBOSEngine engine =
        harness.engine("local", clock, List.of(QueueDefinition.unlimited("ticks")), tick());
    Scheduler scheduler = harness.scheduler(engine, clock, null);
    scheduler.create(everySecond("good"));
    scheduler.create(everySecond("lost").withQueue("ticks"));
    // Stored by a server that declared the queue, or written in SQL.
    harness.query(
        "UPDATE dbos.workflow_schedules SET queue_name = 'nowhere'"
            + " WHERE schedule_name = 'lost' RETURNING 1");
    List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger(Scheduler.class.getName());
    java.util.logging.Handler capture =
        new java.util.logging.Handler() {
          @Override
          public void publish(java.util.logging.LogRecord record) {
            warnings.add(
                java.text.MessageFormat.format(record.getMessage(), record.getParameters()));
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    logger.addHandler(capture);
    try {
      scheduler.runRound();
      for (int second = 0; second < 3; second++) {
        clock.advance(Duration.ofSeconds(1));
        scheduler.runRound();
      }
    } finally {
      logger.removeHandler(capture);
    }

    awaitFinished(3);
    assertThat(harness.query("SELECT count(*) FROM dbos.workflow_status WHERE name = 'tick'"))
        .as("the good schedule's three ticks, none of the lost one's")
        .isEqualTo("3");
    assertThat(warnings.stream().filter(m -> m.contains("[DBOS-CDI-075]")))
        .singleElement()
        .asString()
        .contains("'lost'")
        .contains("'nowhere'")
        .contains("[ticks]")
        .contains("Declare the queue");
  }

  @Test
  void aScheduleOnAQueueEnqueuesEachTick() throws Exception {
    DBOSEngine engine =
        harness.engine(
            "local",
            clock,
            List.of(QueueDefinition.unlimited("ticks").withPollingInterval(Duration.ofHours(1))),
            tick());
    Scheduler scheduler = harness.scheduler(engine, clock, null);
    scheduler.create(everySecond("queued").withQueue("ticks"));
    scheduler.runRound();
    clock.advance(Duration.ofSeconds(1));
    scheduler.runRound();

    awaitFinished(1);
    assertThat(
            harness.query(
                "SELECT queue_name FROM dbos.workflow_status WHERE workflow_uuid = ?",
                id("queued", "2026-01-01T00:00:01+00:00")))
        .isEqualTo("ticks");
  }

  @Test
  void schedulesAreListedReadAndDeletedAndMisuseIsRefusedWithTheFix() {
    WorkflowSpec other =
        new WorkflowSpec("other", String.class, new Class<?>[] {String.class}, (e, a) -> "o");
    DBOSEngine engine = harness.engine("local", clock, tick(), other);
    Scheduler scheduler = harness.scheduler(engine, clock, null);
    scheduler.create(everySecond("b-second"));
    scheduler.create(
        WorkflowSchedule.of("a-daily", "test.Workflows", "tick", "0 0 9 * * *")
            .withTimeZone(ZoneId.of("Europe/Paris")));

    assertThat(scheduler.list())
        .extracting(s -> s.schedule().name())
        .containsExactly("a-daily", "b-second");
    ScheduleStatus daily = scheduler.get("a-daily").orElseThrow();
    assertThat(daily.schedule().timeZone()).isEqualTo(ZoneId.of("Europe/Paris"));
    assertThat(daily.schedule().cron()).isEqualTo("0 0 9 * * *");
    assertThat(daily.paused()).isFalse();
    assertThat(
            harness.query(
                "SELECT schedule || '|' || status || '|' || context || '|' || cron_timezone"
                    + " FROM dbos.workflow_schedules WHERE schedule_name = 'a-daily'"))
        .isEqualTo("0 0 9 * * *|ACTIVE|null|Europe/Paris");

    assertThatThrownBy(() -> scheduler.create(everySecond("b-second")))
        .isInstanceOf(DBOSScheduleExistsException.class)
        .hasMessageContaining("'b-second'");
    assertThatThrownBy(() -> scheduler.create(everySecond("bad").withCron("* * *")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid cron expression '* * *'");
    assertThatThrownBy(
            () -> scheduler.create(WorkflowSchedule.of("x", "test.Workflows", "nope", "* * * * *")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("test.Workflows/nope")
        .hasMessageContaining("not a @Workflow");
    assertThatThrownBy(
            () ->
                scheduler.create(WorkflowSchedule.of("x", "test.Workflows", "other", "* * * * *")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(Instant scheduledTime, Instant actualTime)");
    assertThatThrownBy(() -> scheduler.create(everySecond("x").withQueue("missing")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("queue 'missing', which is not declared");
    assertThatThrownBy(() -> scheduler.pause("missing"))
        .isInstanceOf(DBOSNonExistentScheduleException.class)
        .hasMessageContaining("'missing'");
    assertThatThrownBy(() -> scheduler.trigger("missing"))
        .isInstanceOf(DBOSNonExistentScheduleException.class);

    scheduler.delete("b-second");
    assertThat(scheduler.get("b-second")).isEmpty();
    assertThat(scheduler.list()).hasSize(1);
  }

  @Test
  void aDeclaredScheduleIsUpdatedAtEachStartKeepsItsPauseAndGoesWhenNoLongerDeclared() {
    DBOSEngine engine = harness.engine("local", clock, tick());
    Scheduler scheduler = harness.scheduler(engine, clock, null);
    scheduler.create(everySecond("created-at-run-time"));
    scheduler.declare(List.of(everySecond("declared")), Set.of());
    scheduler.pause("declared");

    scheduler.declare(List.of(everySecond("declared").withCron("0 0 * * * *")), Set.of());
    ScheduleStatus declared = scheduler.get("declared").orElseThrow();
    assertThat(declared.schedule().cron()).isEqualTo("0 0 * * * *");
    assertThat(declared.paused()).as("a paused schedule stays paused").isTrue();

    scheduler.declare(List.of(), Set.of("declared"));
    assertThat(scheduler.get("declared")).as("switched off here: kept for others").isPresent();

    scheduler.declare(List.of(), Set.of());
    assertThat(scheduler.list())
        .extracting(s -> s.schedule().name())
        .containsExactly("created-at-run-time");
  }
}
