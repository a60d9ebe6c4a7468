package io.dbosee;

/**
 * Thrown, and recorded as the workflow's error, when a replay calls a different step at some
 * position than the one recorded there: the workflow body is not deterministic, or its code changed
 * while it was in flight. Move non-deterministic decisions into steps; deploy changed workflow code
 * as a new application version.
 */
public final class DBOSNonDeterministicWorkflowException extends DBOSException {
  private static final long serialVersionUID = 1L;
  private final String workflowId;
  private final int stepId;
  private final String recordedName;
  private final String calledName;

  public DBOSNonDeterministicWorkflowException(
      String workflowId, int stepId, String recordedName, String calledName) {
    super(
        "Workflow '"
            + workflowId
            + "' is not deterministic: step #"
            + stepId
            + " was recorded as '"
            + recordedName
            + "' but the replay called '"
            + calledName
            + "'. A workflow must call the same steps in the same order every time it runs;"
            + " move decisions that can change (time, randomness, I/O) into steps.");
    this.workflowId = workflowId;
    this.stepId = stepId;
    this.recordedName = recordedName;
    this.calledName = calledName;
  }

  public String workflowId() {
    return workflowId;
  }

  /** The position (function id) at which the replay diverged. */
  public int stepId() {
    return stepId;
  }

  public String recordedName() {
    return recordedName;
  }

  public String calledName() {
    return calledName;
  }
}
