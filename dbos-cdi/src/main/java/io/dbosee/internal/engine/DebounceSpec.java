package io.dbosee.internal.engine;

import io.dbosee.internal.errors.ErrorCode;
import java.time.Duration;

/**
 * How a workflow call is debounced: calls with the same {@code key} (per workflow) collapse into
 * one workflow that starts once no call came for {@code period}, with the last call's arguments,
 * and at the latest {@code timeout} after the first call.
 *
 * @param key the debounce key: not empty
 * @param period how long to wait after the last call: positive, at most {@link #MAX}
 * @param timeout how long after the first call the workflow starts at the latest, or null for no
 *     limit: positive, at most {@link #MAX}
 * @param queueName the queue the workflow waits on and runs from, or null for the internal queue
 */
public record DebounceSpec(String key, Duration period, Duration timeout, String queueName) {

  /**
   * The longest period or timeout: a debounced workflow waits as a DELAYED row, and a wait of more
   * than a month is a unit mistake (seconds for milliseconds) rather than a debounce.
   */
  public static final Duration MAX = Duration.ofDays(30);

  public DebounceSpec {
    if (key == null || key.isEmpty()) {
      throw ErrorCode.DEBOUNCE_KEY.illegalArgument(
          "The debounce key is "
              + (key == null ? "null" : "empty")
              + ": give a non-empty key that names what the calls are about (for example the id"
              + " of the record being edited); calls with the same key collapse into one workflow.");
    }
    StorableText.require(key, "the debounce key");
    if (period == null || period.isZero() || period.isNegative() || period.compareTo(MAX) > 0) {
      throw ErrorCode.DEBOUNCE_PERIOD.illegalArgument(
          "The debounce period "
              + period
              + " is not allowed: it must be positive and at most "
              + MAX
              + " (30 days); the workflow starts once no call with its key came for the period.");
    }
    if (timeout != null
        && (timeout.isZero() || timeout.isNegative() || timeout.compareTo(MAX) > 0)) {
      throw ErrorCode.DEBOUNCE_TIMEOUT.illegalArgument(
          "The debounce timeout "
              + timeout
              + " is not allowed: it must be positive and at most "
              + MAX
              + " (30 days), or null for no limit; the workflow starts at the latest this long"
              + " after the first call with its key.");
    }
    StorableText.optional(queueName, "the queue name");
  }

  /** Debounce {@code key} by {@code period}, with no timeout, on the internal queue. */
  public static DebounceSpec of(String key, Duration period) {
    return new DebounceSpec(key, period, null, null);
  }

  public DebounceSpec withTimeout(Duration timeout) {
    return new DebounceSpec(key, period, timeout, queueName);
  }

  public DebounceSpec withQueue(String queueName) {
    return new DebounceSpec(key, period, timeout, queueName);
  }

  /** The queue the workflow waits on. */
  String queue() {
    return queueName == null ? QueueRegistry.INTERNAL_QUEUE : queueName;
  }
}
