package io.dbosee;

/**
 * Thrown when a workflow that has been cancelled (or that passed its deadline) is called again with
 * its id or awaited, and inside the cancelled workflow itself at its next step or durable wait. A
 * cancelled workflow does not run further steps until it is resumed; its completed steps stay
 * recorded. Do not catch it inside a workflow to go on: the workflow ends as CANCELLED anyway.
 */
public final class DBOSWorkflowCancelledException extends DBOSException {
  private static final long serialVersionUID = 1L;
  private final String workflowId;

  public DBOSWorkflowCancelledException(String workflowId) {
    this(workflowId, "Workflow '" + workflowId + "' was cancelled; resume it to let it finish.");
  }

  public DBOSWorkflowCancelledException(String workflowId, String message) {
    super(message);
    this.workflowId = workflowId;
  }

  public String workflowId() {
    return workflowId;
  }
}
