package io.dbosee.internal.engine;

import io.dbosee.DBOSInterruptedException;
import io.dbosee.DBOSWorkflowCancelledException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waiting inside a workflow: a durable sleep, and waits for a notification (a message, an event, a
 * stream value). A cancellation or the workflow's deadline ends a wait and the workflow; a wait
 * that holds its thread longer than the thread hold parks the workflow instead.
 */
final class DurableWaits {
  private final EngineServices services;
  private final TimeSource time;
  private final ThreadHandoffs threads;
  private final Cancellation cancellation;
  private final DurableOperations operations;
  private final WorkflowParking parking;

  DurableWaits(
      EngineServices services,
      Cancellation cancellation,
      DurableOperations operations,
      WorkflowParking parking) {
    this.services = services;
    this.time = services.time;
    this.threads = services.threads;
    this.cancellation = cancellation;
    this.operations = operations;
    this.parking = parking;
  }

  /**
   * How long a wait for a message or an event lasts at most before it looks in the database again:
   * notifications wake it sooner; this only bounds what a missed one costs.
   */
  private volatile long waitPollMillis = 1000;

  /**
   * A wait for a notification: its channel and payload, and when it began (for the thread hold).
   */
  record Wait(String channel, String payload, long startedAt) {}

  /**
   * Sleeps durably: the wake-up time is recorded first, so a replay after a restart sleeps only
   * what remains. Outside a workflow, or inside a step, it is a plain sleep.
   */
  void sleep(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("cannot sleep for a negative duration: " + duration);
    }
    WorkflowContext context = threads.context();
    if (context == null || context.inStep()) {
      pause(null, duration);
      return;
    }
    long wakeAt = operations.wakeUp(operations.begin(context), duration);
    long until = Math.min(wakeAt, context.deadline);
    long remaining = until - services.now();
    if (remaining > 0) {
      boolean held = remaining <= parking.threadHoldMillis() && parking.holdThread();
      WorkflowContext root = held ? null : parking.parkableRoot(context);
      if (root != null) {
        throw parking.park(parking.prepare(root, until, null, null));
      }
      try {
        pauseInWorkflow(context, Duration.ofMillis(remaining));
      } finally {
        if (held) {
          parking.releaseThread();
        }
      }
    }
    cancellation.checkNotCancelled(context);
  }

  /** Sleeps in a workflow; a cancellation wakes it and ends the workflow. */
  private void pauseInWorkflow(WorkflowContext context, Duration duration) {
    RunningWorkflow running = context.running;
    running.waiting = Thread.currentThread();
    try {
      if (running.cancelled()) {
        throw new DBOSWorkflowCancelledException(context.workflowId);
      }
      time.sleep(duration);
    } catch (InterruptedException e) {
      if (running.cancelled()) {
        Thread.interrupted(); // the interrupt was the cancellation's, not a stop's
        throw new DBOSWorkflowCancelledException(context.workflowId);
      }
      Thread.currentThread().interrupt();
      throw new DBOSInterruptedException(
          context.workflowId,
          "Workflow '"
              + context.workflowId
              + "' was interrupted while sleeping; it stays PENDING and resumes when the"
              + " application starts again.");
    } finally {
      running.waiting = null;
    }
  }

  /**
   * Waits for a signal, at most {@code millis} and the poll interval. In a workflow a cancellation
   * wakes it and ends the workflow; so does its deadline. A workflow that has waited longer than
   * the thread hold, or finds every place for a held wait taken, is parked instead: it gives its
   * thread back and is resumed by the next notification of {@code wait}, or at the end of {@code
   * millis} (a null {@code wait} never parks).
   */
  void awaitSignal(
      WorkflowContext context, CompletableFuture<Void> signal, long millis, Wait wait) {
    long pause = Math.max(1, Math.min(millis, waitPollMillis));
    if (context != null && context.deadline != Long.MAX_VALUE) {
      pause = Math.max(1, Math.min(pause, context.deadline - services.now()));
    }
    WorkflowContext root = context == null || wait == null ? null : parking.parkableRoot(context);
    boolean holding = false;
    if (root != null) {
      long now = services.now();
      long held = now - wait.startedAt();
      long hold = parking.threadHoldMillis();
      // Past the hold, or with every place for a held wait taken: park now.
      holding = held < hold && parking.holdThread();
      if (!holding) {
        // Subscribed before looking at the first signal, so no notification falls in between.
        ParkedWorkflows.Parked sleeper =
            parking.prepare(
                root, Math.min(now + millis, context.deadline), wait.channel(), wait.payload());
        if (signal.isDone()) {
          parking.parked().forget(sleeper);
          return; // notified meanwhile: look again
        }
        throw parking.park(sleeper);
      }
      pause = Math.max(1, Math.min(pause, hold - held));
    }
    RunningWorkflow running = context == null ? null : context.running;
    if (running != null) {
      running.waiting = Thread.currentThread();
    }
    try {
      if (running != null && running.cancelled()) {
        throw new DBOSWorkflowCancelledException(context.workflowId);
      }
      signal.get(pause, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // look again
    } catch (InterruptedException e) {
      if (running != null && running.cancelled()) {
        Thread.interrupted();
        throw new DBOSWorkflowCancelledException(context.workflowId);
      }
      Thread.currentThread().interrupt();
      String id = context == null ? null : context.workflowId;
      throw new DBOSInterruptedException(
          id,
          id == null
              ? "Interrupted while waiting"
              : "Workflow '"
                  + id
                  + "' was interrupted while waiting; it stays PENDING and resumes when the"
                  + " application starts again.");
    } finally {
      if (running != null) {
        running.waiting = null;
      }
      if (holding) {
        parking.releaseThread();
      }
    }
    if (context != null) {
      cancellation.checkNotCancelled(context);
    }
  }

  /** Sleeps, turning an interrupt into "stop here and stay PENDING". */
  void pause(String workflowId, Duration duration) {
    try {
      time.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DBOSInterruptedException(
          workflowId,
          workflowId == null
              ? "Interrupted while sleeping"
              : "Workflow '"
                  + workflowId
                  + "' was interrupted while sleeping; it stays PENDING and resumes when the"
                  + " application starts again.");
    }
  }

  long pollMillis() {
    return waitPollMillis;
  }

  /** For tests: a long interval shows that a wait was woken by a notification. */
  void setWaitPollInterval(Duration interval) {
    this.waitPollMillis = interval.toMillis();
  }
}
