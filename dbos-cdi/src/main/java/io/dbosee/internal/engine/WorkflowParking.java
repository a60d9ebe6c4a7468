package io.dbosee.internal.engine;

import io.dbosee.DBOSInterruptedException;
import io.dbosee.DBOSSystemDatabaseException;
import io.dbosee.internal.engine.db.ConnectionFailures;
import io.dbosee.internal.engine.db.SystemDatabase;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Workflows that give their thread back: during a long durable wait (parked until the notification
 * or the time they wait for), or when the database could not be reached (put aside, to resume by
 * replay after a pause). Decides when a workflow may park, parks it once its thread has unwound its
 * body, and ends the parked ones when the engine stops. Resuming a woken one is the caller's
 * ({@code resume}).
 */
final class WorkflowParking {
  private static final System.Logger LOG = System.getLogger(WorkflowParking.class.getName());

  private final EngineServices services;
  private final EngineConfig config;
  private final SystemDatabase db;
  private final Executor executor;
  private final EngineLifecycle lifecycle;
  private final WorkflowRegistry registry;
  private final Map<String, RunningWorkflow> active;
  private final NotificationHub hub;
  private final ParkedWorkflows parked;
  private final Consumer<ParkedWorkflows.Parked> resume;

  /**
   * @param resume hands a woken workflow to the executor, which resumes it by replay; it must
   *     return at once
   */
  WorkflowParking(
      EngineServices services, NotificationHub hub, Consumer<ParkedWorkflows.Parked> resume) {
    this.services = services;
    this.config = services.config;
    this.db = services.db;
    this.executor = services.executor;
    this.lifecycle = services.lifecycle;
    this.registry = services.registry;
    this.active = services.active;
    this.hub = hub;
    this.resume = resume;
    this.parked = new ParkedWorkflows(hub, services.time, resume);
  }

  /** The parked workflows, which the notification hub wakes. */
  ParkedWorkflows parked() {
    return parked;
  }

  /** Ends every parked workflow: the engine stops, and they stay PENDING in the database. */
  void abandonAll() {
    for (ParkedWorkflows.Parked sleeper : parked.drain()) {
      abandon(sleeper.workflowId, sleeper.running);
    }
  }

  private final AtomicInteger heldWaits = new AtomicInteger();

  /**
   * Takes one of the {@link EngineConfig#maxHeldWaits} places for a wait that keeps its thread;
   * false when all are taken (the wait should park). Give it back with {@link #releaseThread}.
   */
  boolean holdThread() {
    while (true) {
      int held = heldWaits.get();
      if (held >= config.maxHeldWaits()) {
        return false;
      }
      if (heldWaits.compareAndSet(held, held + 1)) {
        return true;
      }
    }
  }

  void releaseThread() {
    heldWaits.decrementAndGet();
  }

  long threadHoldMillis() {
    Duration hold = config.threadHold();
    return hold == null ? Long.MAX_VALUE : hold.toMillis();
  }

  /**
   * The top-level execution to park for a wait in {@code context}, or null when it must keep its
   * thread: parking is switched off, notifications are not being received (nothing would wake it),
   * or the workflow cannot be started again by replay (not registered, or a step run as one).
   */
  WorkflowContext parkableRoot(WorkflowContext context) {
    if (config.threadHold() == null || !lifecycle.isRunning() || !hub.listening()) {
      return null;
    }
    WorkflowContext root = context.root();
    WorkflowDefinition definition = root.definition;
    if (!root.running.replayable
        || definition.wrapsStep()
        || definition.invoker() == null
        || !registry.isRegistered(definition)) {
      return null;
    }
    return root;
  }

  /**
   * Subscribes {@code root}'s execution to what wakes it, before its wait looks in the database for
   * the last time: until {@code wakeAt}, or the notification on {@code channel} with {@code
   * payload} (null: a sleep). Then {@link #park} it, or {@link ParkedWorkflows#forget} it.
   */
  ParkedWorkflows.Parked prepare(
      WorkflowContext root, long wakeAt, String channel, String payload) {
    return parked.prepare(root.workflowId, root.running, wakeAt, channel, payload);
  }

  /**
   * Marks {@code sleeper}'s execution as parking, and returns the signal that unwinds its thread.
   */
  ParkSignal park(ParkedWorkflows.Parked sleeper) {
    RunningWorkflow running = sleeper.running;
    running.pendingPark = sleeper;
    running.parking = true;
    return ParkSignal.PARK;
  }

  /**
   * Parks an execution whose thread has just unwound its body.
   *
   * @return false when it cannot park (the engine stops): it then ends as interrupted
   */
  boolean parkUnwound(RunningWorkflow running) {
    ParkedWorkflows.Parked sleeper = running.pendingPark;
    running.pendingPark = null;
    running.parking = false;
    if (sleeper == null || !lifecycle.isRunning()) {
      if (sleeper != null) {
        parked.forget(sleeper);
      }
      return false;
    }
    parkWhileRunning(sleeper);
    return true;
  }

  /** Parks a workflow; if the engine stopped meanwhile, ends it as close() ends parked ones. */
  void parkWhileRunning(ParkedWorkflows.Parked sleeper) {
    parked.park(sleeper);
    if (!lifecycle.isRunning()) {
      // close() may have drained the parked ones before this one came.
      for (ParkedWorkflows.Parked left : parked.drain()) {
        abandon(left.workflowId, left.running);
      }
    }
  }

  /**
   * Puts aside a workflow that stopped because the database could not be reached, to resume it by
   * replay after a growing pause (250 ms doubling to 5 s), or as soon as the notification listener
   * reconnects: an outage delays workflows instead of leaving them PENDING until the next start.
   * Its callers keep waiting.
   *
   * @return whether it was put aside
   */
  boolean retryAfterOutage(String workflowId, RunningWorkflow running, Throwable failure) {
    if (!resumableByReplay(running)
        // Only a failure that left it PENDING: one the body let through was recorded as ERROR.
        || !(failure instanceof DBOSInterruptedException
            || failure instanceof DBOSSystemDatabaseException)
        || !ConnectionFailures.isOutage(failure)) {
      return false;
    }
    long pause = Math.min(5_000, 250L << Math.min(running.outages++, 5));
    LOG.log(
        Level.WARNING,
        "Workflow ''{0}'' stopped because the database could not be reached ({1}); it stays"
            + " PENDING and resumes from its last completed step in {2} ms",
        workflowId,
        Failures.rootMessage(failure),
        pause);
    parkWhileRunning(parked.prepare(workflowId, running, services.now() + pause, null, null));
    return true;
  }

  /**
   * Whether an execution that stopped here, left PENDING, can be started again by replay in this
   * engine now: it runs, nobody cancelled the workflow or took it over, and it was started from its
   * recorded inputs by a registered definition.
   */
  private boolean resumableByReplay(RunningWorkflow running) {
    WorkflowDefinition definition = running.definition();
    return lifecycle.isRunning()
        && !running.cancelled()
        && running.movedTo == null
        && running.replayable
        && definition.invoker() != null
        && registry.isRegistered(definition);
  }

  /**
   * Hands to the executor a workflow that its caller's interrupt stopped on the caller's thread: it
   * goes on from its last completed step, as it would have on the executor, where the interrupt
   * would not have reached it. Its callers keep waiting.
   *
   * @return whether it was handed over
   */
  boolean resumeAfterCallersInterrupt(
      String workflowId, RunningWorkflow running, Throwable failure) {
    if (!(failure instanceof DBOSInterruptedException) || !resumableByReplay(running)) {
      return false;
    }
    LOG.log(
        Level.DEBUG,
        "Workflow ''{0}'' was interrupted by its caller, on whose thread it ran; it goes on from"
            + " its last completed step on the executor",
        workflowId);
    resume.accept(parked.prepare(workflowId, running, services.now(), null, null));
    return true;
  }

  /** Ends an execution that parked when the engine stops: it stays PENDING in the database. */
  void abandon(String workflowId, RunningWorkflow running) {
    active.remove(workflowId, running);
    running.outcome().completeExceptionally(Failures.stoppedWhileWaiting(workflowId));
  }

  /** How often parked workflows are checked for a cancellation that notified nobody. */
  private static final long PARKED_SWEEP_MS = 2_000;

  /**
   * How many parked workflows one check looks at: beyond that, successive checks take them in
   * turns, so that a hundred thousand parked do not send a hundred thousand ids every two seconds.
   */
  static final int PARKED_SWEEP_BATCH = 10_000;

  /**
   * Every {@link #PARKED_SWEEP_MS}, one query over (up to {@link #PARKED_SWEEP_BATCH} of) the
   * parked workflows wakes those that were cancelled by SQL or another process (a DBOS client's
   * cancel sends no notification), finished elsewhere, or taken over: they end then instead of at
   * the end of their wait.
   */
  final NotificationHub.Timer parkedSweep =
      new NotificationHub.Timer() {
        private final AtomicBoolean sweeping = new AtomicBoolean();
        private volatile long next;

        @Override
        public long millisUntilDue() {
          return parked.size() == 0 ? Long.MAX_VALUE : Math.max(0, next - services.now());
        }

        @Override
        public void timer() {
          long current = services.now();
          if (current < next || parked.size() == 0 || !sweeping.compareAndSet(false, true)) {
            return;
          }
          next = current + PARKED_SWEEP_MS;
          try {
            executor.execute(
                () -> {
                  try {
                    List<String> ids =
                        parked.nextToCheck(PARKED_SWEEP_BATCH).stream()
                            .map(p -> p.workflowId)
                            .toList();
                    for (String id : db.notRunningHere(ids, config.executorId())) {
                      RunningWorkflow running = active.get(id);
                      if (running != null) {
                        parked.wake(running);
                      }
                    }
                  } catch (RuntimeException e) {
                    LOG.log(Level.DEBUG, "could not check the parked workflows", e);
                  } finally {
                    sweeping.set(false);
                  }
                });
          } catch (RejectedExecutionException e) {
            sweeping.set(false);
          }
        }
      };
}
