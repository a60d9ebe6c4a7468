package io.dbosee;

/**
 * Thrown when the system database cannot be reached or answers with an error the engine cannot
 * handle. The workflow's durable state is unchanged; it is safe to retry the call with the same
 * workflow id.
 */
public final class DBOSSystemDatabaseException extends DBOSException {
  private static final long serialVersionUID = 1L;

  public DBOSSystemDatabaseException(String message, Throwable cause) {
    super(message, cause);
  }
}
