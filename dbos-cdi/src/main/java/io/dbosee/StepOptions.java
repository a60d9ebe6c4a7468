package io.dbosee;

import java.time.Duration;

/**
 * Retry policy of a step: immutable, validated on construction.
 *
 * <pre>{@code
 * StepOptions retrying = StepOptions.DEFAULT.withMaxAttempts(5).withInterval(Duration.ofMillis(200));
 * }</pre>
 *
 * @param maxAttempts total attempts including the first, at least 1
 * @param interval wait before the first retry, not negative
 * @param backoffRate multiplier of the wait after each retry, at least 1.0
 */
public record StepOptions(int maxAttempts, Duration interval, double backoffRate) {

  /** One attempt, no retry. */
  public static final StepOptions DEFAULT = new StepOptions(1, Duration.ofSeconds(1), 2.0);

  public StepOptions {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException(
          "maxAttempts must be at least 1 (1 means no retry), got " + maxAttempts);
    }
    if (interval == null || interval.isNegative()) {
      throw new IllegalArgumentException(
          "interval must be zero or positive, got " + interval + "; use Duration.ZERO for none");
    }
    if (!(backoffRate >= 1.0) || Double.isInfinite(backoffRate)) {
      throw new IllegalArgumentException(
          "backoffRate must be a finite number of at least 1.0 (1.0 keeps the interval constant),"
              + " got "
              + backoffRate);
    }
  }

  public StepOptions withMaxAttempts(int maxAttempts) {
    return new StepOptions(maxAttempts, interval, backoffRate);
  }

  public StepOptions withInterval(Duration interval) {
    return new StepOptions(maxAttempts, interval, backoffRate);
  }

  public StepOptions withBackoffRate(double backoffRate) {
    return new StepOptions(maxAttempts, interval, backoffRate);
  }

  /** The wait before retry number {@code retry} (1 for the first retry). */
  public Duration delayBeforeRetry(int retry) {
    double nanos = interval.toNanos() * Math.pow(backoffRate, retry - 1);
    return nanos >= Long.MAX_VALUE
        ? Duration.ofNanos(Long.MAX_VALUE)
        : Duration.ofNanos((long) nanos);
  }
}
