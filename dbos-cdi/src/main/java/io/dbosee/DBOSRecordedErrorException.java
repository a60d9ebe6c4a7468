package io.dbosee;

/**
 * Rethrown in place of a recorded failure whose original exception type cannot be rebuilt here (the
 * class is not visible to the application, or it was recorded by another language's SDK). It
 * carries the recorded type name and message.
 */
public final class DBOSRecordedErrorException extends DBOSException {
  private static final long serialVersionUID = 1L;
  private final String recordedType;

  public DBOSRecordedErrorException(String recordedType, String message) {
    super(recordedType + ": " + message);
    this.recordedType = recordedType;
  }

  /** The name of the exception type as recorded. */
  public String recordedType() {
    return recordedType;
  }
}
