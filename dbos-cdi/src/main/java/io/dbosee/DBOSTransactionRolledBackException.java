package io.dbosee;

/**
 * Thrown by a {@link Transaction} step whose JTA transaction could not commit: a constraint
 * violated when the persistence context was flushed at commit, a transaction marked rollback-only,
 * or a serialization failure that persisted through the retries. The step's writes were rolled
 * back. Inside a workflow this failure is the step's recorded outcome, rethrown on replay; handle
 * it in the workflow like any exception of the step.
 */
public final class DBOSTransactionRolledBackException extends DBOSException {
  private static final long serialVersionUID = 1L;

  /** Also the constructor a replay uses to rebuild the recorded failure. */
  public DBOSTransactionRolledBackException(String message) {
    super(message);
  }

  public DBOSTransactionRolledBackException(String message, Throwable cause) {
    super(message, cause);
  }
}
