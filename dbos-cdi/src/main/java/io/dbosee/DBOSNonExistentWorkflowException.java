package io.dbosee;

/**
 * Thrown when a workflow id names no workflow in the system database: {@link DBOS#retrieveWorkflow}
 * with an unknown id, or a handle whose workflow was deleted.
 */
public final class DBOSNonExistentWorkflowException extends DBOSException {
  private static final long serialVersionUID = 1L;
  private final String workflowId;

  public DBOSNonExistentWorkflowException(String workflowId) {
    super(
        "No workflow has the id '"
            + workflowId
            + "' in the system database: check the id, and that this server uses the same system"
            + " database and schema as the one that started it.");
    this.workflowId = workflowId;
  }

  public String workflowId() {
    return workflowId;
  }
}
