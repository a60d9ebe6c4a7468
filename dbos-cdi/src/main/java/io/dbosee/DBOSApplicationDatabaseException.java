package io.dbosee;

/**
 * Thrown when a {@link Transaction} step cannot read or write its outcome in the application
 * database (the table {@code datasource_outputs}), as opposed to a failure of the step's own work.
 * Nothing was recorded: the step's writes were rolled back, and a workflow stays PENDING, to resume
 * at this step when the application starts again; it is safe to call it again with the same
 * workflow id.
 */
public final class DBOSApplicationDatabaseException extends DBOSException {
  private static final long serialVersionUID = 1L;

  public DBOSApplicationDatabaseException(String message, Throwable cause) {
    super(message, cause);
  }
}
