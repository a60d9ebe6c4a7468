package io.dbosee.internal.engine;

import io.dbosee.DBOSNonExistentWorkflowException;
import io.dbosee.WorkflowHandle;
import io.dbosee.WorkflowStatus;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A handle to any workflow, here or on another server: its status, and its outcome, awaited. The
 * result is read as the registered workflow's return type, or as plain JSON values when this
 * application does not register that workflow (a null definition).
 */
final class EngineWorkflowHandle implements WorkflowHandle<Object, Exception> {
  private final String workflowId;
  private final WorkflowDefinition definition;
  private final WorkflowOutcomes outcomes;
  private final Function<String, Optional<WorkflowStatus>> statuses;

  EngineWorkflowHandle(
      String workflowId,
      WorkflowDefinition definition,
      WorkflowOutcomes outcomes,
      Function<String, Optional<WorkflowStatus>> statuses) {
    this.workflowId = workflowId;
    this.definition = definition;
    this.outcomes = outcomes;
    this.statuses = statuses;
  }

  @Override
  public String workflowId() {
    return workflowId;
  }

  @Override
  public WorkflowStatus getStatus() {
    return statuses
        .apply(workflowId)
        .orElseThrow(() -> new DBOSNonExistentWorkflowException(workflowId));
  }

  @Override
  public Object getResult() throws Exception {
    return asReturned(outcomes.awaitOutcome(workflowId, definition, Long.MAX_VALUE, null, true));
  }

  @Override
  public Object getResult(Duration timeout) throws Exception {
    Objects.requireNonNull(timeout, "timeout");
    long now = System.nanoTime();
    long deadline =
        timeout.toNanos() >= Long.MAX_VALUE - now ? Long.MAX_VALUE - 1 : now + timeout.toNanos();
    return asReturned(outcomes.awaitOutcome(workflowId, definition, deadline, timeout, true));
  }

  @Override
  public CompletionStage<Object> getResultAsync() {
    CompletableFuture<Object> outcome = outcomes.outcomeAsync(workflowId, definition);
    return returnsStage() ? outcome.thenApply(this::asReturned) : outcome;
  }

  /**
   * The result as the workflow method returns it: for a method returning a stage, a completed
   * stage, so that a handle typed by that method ({@code enqueue(() -> orders.place(o))}) holds
   * what its type says.
   */
  private Object asReturned(Object result) {
    return returnsStage() ? CompletableFuture.completedFuture(result) : result;
  }

  private boolean returnsStage() {
    return definition != null && definition.returnsStage();
  }

  @Override
  public String toString() {
    return "WorkflowHandle[" + workflowId + "]";
  }
}
