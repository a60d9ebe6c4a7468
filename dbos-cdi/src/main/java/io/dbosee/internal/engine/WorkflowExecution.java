package io.dbosee.internal.engine;

import io.dbosee.DBOSConflictingWorkflowException;
import io.dbosee.DBOSMaxRecoveryAttemptsExceededException;
import io.dbosee.DBOSSerializationException;
import io.dbosee.DBOSWorkflowCancelledException;
import io.dbosee.WorkflowState;
import io.dbosee.internal.engine.db.FinalStatus;
import io.dbosee.internal.engine.db.RecordedOperation;
import io.dbosee.internal.engine.db.SystemDatabase;
import io.dbosee.internal.engine.db.WorkflowRow;
import io.dbosee.internal.engine.serialization.Serializer;
import java.lang.System.Logger.Level;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One execution of a workflow on the thread that runs it: writes (or finds) its row, returns what
 * is recorded if it finished, runs its body with its recorded operations to replay, and records its
 * outcome: SUCCESS or ERROR, or nothing when it only stopped (it stays PENDING).
 */
final class WorkflowExecution {
  private static final System.Logger LOG = System.getLogger(WorkflowExecution.class.getName());

  private final EngineServices services;
  private final EngineConfig config;
  private final SystemDatabase db;
  private final Serializer serializer;
  private final ThreadHandoffs threads;
  private final Failures failures;
  private final Cancellation cancellation;
  private final WorkflowOutcomes outcomes;

  WorkflowExecution(
      EngineServices services,
      Failures failures,
      Cancellation cancellation,
      WorkflowOutcomes outcomes) {
    this.services = services;
    this.config = services.config;
    this.db = services.db;
    this.serializer = services.serializer;
    this.threads = services.threads;
    this.failures = failures;
    this.cancellation = cancellation;
    this.outcomes = outcomes;
  }

  /** Runs the workflow on this thread, or returns what is recorded for it. */
  Object execute(ExecutionRequest request, WorkflowContext parent, RunningWorkflow running)
      throws Exception {
    WorkflowDefinition definition = request.definition();
    String workflowId = request.workflowId();
    SystemDatabase.InitResult init =
        request.init() != null
            ? request.init()
            : request.startAhead() != null
                ? awaitStart(request.startAhead())
                : start(request, parent);
    WorkflowRow row = init.row();
    requireSameWorkflow(row, definition);
    WorkflowState status = WorkflowState.valueOf(row.status());
    if (status.isFinal()) {
      return outcomes.recordedOutcome(row, definition);
    }
    if (status != WorkflowState.PENDING || !row.executorId().equals(config.executorId())) {
      // Queued, or running on another server: its outcome will be recorded there.
      // (This execution is in the map of active ones itself: read the database only.)
      return outcomes.awaitOutcome(workflowId, definition, Long.MAX_VALUE, null, false);
    }
    if (!init.inserted() && row.recoveryAttempts() > definition.maxRecoveryAttempts() + 1L) {
      db.finishWorkflow(
          workflowId,
          FinalStatus.only(WorkflowState.MAX_RECOVERY_ATTEMPTS_EXCEEDED.name(), serializer.name()),
          services.now());
      LOG.log(
          Level.ERROR,
          "Workflow ''{0}'' was started {1} times without finishing; it is parked as"
              + " MAX_RECOVERY_ATTEMPTS_EXCEEDED",
          workflowId,
          row.recoveryAttempts());
      throw new DBOSMaxRecoveryAttemptsExceededException(
          workflowId, definition.maxRecoveryAttempts());
    }
    EngineMetrics metrics = services.metrics();
    if (metrics == null) {
      return traced(request, parent, init, running);
    }
    if (init.inserted()) {
      metrics.workflowStarted(definition.name());
    }
    Object result;
    try {
      result = traced(request, parent, init, running);
    } catch (Throwable t) {
      String endStatus = failures.endStatus(t);
      if (!WorkflowState.PENDING.name().equals(endStatus)) {
        metrics.workflowEnded(definition.name(), endStatus, services.now() - row.createdAt());
      }
      throw t;
    }
    metrics.workflowEnded(
        definition.name(), WorkflowState.SUCCESS.name(), services.now() - row.createdAt());
    return result;
  }

  /** Writes the execution's start (or finds its row), now. */
  private SystemDatabase.InitResult start(ExecutionRequest request, WorkflowContext parent) {
    long startedAt = services.now();
    return db.initWorkflow(
        request.row(config, serializer.name(), parent, startedAt),
        request.deadline(startedAt, parent));
  }

  /**
   * Writes the start of a top-level execution handed to the executor, on the calling thread, into
   * {@code started}: the executor's thread, which waits for it in {@link #execute}, wakes up and
   * sets up meanwhile instead of after it. A failure is the execution's, as if it had written it.
   */
  void startAhead(ExecutionRequest request, CompletableFuture<SystemDatabase.InitResult> started) {
    try {
      started.complete(start(request, null));
    } catch (Throwable t) {
      started.completeExceptionally(t);
    }
  }

  private static SystemDatabase.InitResult awaitStart(
      CompletableFuture<SystemDatabase.InitResult> started) {
    try {
      return started.join();
    } catch (CompletionException e) {
      throw Outcomes.<RuntimeException>sneakyThrow(e.getCause());
    }
  }

  /** Runs the body under the tracing observer's workflow observation, if there is one. */
  private Object traced(
      ExecutionRequest request,
      WorkflowContext parent,
      SystemDatabase.InitResult init,
      RunningWorkflow running)
      throws Exception {
    Tracing tracing = services.tracing();
    if (tracing == null) {
      return executeBody(request, parent, init, running);
    }
    return tracing.workflow(
        request.workflowId(),
        request.definition().name(),
        parent == null,
        failures::endStatus,
        () -> executeBody(request, parent, init, running));
  }

  /** Runs a workflow's body on this thread and records its outcome. */
  private Object executeBody(
      ExecutionRequest request,
      WorkflowContext parent,
      SystemDatabase.InitResult init,
      RunningWorkflow running)
      throws Exception {
    WorkflowDefinition definition = request.definition();
    String workflowId = request.workflowId();
    WorkflowRow row = init.row();
    Map<Integer, RecordedOperation> recorded =
        init.operations() != null
            ? index(init.operations())
            : init.mayHaveOperations() ? index(db.readOperations(workflowId)) : Map.of();
    long contextDeadline = row.deadlineEpochMs() == null ? Long.MAX_VALUE : row.deadlineEpochMs();
    if (parent != null) {
      contextDeadline = Math.min(contextDeadline, parent.deadline);
    }
    WorkflowContext context =
        new WorkflowContext(
            workflowId, definition, parent, recorded, !init.inserted(), running, contextDeadline);
    ThreadHandoffs.OnThread thread = threads.here();
    WorkflowContext previous = thread.context;
    thread.context = context;
    Object result;
    try {
      result = request.body().proceed();
      if (definition.returnsStage()) {
        result = ReturnedStages.await(result);
      }
    } catch (Throwable t) {
      throw finishFailed(context, t);
    } finally {
      thread.context = previous;
      threads.releaseIfIdle();
    }
    if (context.parking()) {
      throw ParkSignal.PARK; // the body caught the park signal and returned: nothing is recorded
    }
    if (context.failure() != null) {
      // The body caught the engine's own error (a determinism violation) and went on.
      throw finishFailed(context, context.failure());
    }
    String output;
    try {
      output = serializer.serialize(result, definition.resultType());
    } catch (DBOSSerializationException e) {
      throw finishFailed(context, e);
    }
    if (!db.finishWorkflow(
        workflowId, FinalStatus.success(output, serializer.name()), services.now())) {
      // Cancelled, or finished by another execution meanwhile: what is recorded counts.
      return outcomes.recordedOutcome(outcomes.readWorkflow(workflowId), definition);
    }
    return result;
  }

  /** Records a workflow's failure (unless it must stay PENDING) and returns what to throw. */
  private Exception finishFailed(WorkflowContext context, Throwable t) {
    if (t == ParkSignal.PARK || context.parking()) {
      throw ParkSignal.PARK; // not finished: it resumes when its wait is over
    }
    // A cancelled workflow's status says CANCELLED already: nothing to record.
    if (Failures.isCancellationOf(context.workflowId, t)) {
      throw (DBOSWorkflowCancelledException) t;
    }
    if (context.running.cancelled()) {
      throw new DBOSWorkflowCancelledException(context.workflowId);
    }
    if (context.deadline != Long.MAX_VALUE && services.now() >= context.deadline) {
      // For example a child cancelled at the deadline it inherited, rethrown by this body.
      throw cancellation.expired(context);
    }
    if (failures.mustStayPending(t)) {
      throw Failures.interrupted(context.workflowId, t);
    }
    Throwable failure = context.failure() != null ? context.failure() : t;
    db.finishWorkflow(
        context.workflowId,
        FinalStatus.error(serializer.serializeError(failure), serializer.name()),
        services.now());
    throw Outcomes.<RuntimeException>sneakyThrow(failure);
  }

  static void requireSameWorkflow(WorkflowRow row, WorkflowDefinition definition) {
    if (!row.name().equals(definition.name())
        || !Objects.equals(row.className(), definition.className())) {
      throw new DBOSConflictingWorkflowException(
          row.workflowId(),
          "Workflow id '"
              + row.workflowId()
              + "' already belongs to workflow "
              + row.className()
              + "/"
              + row.name()
              + ", so it cannot be used for "
              + definition.key()
              + ". Use a different id for a different workflow.");
    }
  }

  private static Map<Integer, RecordedOperation> index(Collection<RecordedOperation> operations) {
    Map<Integer, RecordedOperation> byId = new HashMap<>();
    for (RecordedOperation operation : operations) {
      byId.put(operation.functionId(), operation);
    }
    return byId;
  }
}
