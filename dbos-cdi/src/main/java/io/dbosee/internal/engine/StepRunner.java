package io.dbosee.internal.engine;

import io.dbosee.DBOSSerializationException;
import io.dbosee.DBOSWorkflowCancelledException;
import io.dbosee.StepOptions;
import io.dbosee.WorkflowState;
import io.dbosee.internal.engine.db.RecordedOperation;
import io.dbosee.internal.engine.serialization.Serializer;
import io.dbosee.internal.errors.ErrorCode;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Optional;

/**
 * Runs steps: in a workflow, a step's outcome is checkpointed after it ran (with its retries), or
 * replayed from the checkpoint; outside a workflow, or inside another step, it is a plain call.
 */
final class StepRunner {
  private static final System.Logger LOG = System.getLogger(StepRunner.class.getName());

  private final EngineServices services;
  private final Serializer serializer;
  private final ThreadHandoffs threads;
  private final Failures failures;
  private final DurableOperations operations;
  private final DurableWaits waits;

  StepRunner(
      EngineServices services,
      Failures failures,
      DurableOperations operations,
      DurableWaits waits) {
    this.services = services;
    this.serializer = services.serializer;
    this.threads = services.threads;
    this.failures = failures;
    this.operations = operations;
    this.waits = waits;
  }

  /**
   * Runs a step: inside a workflow its outcome is checkpointed (or replayed when recorded); outside
   * one, or inside another step, it is a plain call.
   */
  Object runStep(StepDefinition step, Invocation body) throws Exception {
    if (threads.startPending()) {
      // Steps that can be started on their own are turned into one-step workflows before they
      // get here; running this one now would do its work in the caller, then start nothing.
      throw new IllegalArgumentException(
          "Step '"
              + step.name()
              + "' cannot be started or enqueued on its own (a @Transaction step, or an inline"
              + " step): nothing was run or started. Call it from a @Workflow and start or enqueue"
              + " that workflow instead.");
    }
    WorkflowContext context = threads.context();
    if (context == null || context.inStep()) {
      return body.proceed();
    }
    Operation operation = operations.begin(context);
    if (operation.replayed()) {
      return replayStep(operation, operation.recorded(), step);
    }
    int functionId = operation.functionId();
    long startedAt = services.now();
    Object result;
    ExecutionObserver.Observation observation =
        services.tracing() == null
            ? null
            : services.tracing().step(context.workflowId, functionId, step.name());
    EngineMetrics metrics = services.metrics();
    long startedNanos = metrics == null ? 0 : System.nanoTime();
    context.enterStep(functionId);
    try {
      result =
          step.execution() == null
              ? attempts(context, step, body)
              : delegated(context, functionId, step, body);
    } catch (Throwable t) {
      String endStatus = failures.endStatus(t);
      if (observation != null) {
        observation.finished(endStatus, t);
      }
      if (metrics != null) {
        metrics.stepEnded(step.name(), endStatus, System.nanoTime() - startedNanos);
      }
      if (context.running.cancelled()) {
        throw new DBOSWorkflowCancelledException(context.workflowId);
      }
      if (failures.mustStayPending(t)) {
        throw Failures.interrupted(context.workflowId, t);
      }
      Optional<RecordedOperation> winner =
          operations.record(
              operation,
              step.name(),
              OperationOutcome.error(serializer.serializeError(t), serializer.name()),
              startedAt);
      if (winner.isPresent()) {
        return replayStep(operation, winner.get(), step);
      }
      throw Outcomes.<Exception>sneakyThrow(t);
    } finally {
      context.exitStep();
    }
    if (observation != null) {
      observation.finished(WorkflowState.SUCCESS.name(), null);
    }
    if (metrics != null) {
      metrics.stepEnded(
          step.name(), WorkflowState.SUCCESS.name(), System.nanoTime() - startedNanos);
    }
    String output = serializer.serialize(result, step.returnType());
    Optional<RecordedOperation> winner =
        operations.record(
            operation, step.name(), OperationOutcome.output(output, serializer.name()), startedAt);
    return winner.isPresent() ? replayStep(operation, winner.get(), step) : result;
  }

  private Object attempts(WorkflowContext context, StepDefinition step, Invocation body)
      throws Exception {
    StepOptions options = step.options();
    for (int attempt = 1; ; attempt++) {
      try {
        return body.proceed();
      } catch (Exception e) {
        if (attempt >= options.maxAttempts() || failures.mustStayPending(e)) {
          throw e;
        }
        Duration delay = options.delayBeforeRetry(attempt);
        LOG.log(
            Level.WARNING,
            "Step ''{0}'' of workflow ''{1}'' failed on attempt {2} of {3}; retrying in {4} ms:"
                + " {5}",
            step.name(),
            context.workflowId,
            attempt,
            options.maxAttempts(),
            delay.toMillis(),
            e.toString());
        waits.pause(context.workflowId, delay);
      }
    }
  }

  /**
   * Runs a step through its {@link StepExecution}: the outcome another execution recorded outside
   * the system database (one that crashed before its checkpoint) is returned without running the
   * body; otherwise the body runs there. Either way the caller checkpoints the outcome.
   */
  private Object delegated(
      WorkflowContext context, int functionId, StepDefinition step, Invocation body)
      throws Exception {
    StepCall call =
        new StepCall(
            context.workflowId,
            functionId,
            step,
            serializer,
            services::read,
            failures::mustStayPending);
    if (context.ranBefore) {
      Optional<StepExecution.RecordedOutcome> recorded = step.execution().recorded(call);
      if (recorded.isPresent()) {
        return call.replay(recorded.get());
      }
    }
    return step.execution().execute(call, body);
  }

  private Object replayStep(Operation operation, RecordedOperation recorded, StepDefinition step) {
    if (!recorded.functionName().equals(step.name()) || recorded.childWorkflowId() != null) {
      throw operations.nonDeterministic(operation, recorded.functionName(), step.name());
    }
    WorkflowContext context = operation.context();
    int functionId = operation.functionId();
    try {
      Serializer reader = services.read(recorded.serialization());
      if (recorded.error() != null) {
        throw Outcomes.<RuntimeException>sneakyThrow(
            reader.deserializeError(recorded.error(), step.classLoader()));
      }
      return reader.deserialize(recorded.output(), step.returnType());
    } catch (DBOSSerializationException e) {
      // The code changed since the output was recorded, or the row was altered: replaying on
      // without it would be wrong, so the workflow fails even if its body catches this.
      DBOSSerializationException unreadable =
          ErrorCode.UNREADABLE_STEP_OUTPUT.exception(
              DBOSSerializationException::new,
              "Workflow '"
                  + context.workflowId
                  + "' cannot replay step #"
                  + functionId
                  + " '"
                  + step.name()
                  + "': its recorded output cannot be read back. "
                  + e.getMessage()
                  + " Deploy code that reads what was recorded (the old type, or one that accepts"
                  + " it) to finish this workflow, or fork it from an earlier step.",
              e);
      context.fail(unreadable);
      throw unreadable;
    }
  }
}
