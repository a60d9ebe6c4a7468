package io.dbosee;

/**
 * Thrown when a workflow is called while the engine is not running: before the application has
 * started, or after it began to shut down. A workflow interrupted by a shutdown is left PENDING and
 * resumes when the application starts again.
 */
public final class DBOSNotLaunchedException extends DBOSException {
  private static final long serialVersionUID = 1L;

  public DBOSNotLaunchedException(String message) {
    super(message);
  }
}
