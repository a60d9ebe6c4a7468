package io.dbosee;

import io.dbosee.internal.engine.DebounceSpec;
import java.time.Duration;

/**
 * How {@link DBOS#debounce(DebounceOptions, CheckedSupplier)} debounces a workflow: immutable,
 * validated on construction.
 *
 * <pre>{@code
 * dbos.debounce(DebounceOptions.of("doc-" + docId, Duration.ofSeconds(5))
 *         .withTimeout(Duration.ofMinutes(1)),
 *     () -> indexer.reindex(docId, text));
 * }</pre>
 *
 * @param key calls with the same key (for the same workflow) collapse into one workflow: not null
 *     nor empty
 * @param period the workflow starts once no call with the key came for this long: positive, at most
 *     30 days
 * @param timeout the workflow starts at the latest this long after the first call, however often it
 *     is called; null for no limit; otherwise positive, at most 30 days
 * @param queueName the declared queue the workflow waits on and runs from (its limits apply; it
 *     must not be partitioned), or null for the internal queue every server listens to
 * @throws IllegalArgumentException {@code DBOS-CDI-085} (key), {@code DBOS-CDI-086} (period),
 *     {@code DBOS-CDI-087} (timeout), naming the value and what is allowed
 */
public record DebounceOptions(String key, Duration period, Duration timeout, String queueName) {

  public DebounceOptions {
    new DebounceSpec(key, period, timeout, queueName); // the engine's checks, with their codes
  }

  /** Debounce by {@code key} and {@code period}, with no timeout, on the internal queue. */
  public static DebounceOptions of(String key, Duration period) {
    return new DebounceOptions(key, period, null, null);
  }

  public DebounceOptions withTimeout(Duration timeout) {
    return new DebounceOptions(key, period, timeout, queueName);
  }

  public DebounceOptions withQueue(String queueName) {
    return new DebounceOptions(key, period, timeout, queueName);
  }
}
