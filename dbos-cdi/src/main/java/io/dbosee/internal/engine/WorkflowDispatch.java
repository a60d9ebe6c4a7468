package io.dbosee.internal.engine;

import io.dbosee.DBOSInterruptedException;
import io.dbosee.DBOSNonExistentWorkflowException;
import io.dbosee.DBOSSerializationException;
import io.dbosee.WorkflowState;
import io.dbosee.internal.engine.db.FinalStatus;
import io.dbosee.internal.engine.db.QueueDatabase;
import io.dbosee.internal.engine.db.SystemDatabase;
import io.dbosee.internal.engine.db.WorkflowRow;
import io.dbosee.internal.engine.serialization.Serializer;
import io.dbosee.internal.errors.ErrorCode;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs recorded workflows on executor threads: dequeued ones, recovered or resumed ones, and parked
 * ones that were woken. Each is started from its recorded inputs through its invoker (the bean's
 * client proxy, so that every interceptor applies), and replays what it recorded.
 */
final class WorkflowDispatch {
  private static final System.Logger LOG = System.getLogger(WorkflowDispatch.class.getName());

  private final EngineServices services;
  private final EngineConfig config;
  private final SystemDatabase db;
  private final Serializer serializer;
  private final Executor executor;
  private final EngineLifecycle lifecycle;
  private final WorkflowRegistry registry;
  private final ThreadHandoffs threads;
  private final Map<String, RunningWorkflow> active;
  private final QueueRegistry queues;
  private final WorkflowOutcomes outcomes;
  private final WorkflowParking parking;
  private final WorkflowLauncher launcher;

  WorkflowDispatch(
      EngineServices services,
      QueueRegistry queues,
      WorkflowOutcomes outcomes,
      WorkflowParking parking,
      WorkflowLauncher launcher) {
    this.services = services;
    this.config = services.config;
    this.db = services.db;
    this.serializer = services.serializer;
    this.executor = services.executor;
    this.lifecycle = services.lifecycle;
    this.registry = services.registry;
    this.threads = services.threads;
    this.active = services.active;
    this.queues = queues;
    this.outcomes = outcomes;
    this.parking = parking;
    this.launcher = launcher;
  }

  /** Starts a workflow the queue runner claimed for this server. */
  void startClaimed(QueueDatabase.Claimed claimed) {
    WorkflowRow row = claimed.row();
    SystemDatabase.InitResult init =
        new SystemDatabase.InitResult(row, false, claimed.hasOperations());
    WorkflowDefinition definition = registry.get(row.className(), row.name());
    QueueDefinition queue = queues.queue(row.queueName()).orElse(null);
    Object[] arguments = definition == null ? null : readArguments(row, definition);
    if (arguments == null) {
      queues.finished(queue);
      return;
    }
    countDequeue(row);
    services.claimed.handedOver(row.workflowId());
    try {
      executor.execute(
          () -> {
            boolean parkedNow = false;
            try {
              parkedNow =
                  invokeRecorded(row.workflowId(), definition, arguments, row.inputs(), init);
            } finally {
              services.claimed.started(row.workflowId());
              if (!parkedNow) {
                queues.finished(queue); // a parked one still holds its slot; it frees it later
              }
            }
          });
    } catch (RejectedExecutionException e) {
      services.claimed.started(row.workflowId());
      LOG.log(
          Level.WARNING,
          "The executor refused queued workflow ''{0}''; it goes back on its queue when the"
              + " application starts again: {1}",
          row.workflowId(),
          e.toString());
    }
  }

  /**
   * Counts a dequeue and its wait; the first one of a workflow (its first start counted by the
   * claim) is the workflow's start, a later one (after a recovery put it back) is not.
   */
  private void countDequeue(WorkflowRow row) {
    EngineMetrics metrics = services.metrics();
    if (metrics != null) {
      metrics.dequeued(row.queueName(), Math.max(0, services.now() - row.createdAt()));
      if (row.recoveryAttempts() == 1) {
        metrics.workflowStarted(row.name());
      }
    }
  }

  /** Hands a woken workflow to the executor, which resumes it by replay. */
  void resumeParked(ParkedWorkflows.Parked sleeper) {
    try {
      executor.execute(() -> resumeNow(sleeper));
    } catch (RejectedExecutionException e) {
      parking.abandon(sleeper.workflowId, sleeper.running);
    }
  }

  private void resumeNow(ParkedWorkflows.Parked sleeper) {
    String workflowId = sleeper.workflowId;
    RunningWorkflow running = sleeper.running;
    if (!lifecycle.isRunning()) {
      parking.abandon(workflowId, running);
      return;
    }
    WorkflowDefinition definition = running.definition();
    Optional<SystemDatabase.InitResult> found;
    try {
      found = db.readRecorded(workflowId);
    } catch (RuntimeException e) {
      // The database is unreachable: look again in a moment, still without a thread.
      if (!parking.retryAfterOutage(workflowId, running, e)) {
        active.remove(workflowId, running);
        running.outcome().completeExceptionally(e);
      }
      return;
    }
    if (found.isEmpty()) {
      active.remove(workflowId, running);
      running.outcome().completeExceptionally(new DBOSNonExistentWorkflowException(workflowId));
      outcomes.signalFinished(workflowId);
      return;
    }
    WorkflowRow row = found.get().row();
    if (WorkflowState.valueOf(row.status()) == WorkflowState.PENDING
        && !config.executorId().equals(row.executorId())) {
      active.remove(workflowId, running);
      running
          .outcome()
          .completeExceptionally(
              new DBOSInterruptedException(
                  workflowId,
                  "Workflow '"
                      + workflowId
                      + "' was taken over by server '"
                      + row.executorId()
                      + "' while it waited here; it goes on there."));
      return;
    }
    Object[] arguments = readArguments(row, definition);
    if (arguments == null) {
      // Recorded as failed by readArguments: its waiters get that outcome.
      active.remove(workflowId, running);
      try {
        running
            .outcome()
            .complete(outcomes.recordedOutcome(outcomes.readWorkflow(workflowId), definition));
      } catch (Exception | Error e) {
        running.outcome().completeExceptionally(e);
      }
      outcomes.signalFinished(workflowId);
      return;
    }
    threads.here().resuming = running;
    boolean parkedAgain =
        invokeRecorded(workflowId, definition, arguments, row.inputs(), found.get());
    if (!parkedAgain && row.queueName() != null) {
      queues.finished(queues.queue(row.queueName()).orElse(null));
    }
  }

  /**
   * Runs a PENDING workflow of this executor now, on the executor (resumed or forked); a workflow
   * not registered here stays PENDING for a server that has it.
   */
  void runPending(WorkflowRow row) {
    WorkflowDefinition definition = registry.get(row.className(), row.name());
    if (definition == null) {
      LOG.log(
          Level.WARNING,
          ErrorCode.UNREGISTERED_WORKFLOW.message(
              "Workflow ''{0}'' is PENDING again but {1}/{2} is not registered here; a server"
                  + " that has it recovers it."),
          row.workflowId(),
          row.className(),
          row.name());
      return;
    }
    Object[] arguments = readArguments(row, definition);
    if (arguments != null) {
      executor.execute(
          () -> invokeRecorded(row.workflowId(), definition, arguments, row.inputs(), null));
    }
  }

  /**
   * The recorded arguments, or null when they are missing or unreadable: the workflow is then
   * recorded as failed, with the reason as its error.
   */
  Object[] readArguments(WorkflowRow row, WorkflowDefinition definition) {
    if (row.inputs() == null) {
      recordCannotStart(
          row,
          ErrorCode.MISSING_PAYLOAD.illegalState(
              "Workflow '"
                  + row.workflowId()
                  + "' ("
                  + row.className()
                  + "/"
                  + row.name()
                  + ") cannot start: its inputs are no longer recorded (\""
                  + db.schema()
                  + "\".workflow_input has no row for it and its workflow_status row has none)."
                  + " Either a DBOS SDK's retention or a manual delete removed them while the"
                  + " status row stayed, or a client that predates migration 109 (such as DBOS"
                  + " Java 1.1) forked it from a workflow written since, and copied no inputs. It"
                  + " is recorded as ERROR; start it again with its arguments, or fork it with"
                  + " this library or a current client."),
          null);
      return null;
    }
    try {
      return services
          .read(row.serialization())
          .deserializeArguments(
              row.inputs(), definition.parameterTypes(), definition.parameterNames());
    } catch (DBOSSerializationException e) {
      recordCannotStart(
          row,
          ErrorCode.UNREADABLE_WORKFLOW_INPUTS.exception(
              DBOSSerializationException::new,
              "Workflow '"
                  + row.workflowId()
                  + "' ("
                  + row.className()
                  + "/"
                  + row.name()
                  + ") cannot start: its recorded inputs cannot be read as the method's"
                  + " parameters. "
                  + e.getMessage()
                  + " It is recorded as ERROR; start it again with readable arguments.",
              e),
          e);
      return null;
    }
  }

  /** Logs why a recorded workflow cannot start and records that as its error. */
  private void recordCannotStart(WorkflowRow row, RuntimeException reason, Throwable cause) {
    LOG.log(Level.ERROR, reason.getMessage(), cause);
    db.finishWorkflow(
        row.workflowId(),
        FinalStatus.error(serializer.serializeError(reason), serializer.name()),
        services.now());
  }

  /**
   * Runs a recorded workflow (recovered, dequeued or resumed after it parked) on this executor
   * thread.
   *
   * @return whether it parked: it has not finished, and no thread runs it until it is woken
   */
  boolean invokeRecorded(
      String workflowId,
      WorkflowDefinition definition,
      Object[] arguments,
      String inputs,
      SystemDatabase.InitResult claimed) {
    try {
      if (definition.wrapsStep()) {
        // No workflow interceptor to go through: the engine is the workflow, the invoker the step.
        launcher.runTopLevel(
            new ExecutionRequest(
                definition,
                workflowId,
                inputs,
                () -> definition.invoker().invoke(arguments),
                null,
                claimed),
            WorkflowLauncher.Placement.DISPATCHED);
      } else {
        ThreadHandoffs.OnThread thread = threads.here();
        thread.dispatched = true;
        thread.claimed = claimed;
        try (ThreadScope scope = threads.assignWorkflowId(workflowId)) {
          definition.invoker().invoke(arguments);
        }
      }
    } catch (ParkSignal parked) {
      return true;
    } catch (DBOSInterruptedException e) {
      LOG.log(Level.DEBUG, "Workflow ''{0}'' was interrupted", workflowId);
    } catch (Throwable t) {
      // Its outcome is recorded; the log says it was a recovered or dequeued run that failed.
      LOG.log(Level.DEBUG, "Workflow ''" + workflowId + "'' ended with an exception", t);
    } finally {
      threads.clearDispatch();
    }
    return false;
  }
}
