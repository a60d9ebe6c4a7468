package io.dbosee.internal.engine.db;

/**
 * How a workflow ended, as its row records it: the status, and the serialized output or error in
 * the format {@code serialization}.
 */
public record FinalStatus(String status, String output, String error, String serialization) {

  public static FinalStatus success(String output, String serialization) {
    return new FinalStatus("SUCCESS", output, null, serialization);
  }

  public static FinalStatus error(String error, String serialization) {
    return new FinalStatus("ERROR", null, error, serialization);
  }

  /** A final status with neither output nor error (MAX_RECOVERY_ATTEMPTS_EXCEEDED). */
  public static FinalStatus only(String status, String serialization) {
    return new FinalStatus(status, null, null, serialization);
  }
}
