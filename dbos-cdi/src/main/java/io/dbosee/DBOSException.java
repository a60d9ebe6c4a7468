package io.dbosee;

/**
 * The root of every exception this library throws. Applications catch it (or one of its subclasses,
 * each named after one situation); they never extend it. Exceptions thrown by application code
 * inside workflows and steps are never wrapped in it: they pass through as their own type, also
 * when a recorded failure is replayed.
 */
public abstract class DBOSException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  DBOSException(String message) {
    super(message);
  }

  DBOSException(String message, Throwable cause) {
    super(message, cause);
  }
}
