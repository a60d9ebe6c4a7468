package io.dbosee.internal.engine;

import io.dbosee.DBOSNonExistentWorkflowException;
import io.dbosee.WorkflowHandle;
import io.dbosee.WorkflowStatus;
import io.dbosee.internal.errors.ErrorCode;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A handle to a workflow started or enqueued inside a caller's transaction: nothing of it exists
 * for anyone else until that transaction commits. On the commit it is dispatched (run here, or its
 * queue woken) at once; on a rollback it is gone. Its status and result are refused until the
 * commit, where waiting would wait for a row that the caller's own transaction still holds.
 */
final class CommittedStart
    implements WorkflowHandle<Object, Exception>, CallerTransactions.Completion {
  private static final System.Logger LOG = System.getLogger(CommittedStart.class.getName());

  private final WorkflowHandle<Object, Exception> handle;
  private final Runnable dispatch;

  /** Null while the transaction is open; then whether it committed. */
  private volatile Boolean committed;

  /** Completed with {@link #committed} when the transaction ends. */
  private final CompletableFuture<Boolean> ended = new CompletableFuture<>();

  CommittedStart(WorkflowHandle<Object, Exception> handle, Runnable dispatch) {
    this.handle = handle;
    this.dispatch = dispatch;
  }

  @Override
  public void completed(boolean committed) {
    this.committed = committed;
    ended.complete(committed);
    if (!committed) {
      return;
    }
    try {
      dispatch.run();
    } catch (RuntimeException e) {
      // Committed, so not lost: a queued workflow is dequeued at the queue's next poll, a started
      // one by this server's recovery.
      LOG.log(
          Level.WARNING,
          "Workflow ''"
              + handle.workflowId()
              + "'' was committed with the caller's transaction but could not be dispatched at once"
              + " ("
              + e
              + "); it runs when its queue is next polled, or when this server next recovers its"
              + " pending workflows.",
          e);
    }
  }

  @Override
  public String workflowId() {
    return handle.workflowId();
  }

  @Override
  public WorkflowStatus getStatus() {
    requireCompleted("status");
    return handle.getStatus();
  }

  @Override
  public Object getResult() throws Exception {
    requireCompleted("result");
    return handle.getResult();
  }

  @Override
  public Object getResult(Duration timeout) throws Exception {
    requireCompleted("result");
    return handle.getResult(timeout);
  }

  /**
   * Unlike the blocking reads, allowed before the commit: a resource may return it from inside the
   * transaction that starts the workflow. It follows the workflow once the transaction commits, and
   * fails if it rolls back.
   */
  @Override
  public CompletionStage<Object> getResultAsync() {
    return ended.thenCompose(
        commit -> {
          if (!commit) {
            // The transaction that started it rolled back: the workflow never existed.
            throw new CompletionException(
                new DBOSNonExistentWorkflowException(handle.workflowId()));
          }
          return handle.getResultAsync();
        });
  }

  private void requireCompleted(String what) {
    if (committed == null) {
      throw ErrorCode.RESULT_BEFORE_COMMIT.illegalState(
          "Workflow '"
              + handle.workflowId()
              + "' was started inside a transaction that has not committed yet, so it has not run"
              + " and has no "
              + what
              + " to read: it starts when that transaction commits (and never, if it rolls back)."
              + " Read it after the commit, for example with dbos.retrieveWorkflow(\""
              + handle.workflowId()
              + "\") in a later request, or start it outside the transaction if the caller must"
              + " wait for it.");
    }
  }

  @Override
  public String toString() {
    return handle.toString();
  }
}
