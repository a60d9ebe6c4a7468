package io.dbosee.internal.engine;

import io.dbosee.DBOSNonExistentScheduleException;
import io.dbosee.DBOSNotLaunchedException;
import io.dbosee.DBOSScheduleExistsException;
import io.dbosee.ScheduleStatus;
import io.dbosee.WorkflowHandle;
import io.dbosee.WorkflowSchedule;
import io.dbosee.internal.engine.db.ScheduleDatabase;
import io.dbosee.internal.errors.ErrorCode;
import java.lang.System.Logger.Level;
import java.lang.reflect.Type;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Starts the ticks of the schedules stored in {@code workflow_schedules}, and manages them.
 *
 * <p>Exactly once: every server that runs schedules starts every due tick of every active schedule
 * whose workflow it has, as the workflow {@code sched-<name>-<tick>} (see {@link #workflowId}, the
 * id the other DBOS SDKs give the same tick). Starting an id that exists starts nothing (one
 * upsert, or one enqueue that does nothing on conflict, decides which server's start counts), so a
 * tick runs once however many servers start it, at the same moment or after a restart.
 *
 * <p>Threading: a round is a task on the given {@link ScheduledExecutorService} (the server's
 * managed one), scheduled for the next tick of any schedule, and at least every polling interval so
 * that schedules created, paused or deleted on other servers are seen. Rounds never overlap. The
 * ticks' workflows run on the engine's executor. Nothing here creates a thread.
 *
 * <p>Missed ticks: a schedule seen for the first time (a server start, a schedule created or
 * resumed) starts from the current time, unless it asks for automatic backfill: then, at a server
 * start, it starts from its last tick ({@code last_fired_at}), so ticks missed while no server ran
 * are started, each once.
 */
public final class Scheduler implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Scheduler.class.getName());

  /** At most this many ticks of one schedule start in one round; the next round goes on. */
  static final int MAX_TICKS_PER_ROUND = 1_000;

  /** At most this many ticks in one {@link #backfill}. */
  public static final int MAX_BACKFILL = 10_000;

  private static final String PREFIX = "sched-";

  private final DBOSEngine engine;
  private final ScheduleDatabase db;
  private final ScheduledExecutorService timer;
  private final TimeSource time;
  private final Duration pollingInterval;

  private final Object timerLock = new Object();
  private ScheduledFuture<?> pending;
  private volatile boolean running;
  private Set<String> excluded = Set.of();

  /** Per schedule name, the last tick this server has dealt with (started or skipped). */
  private final Map<String, Instant> cursors = new HashMap<>();

  /** Schedules whose row cannot be used here, already logged (so the log says it once). */
  private final Set<String> reported = new HashSet<>();

  private boolean firstRound = true;

  /**
   * @param timer runs the rounds; null for a scheduler that only manages schedules (its rounds then
   *     run only when {@link #runRound()} is called)
   * @param pollingInterval the longest time between two rounds
   */
  public Scheduler(
      DBOSEngine engine,
      DataSource dataSource,
      ScheduledExecutorService timer,
      TimeSource time,
      Duration pollingInterval) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.db =
        new ScheduleDatabase(
            dataSource, engine.config().schema(), engine.config().applicationName());
    this.timer = timer;
    this.time = Objects.requireNonNull(time, "time");
    this.pollingInterval = Objects.requireNonNull(pollingInterval, "pollingInterval");
    if (pollingInterval.isZero() || pollingInterval.isNegative()) {
      throw new IllegalArgumentException("pollingInterval must be positive: " + pollingInterval);
    }
  }

  /**
   * Stores the schedules the application declares (annotations): new ones are created, existing
   * ones get the declared definition and keep their status (a paused one stays paused) and last
   * tick. A schedule stored from a declaration that this application no longer makes (its workflow
   * is here, its annotation is gone) is deleted.
   *
   * @param switchedOff declared schedules this server does not store or run (its configuration),
   *     which are kept as they are
   * @throws IllegalArgumentException if a declared schedule is invalid (see {@link #create})
   */
  public void declare(List<WorkflowSchedule> schedules, Set<String> switchedOff) {
    Set<String> names = new HashSet<>(switchedOff);
    for (WorkflowSchedule schedule : schedules) {
      ScheduleDatabase.Row row = validated(schedule);
      db.store(
          new ScheduleDatabase.Row(
              true,
              row.name(),
              row.workflowName(),
              row.className(),
              row.cron(),
              row.status(),
              row.lastFiredAt(),
              row.automaticBackfill(),
              row.timeZone(),
              row.queueName()),
          true);
      names.add(schedule.name());
    }
    for (ScheduleDatabase.Row row : db.list()) {
      if (row.declared()
          && !names.contains(row.name())
          && engine.registeredWorkflow(row.className(), row.workflowName()).isPresent()) {
        db.delete(row.name());
        LOG.log(
            Level.INFO,
            "Deleted schedule ''{0}'': workflow {1}/{2} is no longer declared @Scheduled under"
                + " that name.",
            row.name(),
            row.className(),
            row.workflowName());
      }
    }
  }

  /**
   * Starts running rounds on the timer.
   *
   * @param excludedNames schedules this server never starts (switched off by its configuration)
   */
  public void start(Set<String> excludedNames) {
    if (timer == null) {
      throw new IllegalStateException("this scheduler has no timer to run on");
    }
    synchronized (this) {
      excluded = Set.copyOf(excludedNames);
    }
    running = true;
    scheduleRound(0);
  }

  /** Stops the rounds; a round in progress finishes its current tick. */
  @Override
  public void close() {
    running = false;
    synchronized (timerLock) {
      if (pending != null) {
        pending.cancel(false);
        pending = null;
      }
    }
  }

  /** Whether this server runs rounds. */
  public boolean isRunning() {
    return running;
  }

  // ---------------------------------------------------------------------------------------
  // Management

  /**
   * Stores a new schedule.
   *
   * @throws DBOSScheduleExistsException if a schedule has that name
   * @throws IllegalArgumentException if the cron expression is invalid, the workflow is not
   *     registered here with parameters {@code (Instant, Instant)}, or the queue is not declared
   */
  public void create(WorkflowSchedule schedule) {
    if (!db.store(validated(schedule), false)) {
      throw new DBOSScheduleExistsException(schedule.name());
    }
    wake();
  }

  public List<ScheduleStatus> list() {
    List<ScheduleStatus> all = new ArrayList<>();
    for (ScheduleDatabase.Row row : db.list()) {
      all.add(status(row));
    }
    return all;
  }

  public Optional<ScheduleStatus> get(String name) {
    return db.read(Objects.requireNonNull(name, "name")).map(Scheduler::status);
  }

  public void pause(String name) {
    if (!db.setStatus(Objects.requireNonNull(name, "name"), ScheduleDatabase.PAUSED)) {
      throw new DBOSNonExistentScheduleException(name);
    }
    wake();
  }

  public void resume(String name) {
    if (!db.setStatus(Objects.requireNonNull(name, "name"), ScheduleDatabase.ACTIVE)) {
      throw new DBOSNonExistentScheduleException(name);
    }
    wake();
  }

  public void delete(String name) {
    db.delete(Objects.requireNonNull(name, "name"));
    wake();
  }

  /**
   * Starts the schedule's workflow now, with the current time (to the ms) as its tick, as the
   * workflow {@code sched-<name>-trigger-<time>} (the DBOS SDKs' id for a triggered run).
   */
  public WorkflowHandle<Object, Exception> trigger(String name) {
    ScheduleDatabase.Row row = requireRow(name);
    Instant now = now();
    Instant tick = now.truncatedTo(ChronoUnit.MILLIS);
    String workflowId = PREFIX + row.name() + "-trigger-" + isoTime(tick, ZoneOffset.UTC);
    return fire(row, requireWorkflow(row), workflowId, tick, now);
  }

  /** Starts every tick from {@code start} (included) to {@code end} (excluded) not started yet. */
  public List<WorkflowHandle<Object, Exception>> backfill(String name, Instant start, Instant end) {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    ScheduleDatabase.Row row = requireRow(name);
    WorkflowDefinition definition = requireWorkflow(row);
    CronSchedule cron = CronSchedule.parse(row.cron(), zone(row));
    List<Instant> ticks = cron.ticks(start.minusNanos(1), end.minusNanos(1), MAX_BACKFILL + 1);
    if (ticks.size() > MAX_BACKFILL) {
      throw new IllegalArgumentException(
          "Backfilling schedule '"
              + name
              + "' from "
              + start
              + " to "
              + end
              + " would start more than "
              + MAX_BACKFILL
              + " workflows; backfill a shorter interval at a time.");
    }
    List<WorkflowHandle<Object, Exception>> handles = new ArrayList<>();
    for (Instant tick : ticks) {
      handles.add(fire(row, definition, workflowId(row.name(), tick, zone(row)), tick, now()));
    }
    return handles;
  }

  /**
   * The id of the workflow that runs {@code schedule}'s tick at {@code tick}: {@code
   * sched-<schedule>-<tick>}, the tick written as the DBOS SDKs write it (Python's {@code
   * datetime.isoformat()}): the local time in the schedule's time zone with its numeric offset,
   * {@code 2026-12-02T00:38:05+00:00} for UTC, so that a server of another SDK on the same system
   * database starting the same tick finds this id and starts nothing.
   */
  public static String workflowId(String schedule, Instant tick, ZoneId zone) {
    return PREFIX + schedule + "-" + isoTime(tick, zone);
  }

  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss", Locale.ROOT);
  private static final DateTimeFormatter OFFSET = DateTimeFormatter.ofPattern("xxxxx", Locale.ROOT);

  /**
   * {@code time} as Python's {@code datetime.isoformat()} writes it in {@code zone}: seconds
   * always, microseconds only when not zero, the offset as {@code +HH:MM} (never {@code Z}).
   */
  static String isoTime(Instant time, ZoneId zone) {
    OffsetDateTime local = time.atZone(zone).toOffsetDateTime();
    StringBuilder text = new StringBuilder(SECONDS.format(local));
    int micros = local.getNano() / 1_000;
    if (micros != 0) {
      text.append('.').append(String.format(Locale.ROOT, "%06d", micros));
    }
    return text.append(OFFSET.format(local)).toString();
  }

  private ScheduleDatabase.Row requireRow(String name) {
    return db.read(Objects.requireNonNull(name, "name"))
        .orElseThrow(() -> new DBOSNonExistentScheduleException(name));
  }

  private WorkflowDefinition requireWorkflow(ScheduleDatabase.Row row) {
    return engine
        .registeredWorkflow(row.className(), row.workflowName())
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "Schedule '"
                        + row.name()
                        + "' runs workflow "
                        + row.className()
                        + "/"
                        + row.workflowName()
                        + ", which this application does not have; start it from an application"
                        + " that has it."));
  }

  /** The row to store for {@code schedule}, after checking it can run here. */
  private ScheduleDatabase.Row validated(WorkflowSchedule schedule) {
    CronSchedule cron = CronSchedule.parse(schedule.cron(), schedule.timeZone());
    WorkflowDefinition definition =
        engine
            .registeredWorkflow(schedule.className(), schedule.workflowName())
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "Schedule '"
                            + schedule.name()
                            + "' names workflow "
                            + schedule.className()
                            + "/"
                            + schedule.workflowName()
                            + ", which is not a @Workflow of this application. Give the bean"
                            + " class and the workflow's name (@Workflow(name), else the method"
                            + " name)."));
    Type[] parameters = definition.parameterTypes();
    if (definition.wrapsStep()
        || parameters.length != 2
        || parameters[0] != Instant.class
        || parameters[1] != Instant.class) {
      throw new IllegalArgumentException(
          "Schedule '"
              + schedule.name()
              + "' names "
              + definition
              + ", whose parameters are not (Instant scheduledTime, Instant actualTime). A"
              + " scheduled workflow takes exactly those two.");
    }
    if (schedule.queueName() != null && engine.queue(schedule.queueName()).isEmpty()) {
      throw new IllegalArgumentException(
          "Schedule '"
              + schedule.name()
              + "' enqueues on queue '"
              + schedule.queueName()
              + "', which is not declared (declared: "
              + engine.queueNames()
              + "). Declare it with @WorkflowQueue or dbos.queue.\""
              + schedule.queueName()
              + "\".* configuration.");
    }
    return new ScheduleDatabase.Row(
        false,
        schedule.name(),
        schedule.workflowName(),
        schedule.className(),
        cron.expression(),
        ScheduleDatabase.ACTIVE,
        null,
        schedule.automaticBackfill(),
        schedule.timeZone().getId(),
        schedule.queueName());
  }

  private static ScheduleStatus status(ScheduleDatabase.Row row) {
    Optional<Instant> lastFired = Optional.empty();
    if (row.lastFiredAt() != null) {
      lastFired = parseInstant(row.lastFiredAt());
    }
    return new ScheduleStatus(
        new WorkflowSchedule(
            row.name(),
            row.className() == null ? "" : row.className(),
            row.workflowName(),
            row.cron(),
            zoneOrUtc(row.timeZone()),
            row.queueName(),
            row.automaticBackfill()),
        !row.active(),
        lastFired);
  }

  /**
   * ISO-8601 with an offset or a zone ({@code +00:00} as this library and the Python SDK write it,
   * {@code Z} as earlier versions of this library and the Java SDK do).
   */
  private static Optional<Instant> parseInstant(String text) {
    try {
      return Optional.of(OffsetDateTime.parse(text).toInstant());
    } catch (DateTimeParseException e) {
      try {
        return Optional.of(Instant.parse(text));
      } catch (DateTimeParseException again) {
        return Optional.empty();
      }
    }
  }

  private static ZoneId zoneOrUtc(String id) {
    if (id == null || id.isBlank()) {
      return ZoneOffset.UTC;
    }
    try {
      return ZoneId.of(id);
    } catch (DateTimeException e) {
      return ZoneOffset.UTC;
    }
  }

  private static ZoneId zone(ScheduleDatabase.Row row) {
    if (row.timeZone() == null || row.timeZone().isBlank()) {
      return ZoneOffset.UTC;
    }
    try {
      return ZoneId.of(row.timeZone());
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "Schedule '"
              + row.name()
              + "' has the unknown time zone '"
              + row.timeZone()
              + "'; store an IANA name such as 'Europe/Paris'.",
          e);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Rounds

  /** Makes the next round run now (a schedule was created, paused, resumed or deleted here). */
  void wake() {
    if (running) {
      scheduleRound(0);
    }
  }

  private void scheduleRound(long delayMillis) {
    synchronized (timerLock) {
      if (!running) {
        return;
      }
      if (pending != null) {
        pending.cancel(false);
      }
      try {
        pending = timer.schedule(this::roundTask, delayMillis, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        LOG.log(Level.DEBUG, "The scheduled executor refused a schedule round: {0}", e.toString());
      }
    }
  }

  private void roundTask() {
    if (!running) {
      return;
    }
    long delay = pollingInterval.toMillis();
    try {
      Instant next = runRound();
      delay = Math.max(1, Math.min(delay, next.toEpochMilli() - time.currentTimeMillis()));
    } catch (DBOSNotLaunchedException e) {
      running = false;
      return;
    } catch (RuntimeException e) {
      LOG.log(
          Level.WARNING,
          "A schedule round failed; the next one in {0} ms tries again: {1}",
          delay,
          e.toString());
    }
    scheduleRound(delay);
  }

  /**
   * Starts every due tick of every active schedule this server runs, and returns when the next
   * round is due (the next tick, or one polling interval from now).
   */
  synchronized Instant runRound() {
    Instant now = now();
    Instant due = now.plus(pollingInterval);
    Set<String> seen = new HashSet<>();
    for (ScheduleDatabase.Row row : db.list()) {
      if (!row.active() || excluded.contains(row.name())) {
        continue;
      }
      Optional<WorkflowDefinition> definition =
          engine.registeredWorkflow(row.className(), row.workflowName());
      if (definition.isEmpty()) {
        continue; // another application's schedule
      }
      if (row.queueName() != null && engine.queue(row.queueName()).isEmpty()) {
        // Stored by a server that declares the queue, or in SQL: said once, not every round.
        if (reported.add(row.name())) {
          LOG.log(
              Level.WARNING,
              ErrorCode.SCHEDULE_ON_UNDECLARED_QUEUE.message(
                  "Schedule ''{0}'' enqueues on queue ''{1}'', which this application does not"
                      + " declare (declared: {2}); this server starts none of its ticks. Declare"
                      + " the queue (@WorkflowQueue or dbos.queue.\"{1}\".*), or update the"
                      + " schedule to a declared queue."),
              row.name(),
              row.queueName(),
              engine.queueNames());
        }
        continue;
      }
      CronSchedule cron;
      try {
        cron = CronSchedule.parse(row.cron(), zone(row));
      } catch (IllegalArgumentException e) {
        if (reported.add(row.name())) {
          LOG.log(Level.ERROR, "Schedule ''{0}'' cannot run: {1}", row.name(), e.getMessage());
        }
        continue;
      }
      seen.add(row.name());
      Instant cursor = cursors.get(row.name());
      if (cursor == null) {
        cursor = now;
        if (firstRound && row.automaticBackfill() && row.lastFiredAt() != null) {
          cursor = parseInstant(row.lastFiredAt()).orElse(now);
        }
      }
      Instant started = null;
      try {
        for (Instant tick : cron.ticks(cursor, now, MAX_TICKS_PER_ROUND)) {
          fire(row, definition.get(), workflowId(row.name(), tick, cron.zone()), tick, now());
          started = tick;
          cursor = tick;
        }
      } catch (DBOSNotLaunchedException e) {
        throw e;
      } catch (RuntimeException e) {
        // The database or the executor failed: the next round tries again from this tick.
        LOG.log(
            Level.WARNING,
            "Could not start a tick of schedule ''{0}''; the next round tries again: {1}",
            row.name(),
            e.toString());
      }
      cursors.put(row.name(), cursor);
      if (started != null) {
        db.advanceLastFired(row.name(), isoTime(started, cron.zone()));
      }
      Optional<Instant> next = cron.next(cursor);
      if (next.isPresent() && next.get().isBefore(due)) {
        due = next.get();
      }
    }
    // A paused, deleted or excluded schedule starts afresh when it comes back.
    cursors.keySet().retainAll(seen);
    firstRound = false;
    return due;
  }

  /** Starts (or finds) the tick's workflow, tagged with its schedule. */
  private WorkflowHandle<Object, Exception> fire(
      ScheduleDatabase.Row row,
      WorkflowDefinition definition,
      String workflowId,
      Instant tick,
      Instant actual) {
    Object[] arguments = {tick, actual};
    StartSpec spec =
        row.queueName() == null
            ? new StartSpec(null, workflowId, null, 0, null, Duration.ZERO, null)
            : StartSpec.onQueue(row.queueName()).withWorkflowId(workflowId);
    WorkflowHandle<Object, Exception> handle =
        engine.start(spec, () -> definition.invoker().invoke(arguments));
    // Only the first server to start a tick tags it: each tick is counted once among servers.
    if (db.tagWorkflow(workflowId, row.name())) {
      engine.countTick(row.name());
    }
    if (row.queueName() != null) {
      // The enqueue woke the queue at once, and its claim skips rows locked at that moment: the
      // tag's update may have hidden the tick from it, so wake it again now that the row is free.
      engine.wakeQueues();
    }
    return handle;
  }

  private Instant now() {
    return Instant.ofEpochMilli(time.currentTimeMillis());
  }
}
