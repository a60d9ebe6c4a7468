package io.dbosee;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * A workflow started in the background or enqueued: its id, its current status and, when it
 * finishes, its result. A handle holds no resource; it can be dropped, and {@link
 * DBOS#retrieveWorkflow} makes a new one for any workflow id, on any server that shares the system
 * database.
 *
 * <pre>{@code
 * WorkflowHandle<Receipt, PaymentException> handle = dbos.startWorkflow(() -> payments.pay(order));
 * // ... later, or on another server: dbos.retrieveWorkflow(handle.workflowId())
 * Receipt receipt = handle.getResult();   // waits; rethrows PaymentException as itself
 * }</pre>
 *
 * <p>Pitfalls: {@link #getResult()} blocks the calling thread until the workflow finishes, which
 * can be long for a queued workflow; use {@link #getResult(Duration)} where a caller must not wait
 * forever. Waiting does not keep the workflow alive: it runs to completion whether anyone waits.
 *
 * @param <T> the workflow's result type
 * @param <X> the checked exception its method declares ({@code RuntimeException} when none)
 */
public interface WorkflowHandle<T, X extends Exception> {

  /** The workflow's id. */
  String workflowId();

  /**
   * The workflow's status as recorded now.
   *
   * @throws DBOSNonExistentWorkflowException if the workflow was deleted
   */
  WorkflowStatus getStatus();

  /**
   * Waits until the workflow finishes and returns its result, or rethrows the exception it ended
   * with as its original type.
   *
   * @throws X the workflow's own exception
   * @throws DBOSWorkflowCancelledException if it was cancelled
   * @throws DBOSMaxRecoveryAttemptsExceededException if it was parked after too many starts
   * @throws DBOSInterruptedException if the waiting thread is interrupted
   */
  T getResult() throws X;

  /**
   * Like {@link #getResult()}, waiting at most {@code timeout}.
   *
   * @throws DBOSAwaitTimeoutException if the workflow has not finished within {@code timeout}; it
   *     goes on running
   */
  T getResult(Duration timeout) throws X;

  /**
   * The result as a stage that completes when the workflow finishes, without holding a thread
   * meanwhile: a JAX-RS resource can return it and free its request thread. It completes
   * exceptionally with what {@link #getResult()} would throw (the workflow's own exception as
   * itself, {@link DBOSWorkflowCancelledException}, ...), or with {@link DBOSInterruptedException}
   * if the application stops first (the workflow goes on).
   *
   * <p>Dependent actions without an executor of their own run on the library's executor thread that
   * completed the stage; give long work your own executor ({@code thenApplyAsync(f,
   * managedExecutor)}). Cancelling the stage ends only the wait; {@link
   * java.util.concurrent.CompletableFuture#orTimeout} bounds it.
   */
  CompletionStage<T> getResultAsync();
}
