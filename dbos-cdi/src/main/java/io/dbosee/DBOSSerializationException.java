package io.dbosee;

/**
 * Thrown when a workflow argument, a result or a recorded value cannot be converted to or from JSON
 * for the declared Java type. Nothing is recorded for the call that failed to serialize. Use types
 * that JSON-B can bind both ways (records, beans with a public no-argument constructor,
 * collections, {@code java.time} types), or declare a more precise parameter type.
 */
public final class DBOSSerializationException extends DBOSException {
  private static final long serialVersionUID = 1L;

  public DBOSSerializationException(String message, Throwable cause) {
    super(message, cause);
  }
}
