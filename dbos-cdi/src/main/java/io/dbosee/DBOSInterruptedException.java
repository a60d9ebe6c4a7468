package io.dbosee;

/**
 * Thrown inside a workflow whose thread was interrupted or whose engine is shutting down, and to a
 * caller interrupted while waiting for a workflow. The workflow is not marked as failed: it is left
 * PENDING and resumes from its last completed step when the application starts again.
 */
public final class DBOSInterruptedException extends DBOSException {
  private static final long serialVersionUID = 1L;
  private final String workflowId;

  public DBOSInterruptedException(String workflowId, String message) {
    super(message);
    this.workflowId = workflowId;
  }

  public String workflowId() {
    return workflowId;
  }
}
