package io.dbosee;

/**
 * Thrown when a workflow has been started more times than its {@code maxRecoveryAttempts} without
 * finishing (for example because it crashes the server every time); it is parked as {@code
 * MAX_RECOVERY_ATTEMPTS_EXCEEDED} and not recovered again. Fix the cause, then resume it through
 * the management API.
 */
public final class DBOSMaxRecoveryAttemptsExceededException extends DBOSException {
  private static final long serialVersionUID = 1L;
  private final String workflowId;
  private final int maxRecoveryAttempts;

  public DBOSMaxRecoveryAttemptsExceededException(String workflowId, int maxRecoveryAttempts) {
    super(
        "Workflow '"
            + workflowId
            + "' was started more than "
            + maxRecoveryAttempts
            + " times without finishing and is now MAX_RECOVERY_ATTEMPTS_EXCEEDED. Find why it"
            + " does not finish (the server log of its previous attempts), fix it, then resume"
            + " the workflow.");
    this.workflowId = workflowId;
    this.maxRecoveryAttempts = maxRecoveryAttempts;
  }

  public String workflowId() {
    return workflowId;
  }

  public int maxRecoveryAttempts() {
    return maxRecoveryAttempts;
  }
}
