package io.dbosee;

import java.time.Duration;

/**
 * Thrown by {@link WorkflowHandle#getResult(Duration)} when the workflow has not finished in time.
 * Only the wait ends: the workflow goes on, and a later {@code getResult} can still return its
 * result.
 */
public final class DBOSAwaitTimeoutException extends DBOSException {
  private static final long serialVersionUID = 1L;
  private final String workflowId;

  public DBOSAwaitTimeoutException(String workflowId, Duration timeout) {
    super(
        "Workflow '"
            + workflowId
            + "' did not finish within "
            + timeout
            + "; it goes on running. Wait again with its handle, or retrieve it later by id.");
    this.workflowId = workflowId;
  }

  public String workflowId() {
    return workflowId;
  }
}
