package io.dbosee;

/** The status of a workflow as stored in the {@code status} column of {@code workflow_status}. */
public enum WorkflowState {
  /** Running, or waiting to be recovered after its server stopped. */
  PENDING,
  /** Finished and returned a value. */
  SUCCESS,
  /** Finished by throwing an exception. */
  ERROR,
  /** Parked after starting too many times without finishing; resume it to try again. */
  MAX_RECOVERY_ATTEMPTS_EXCEEDED,
  /** Stopped by a cancellation. */
  CANCELLED,
  /** Waiting in a queue. */
  ENQUEUED,
  /** Waiting in a queue until its delay has passed. */
  DELAYED;

  /** Whether the workflow will not run again unless resumed. */
  public boolean isFinal() {
    return this == SUCCESS
        || this == ERROR
        || this == MAX_RECOVERY_ATTEMPTS_EXCEEDED
        || this == CANCELLED;
  }
}
