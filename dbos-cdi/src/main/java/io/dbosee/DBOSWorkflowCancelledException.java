package io.dbosee;

/**
 * Thrown when a workflow that has been cancelled is called again with its id, or awaited. A
 * cancelled workflow does not run further steps until it is resumed.
 */
public final class DBOSWorkflowCancelledException extends DBOSException {
  private static final long serialVersionUID = 1L;
  private final String workflowId;

  public DBOSWorkflowCancelledException(String workflowId) {
    super("Workflow '" + workflowId + "' was cancelled; resume it to let it finish.");
    this.workflowId = workflowId;
  }

  public String workflowId() {
    return workflowId;
  }
}
