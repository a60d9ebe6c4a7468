package io.dbosee.internal.jpa;

import java.time.Duration;

/**
 * How long to wait before running a transaction again after a serialization failure or a deadlock:
 * the wait doubles from {@code initial} up to {@code max}, and the number of attempts is bounded.
 *
 * @param initial the wait before the second attempt
 * @param max the longest wait
 * @param maxAttempts attempts in all, the first included
 */
record RetryBackoff(Duration initial, Duration max, int maxAttempts) {
  /** 10 attempts waiting 10 ms, 20 ms, 40 ms, … up to 1 s: about 3 s in all at worst. */
  static final RetryBackoff DEFAULT =
      new RetryBackoff(Duration.ofMillis(10), Duration.ofSeconds(1), 10);

  RetryBackoff {
    if (initial.isNegative() || max.compareTo(initial) < 0 || maxAttempts < 1) {
      throw new IllegalArgumentException(
          "invalid backoff: initial " + initial + ", max " + max + ", attempts " + maxAttempts);
    }
  }

  /** The wait after failed attempt number {@code attempt} (1 for the first). */
  Duration delayAfter(int attempt) {
    long millis = initial.toMillis();
    for (int i = 1; i < attempt && millis < max.toMillis(); i++) {
      millis *= 2;
    }
    return Duration.ofMillis(Math.min(millis, max.toMillis()));
  }

  boolean mayRetryAfter(int attempt) {
    return attempt < maxAttempts;
  }
}
