package io.dbosee;

/**
 * Thrown when a workflow is started with an id that the system database already holds for a
 * different workflow (another name or class). Workflow ids are global: choose ids that name one
 * piece of business work, for example {@code "checkout-" + orderId}, and reuse an id only to ask
 * for the same workflow again.
 */
public final class DBOSConflictingWorkflowException extends DBOSException {
  private static final long serialVersionUID = 1L;
  private final String workflowId;

  public DBOSConflictingWorkflowException(String workflowId, String message) {
    super(message);
    this.workflowId = workflowId;
  }

  public String workflowId() {
    return workflowId;
  }
}
