package io.dbosee.internal.engine;

import io.dbosee.DBOSAwaitTimeoutException;
import io.dbosee.DBOSInterruptedException;
import io.dbosee.DBOSMaxRecoveryAttemptsExceededException;
import io.dbosee.DBOSNonExistentWorkflowException;
import io.dbosee.DBOSSystemDatabaseException;
import io.dbosee.DBOSWorkflowCancelledException;
import io.dbosee.WorkflowState;
import io.dbosee.internal.engine.db.ConnectionFailures;
import io.dbosee.internal.engine.db.SystemDatabase;
import io.dbosee.internal.engine.db.WorkflowRow;
import io.dbosee.internal.errors.ErrorCode;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A workflow's outcome: awaited while it runs, here or on another server, and read back once it is
 * recorded.
 */
final class WorkflowOutcomes {
  private static final ClassLoader LOADER = WorkflowOutcomes.class.getClassLoader();

  private final EngineServices services;
  private final EngineConfig config;
  private final SystemDatabase db;
  private final Map<String, RunningWorkflow> active;

  WorkflowOutcomes(EngineServices services) {
    this.services = services;
    this.config = services.config;
    this.db = services.db;
    this.active = services.active;
    this.watches = new ResultWatches(services, this);
  }

  /** Callers awaiting outcomes without a thread. */
  private final ResultWatches watches;

  ResultWatches watches() {
    return watches;
  }

  /** The outcome as a stage that completes when the workflow finishes, holding no thread. */
  CompletableFuture<Object> outcomeAsync(String workflowId, WorkflowDefinition definition) {
    return watches.watch(workflowId, definition);
  }

  /**
   * Waiters for workflows that run elsewhere or have not started here yet, completed when a
   * workflow of that id finishes on this server; waiters for other servers' workflows also poll.
   */
  private final Map<String, CompletableFuture<Succeeded>> finishSignals = new ConcurrentHashMap<>();

  /**
   * The result of a workflow that succeeded here, its success recorded: handed to the callers that
   * waited for it, so that none reads back what this server has just written. Failures are read
   * back: an execution may end here with an exception that is not the recorded outcome (the engine
   * stopped, the database could not be reached), while the workflow goes on.
   */
  record Succeeded(Object value) {}

  /**
   * The recorded outcome of a finished workflow. Without a definition (a workflow this application
   * does not register) the result is read as plain JSON values.
   *
   * @throws IllegalStateException ({@link ErrorCode#MISSING_PAYLOAD}) if it ended SUCCESS or ERROR
   *     but its output and error are recorded nowhere any more
   */
  Object recordedOutcome(WorkflowRow row, WorkflowDefinition definition) {
    if (row.outcomeMissing()) {
      throw ErrorCode.MISSING_PAYLOAD.illegalState(
          "Workflow '"
              + row.workflowId()
              + "' ended "
              + row.status()
              + " but its outcome is no longer recorded: \""
              + db.schema()
              + "\".workflow_output has no row for it. A DBOS SDK's retention, or a manual delete,"
              + " removed it while the workflow_status row stayed, so there is no result or"
              + " error to return (returning null would pass for one). Start the workflow again"
              + " to compute it, or delete the workflow.");
    }
    Type returnType = definition == null ? Object.class : definition.resultType();
    ClassLoader loader = definition == null ? LOADER : definition.classLoader();
    return switch (WorkflowState.valueOf(row.status())) {
      case SUCCESS -> services.read(row.serialization()).deserialize(row.output(), returnType);
      case ERROR ->
          throw Outcomes.<RuntimeException>sneakyThrow(
              services.read(row.serialization()).deserializeError(row.error(), loader));
      case CANCELLED -> throw new DBOSWorkflowCancelledException(row.workflowId());
      case MAX_RECOVERY_ATTEMPTS_EXCEEDED ->
          throw new DBOSMaxRecoveryAttemptsExceededException(
              row.workflowId(), definition == null ? -1 : definition.maxRecoveryAttempts());
      default ->
          throw new IllegalStateException(
              "workflow " + row.workflowId() + " is not finished: " + row.status());
    };
  }

  /**
   * Waits until the workflow finishes, here or on another server, and returns its outcome. A
   * workflow running here is awaited directly; one that runs elsewhere (or has not started) is read
   * again when a workflow of that id finishes here, and at least every result poll interval.
   *
   * @param deadline {@link System#nanoTime()} to give up at, or Long.MAX_VALUE
   * @param timeout what the deadline came from, for the message
   * @param joinLocal whether to join an execution of this id running here
   */
  Object awaitOutcome(
      String workflowId,
      WorkflowDefinition definition,
      long deadline,
      Duration timeout,
      boolean joinLocal)
      throws Exception {
    int outages = 0;
    while (true) {
      RunningWorkflow running = joinLocal ? active.get(workflowId) : null;
      if (running != null) {
        return await(workflowId, running.outcome(), deadline, timeout);
      }
      // Registered before the read, so that a finish between the read and the wait is not missed.
      CompletableFuture<Succeeded> signal =
          finishSignals.computeIfAbsent(workflowId, id -> new CompletableFuture<>());
      long wait = config.resultPollInterval().toNanos();
      try {
        WorkflowRow row =
            db.readWorkflow(workflowId)
                .orElseThrow(() -> new DBOSNonExistentWorkflowException(workflowId));
        outages = 0;
        if (WorkflowState.valueOf(row.status()).isFinal()) {
          finishSignals.remove(workflowId, signal);
          return recordedOutcome(row, definition);
        }
      } catch (DBOSSystemDatabaseException e) {
        if (!ConnectionFailures.isOutage(e)) {
          finishSignals.remove(workflowId, signal);
          throw e;
        }
        // The workflow rides out the outage; so does its caller, reading again after a pause.
        wait = TimeUnit.MILLISECONDS.toNanos(Math.min(5_000, 250L << Math.min(outages++, 5)));
      }
      if (joinLocal && active.containsKey(workflowId)) {
        continue;
      }
      if (deadline != Long.MAX_VALUE) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          finishSignals.remove(workflowId, signal);
          throw new DBOSAwaitTimeoutException(workflowId, timeout);
        }
        wait = Math.min(wait, remaining);
      }
      try {
        Succeeded succeeded = signal.get(wait, TimeUnit.NANOSECONDS);
        if (succeeded != null) {
          return succeeded.value();
        }
      } catch (TimeoutException e) {
        // poll again
      } catch (InterruptedException e) {
        finishSignals.remove(workflowId, signal);
        throw interruptedWaiting(workflowId);
      }
    }
  }

  /** A workflow of that id finished here: its waiters read its recorded outcome. */
  void signalFinished(String workflowId) {
    signalFinished(workflowId, null);
  }

  /**
   * A workflow of that id finished here.
   *
   * @param succeeded its result when it succeeded and that was recorded; null: waiters read the
   *     recorded outcome
   */
  void signalFinished(String workflowId, Succeeded succeeded) {
    CompletableFuture<Succeeded> signal = finishSignals.remove(workflowId);
    if (signal != null) {
      signal.complete(succeeded);
    }
    watches.finished(workflowId, succeeded);
  }

  WorkflowRow readWorkflow(String workflowId) {
    return db.readWorkflow(workflowId)
        .orElseThrow(
            () ->
                new DBOSSystemDatabaseException(
                    "Workflow '" + workflowId + "' was deleted while it was being awaited.", null));
  }

  static Object await(
      String workflowId, CompletableFuture<Object> future, long deadline, Duration timeout)
      throws Exception {
    try {
      if (deadline == Long.MAX_VALUE) {
        return future.get();
      }
      return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw Outcomes.<Exception>sneakyThrow(e.getCause());
    } catch (TimeoutException e) {
      throw new DBOSAwaitTimeoutException(workflowId, timeout);
    } catch (InterruptedException e) {
      throw interruptedWaiting(workflowId);
    }
  }

  /** Keeps the caller's interrupt and says that only the wait ended, not the workflow. */
  private static DBOSInterruptedException interruptedWaiting(String workflowId) {
    Thread.currentThread().interrupt();
    return new DBOSInterruptedException(
        workflowId,
        "Interrupted while waiting for workflow '"
            + workflowId
            + "'; the workflow itself goes on.");
  }
}
