package io.dbosee.internal.engine;

import io.dbosee.internal.engine.db.NewWorkflow;
import io.dbosee.internal.engine.db.SystemDatabase;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One workflow execution to run: the workflow, its id, its recorded inputs and its body, its
 * timeout, and its row when the caller has written it already (a dequeued, recovered or started
 * one; null: the execution writes it, or waits for {@code startAhead}).
 *
 * @param timeoutMs how long it may run before it is cancelled, or null for no limit
 * @param startAhead null, or the start that the calling thread writes while the executor's thread
 *     that runs the execution gets going ({@link WorkflowExecution#startAhead})
 */
record ExecutionRequest(
    WorkflowDefinition definition,
    String workflowId,
    String inputs,
    Invocation body,
    Long timeoutMs,
    SystemDatabase.InitResult init,
    CompletableFuture<SystemDatabase.InitResult> startAhead) {

  ExecutionRequest(
      WorkflowDefinition definition,
      String workflowId,
      String inputs,
      Invocation body,
      Long timeoutMs,
      SystemDatabase.InitResult init) {
    this(definition, workflowId, inputs, body, timeoutMs, init, null);
  }

  /** This execution, its start written by another thread into {@code started}. */
  ExecutionRequest startedAhead(CompletableFuture<SystemDatabase.InitResult> started) {
    return new ExecutionRequest(definition, workflowId, inputs, body, timeoutMs, null, started);
  }

  /** Its row as its start writes it, at {@code now}. */
  NewWorkflow row(EngineConfig config, String serialization, WorkflowContext parent, long now) {
    return new NewWorkflow(
        workflowId,
        definition.name(),
        definition.className(),
        config.executorId(),
        config.applicationVersion(),
        inputs,
        serialization,
        parent == null ? null : parent.workflowId,
        timeoutMs,
        now);
  }

  /** When it is cancelled if still running, started at {@code now}; null: never. */
  Long deadline(long now, WorkflowContext parent) {
    Long deadline = timeoutMs == null ? null : now + timeoutMs;
    if (parent != null && parent.deadline != Long.MAX_VALUE) {
      // A child never outlives its parent's deadline.
      deadline = deadline == null ? parent.deadline : Math.min(deadline, parent.deadline);
    }
    return deadline;
  }

  /** A timeout in milliseconds, as a request holds it; null: none. */
  static Long timeoutMillis(Duration timeout) {
    return timeout == null ? null : timeout.toMillis();
  }
}
