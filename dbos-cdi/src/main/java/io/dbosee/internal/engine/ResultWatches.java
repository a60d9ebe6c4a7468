package io.dbosee.internal.engine;

import io.dbosee.DBOSInterruptedException;
import io.dbosee.DBOSNonExistentWorkflowException;
import io.dbosee.DBOSSystemDatabaseException;
import io.dbosee.WorkflowState;
import io.dbosee.internal.engine.db.ConnectionFailures;
import io.dbosee.internal.engine.db.SystemDatabase;
import io.dbosee.internal.engine.db.WorkflowRow;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Workflow outcomes awaited without a thread ({@code WorkflowHandle.getResultAsync}). A workflow
 * executing here completes its watchers as it ends. One that runs on another server, waits in a
 * queue or has not started is looked at again when a workflow of that id finishes here, and, for
 * all such watchers in one query, every result poll interval on the notification hub's timer.
 *
 * <p>The stage a watcher gets completes on the thread that learned the outcome: the executor thread
 * that ran the workflow, or an executor task of the poll, never the hub's listener.
 */
final class ResultWatches implements NotificationHub.Timer {
  private static final System.Logger LOG = System.getLogger(ResultWatches.class.getName());

  /** One caller's wait: how to read the outcome, and the stage to complete. */
  private record Waiter(WorkflowDefinition definition, CompletableFuture<Object> stage) {}

  private final EngineServices services;
  private final SystemDatabase db;
  private final Map<String, RunningWorkflow> active;
  private final WorkflowOutcomes outcomes;

  /** Waiters for workflows not executing here, by workflow id. */
  private final Map<String, Set<Waiter>> watched = new ConcurrentHashMap<>();

  private final AtomicBoolean polling = new AtomicBoolean();
  private volatile long nextPollNanos = System.nanoTime();
  private volatile boolean stopped;

  ResultWatches(EngineServices services, WorkflowOutcomes outcomes) {
    this.services = services;
    this.db = services.db;
    this.active = services.active;
    this.outcomes = outcomes;
  }

  /**
   * A stage completed with the workflow's outcome: its result, or the exception it ended with
   * (cancelled, too many recoveries, or its own), as {@code getResult} would return or throw it.
   */
  CompletableFuture<Object> watch(String workflowId, WorkflowDefinition definition) {
    Waiter waiter = new Waiter(definition, new CompletableFuture<>());
    if (stopped) {
      waiter.stage.completeExceptionally(stoppedWaiting(workflowId));
    } else {
      follow(workflowId, waiter);
    }
    return waiter.stage;
  }

  /**
   * A workflow of that id finished here: its watchers get its result when it succeeded, or read its
   * recorded outcome ({@code succeeded} null).
   */
  void finished(String workflowId, WorkflowOutcomes.Succeeded succeeded) {
    if (!watched.containsKey(workflowId)) {
      return;
    }
    if (succeeded == null) {
      look(workflowId);
    } else {
      complete(workflowId, waiter -> waiter.stage.complete(succeeded.value()));
    }
  }

  /** Ends every wait: the engine stops; the workflows go on (or resume at the next start). */
  void stop() {
    stopped = true;
    for (String workflowId : List.copyOf(watched.keySet())) {
      Set<Waiter> waiters = watched.remove(workflowId);
      if (waiters != null) {
        DBOSInterruptedException stopped = stoppedWaiting(workflowId);
        waiters.forEach(w -> w.stage.completeExceptionally(stopped));
      }
    }
  }

  private void follow(String workflowId, Waiter waiter) {
    RunningWorkflow running = active.get(workflowId);
    if (running == null) {
      watchRecorded(workflowId, waiter);
      return;
    }
    running
        .outcome()
        .whenComplete(
            (value, failure) -> {
              Throwable cause =
                  failure instanceof CompletionException ? failure.getCause() : failure;
              if (cause == null) {
                waiter.stage.complete(value);
              } else if (cause instanceof ParkSignal) {
                // A child parked with its parent: its outcome is recorded when they resume.
                watchRecorded(workflowId, waiter);
              } else {
                waiter.stage.completeExceptionally(cause);
              }
            });
  }

  private void watchRecorded(String workflowId, Waiter waiter) {
    // Registered before the read, so that a finish between the read and now is not missed.
    watched.computeIfAbsent(workflowId, id -> ConcurrentHashMap.newKeySet()).add(waiter);
    waiter.stage.whenComplete((value, failure) -> forget(workflowId, waiter));
    if (stopped) {
      waiter.stage.completeExceptionally(stoppedWaiting(workflowId));
      return;
    }
    look(workflowId);
  }

  private void forget(String workflowId, Waiter waiter) {
    watched.computeIfPresent(
        workflowId,
        (id, waiters) -> {
          waiters.remove(waiter);
          return waiters.isEmpty() ? null : waiters;
        });
  }

  /**
   * Reads the workflow and completes its watchers if it finished. While it executes here, its end
   * calls {@link #finished}; while the database cannot be reached, the next poll looks again.
   */
  private void look(String workflowId) {
    if (active.containsKey(workflowId)) {
      return;
    }
    Optional<WorkflowRow> row;
    try {
      row = db.readWorkflow(workflowId);
    } catch (DBOSSystemDatabaseException e) {
      if (!ConnectionFailures.isOutage(e)) {
        complete(workflowId, waiter -> waiter.stage.completeExceptionally(e));
      }
      return;
    }
    if (row.isEmpty()) {
      complete(
          workflowId,
          waiter ->
              waiter.stage.completeExceptionally(new DBOSNonExistentWorkflowException(workflowId)));
    } else if (WorkflowState.valueOf(row.get().status()).isFinal()) {
      complete(workflowId, waiter -> completeRecorded(waiter, row.get()));
    }
  }

  private void completeRecorded(Waiter waiter, WorkflowRow row) {
    try {
      waiter.stage.complete(outcomes.recordedOutcome(row, waiter.definition));
    } catch (Throwable t) {
      waiter.stage.completeExceptionally(t);
    }
  }

  private void complete(String workflowId, java.util.function.Consumer<Waiter> completion) {
    Set<Waiter> waiters = watched.get(workflowId);
    if (waiters != null) {
      // A copy: each completion removes its waiter from the set.
      new ArrayList<>(waiters).forEach(completion);
    }
  }

  @Override
  public long millisUntilDue() {
    if (watched.isEmpty()) {
      return Long.MAX_VALUE;
    }
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(nextPollNanos - System.nanoTime()));
  }

  /** Every result poll interval: one query finds which watched workflows are still unfinished. */
  @Override
  public void timer() {
    long now = System.nanoTime();
    if (watched.isEmpty() || now - nextPollNanos < 0 || !polling.compareAndSet(false, true)) {
      return;
    }
    nextPollNanos = now + services.config.resultPollInterval().toNanos();
    try {
      services.executor.execute(
          () -> {
            try {
              poll();
            } finally {
              polling.set(false);
            }
          });
    } catch (RejectedExecutionException e) {
      polling.set(false);
    }
  }

  private void poll() {
    Set<String> ids = new HashSet<>(watched.keySet());
    ids.removeAll(active.keySet());
    if (ids.isEmpty()) {
      return;
    }
    try {
      ids.removeAll(db.unfinished(ids));
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "could not look at the workflows whose results are awaited", e);
      return;
    }
    ids.forEach(this::look);
  }

  private static DBOSInterruptedException stoppedWaiting(String workflowId) {
    return new DBOSInterruptedException(
        workflowId,
        "The application stopped while waiting for the result of workflow '"
            + workflowId
            + "'; only the wait ended: the workflow goes on (or resumes from its last completed"
            + " step when the application starts again).");
  }
}
