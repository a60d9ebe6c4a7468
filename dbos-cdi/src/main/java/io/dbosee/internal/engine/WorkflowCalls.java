package io.dbosee.internal.engine;

import io.dbosee.internal.engine.db.SystemDatabase;
import io.dbosee.internal.engine.serialization.Serializer;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What a call to a workflow method does: inside a start or enqueue, it starts the workflow; inside
 * a step, it is a plain call; inside a workflow, it runs inline as a child; elsewhere it runs at
 * top level (its id assigned, or a new one) and its caller waits for its outcome.
 */
final class WorkflowCalls {
  private final EngineServices services;
  private final Serializer serializer;
  private final EngineLifecycle lifecycle;
  private final ThreadHandoffs threads;
  private final Map<String, RunningWorkflow> active;
  private final DurableOperations operations;
  private final WorkflowOutcomes outcomes;
  private final WorkflowExecution execution;
  private final WorkflowLauncher launcher;
  private final WorkflowStarts starts;

  WorkflowCalls(
      EngineServices services,
      DurableOperations operations,
      WorkflowOutcomes outcomes,
      WorkflowExecution execution,
      WorkflowLauncher launcher,
      WorkflowStarts starts) {
    this.services = services;
    this.serializer = services.serializer;
    this.lifecycle = services.lifecycle;
    this.threads = services.threads;
    this.active = services.active;
    this.operations = operations;
    this.outcomes = outcomes;
    this.execution = execution;
    this.launcher = launcher;
    this.starts = starts;
  }

  /**
   * Runs a workflow: afresh, by replaying it, or by returning its recorded outcome. Called from
   * outside a workflow it runs on the caller's thread if the hooks allow, else on the executor
   * while the caller waits; called from a workflow it runs inline as a child; called from a step it
   * is a plain call.
   */
  Object runWorkflow(WorkflowDefinition definition, Object[] arguments, Invocation body)
      throws Exception {
    try {
      return run(definition, arguments, body, threads.here());
    } finally {
      // Also when it failed before running (or only took what was handed to it).
      threads.releaseIfIdle();
    }
  }

  private Object run(
      WorkflowDefinition definition,
      Object[] arguments,
      Invocation body,
      ThreadHandoffs.OnThread thread)
      throws Exception {
    WorkflowContext parent = thread.context;
    PendingStart start = thread.pendingStart;
    if (start != null) {
      return starts.begin(start, definition, arguments, body, parent);
    }
    if (parent != null && parent.inStep()) {
      return body.proceed();
    }
    if (definition.returnsStage()) {
      return thread.dispatched
          ? CompletableFuture.completedFuture(runHere(definition, arguments, body, thread))
          : startInBackground(definition, arguments, body);
    }
    return runHere(definition, arguments, body, thread);
  }

  /**
   * A call of a workflow method that returns a {@code CompletionStage}, as Jakarta Concurrency's
   * {@code @Asynchronous} does: the workflow starts in the background (inside a workflow, as its
   * durable child) and the caller gets the stage of its result, holding no thread.
   */
  private CompletionStage<Object> startInBackground(
      WorkflowDefinition definition, Object[] arguments, Invocation body) {
    // The handle gives the result as the method returns it: a stage, flattened here.
    return starts
        .start(StartSpec.background(), () -> runWorkflow(definition, arguments, body))
        .getResultAsync()
        .thenCompose(ReturnedStages::flatten);
  }

  /** Runs the workflow here: as a child of the one running on this thread, or at top level. */
  private Object runHere(
      WorkflowDefinition definition,
      Object[] arguments,
      Invocation body,
      ThreadHandoffs.OnThread thread)
      throws Exception {
    WorkflowContext parent = thread.context;
    lifecycle.requireRunning(definition);
    String assigned = thread.takeAssignedId();
    // Serialize first: an argument that cannot be recorded fails the call before any record.
    String inputs = serializer.serializeArguments(arguments, definition.parameterTypes());
    if (parent != null) {
      return runChild(
          parent,
          definition,
          inputs,
          body,
          assigned,
          ExecutionRequest.timeoutMillis(thread.takeTimeout()));
    }
    String workflowId = assigned != null ? assigned : UUID.randomUUID().toString();
    boolean onDispatchedThread = thread.takeDispatched();
    Tracing tracing = services.tracing();
    if (tracing != null && !onDispatchedThread) {
      tracing.started(workflowId);
    }
    SystemDatabase.InitResult claimed = thread.takeClaimed();
    if (claimed != null && !claimed.row().workflowId().equals(workflowId)) {
      claimed = null;
    }
    return launcher.runTopLevel(
        new ExecutionRequest(
            definition,
            workflowId,
            inputs,
            body,
            ExecutionRequest.timeoutMillis(thread.takeTimeout()),
            claimed),
        onDispatchedThread
            ? WorkflowLauncher.Placement.DISPATCHED
            : WorkflowLauncher.Placement.CALLER);
  }

  /** Runs a child workflow inline, on its parent's thread; its start is the parent's operation. */
  private Object runChild(
      WorkflowContext parent,
      WorkflowDefinition definition,
      String inputs,
      Invocation body,
      String assigned,
      Long timeoutMs)
      throws Exception {
    Operation operation = operations.begin(parent);
    String childId;
    if (operation.replayed()) {
      childId = operations.recordedChild(operation, operation.recorded(), definition);
    } else {
      childId =
          operations.recordChild(
              operation,
              definition,
              assigned != null ? assigned : parent.workflowId + "-" + operation.functionId());
    }
    RunningWorkflow mine = new RunningWorkflow(definition);
    RunningWorkflow running = active.putIfAbsent(childId, mine);
    if (running != null) {
      return launcher.join(childId, definition, running);
    }
    Object result = null;
    Throwable failure = null;
    try {
      result =
          execution.execute(
              new ExecutionRequest(definition, childId, inputs, body, timeoutMs, null),
              parent,
              mine);
    } catch (Throwable t) {
      failure = t;
    } finally {
      active.remove(childId, mine);
    }
    WorkflowLauncher.complete(mine.outcome(), result, failure);
    if (failure != ParkSignal.PARK) {
      outcomes.signalFinished(
          childId, failure == null ? new WorkflowOutcomes.Succeeded(result) : null);
    }
    if (failure != null) {
      throw Outcomes.<Exception>sneakyThrow(failure);
    }
    return result;
  }
}
