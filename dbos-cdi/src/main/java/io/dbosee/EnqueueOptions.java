package io.dbosee;

import java.time.Duration;
import java.util.Objects;

/**
 * How one workflow is enqueued: immutable, validated on construction.
 *
 * <pre>{@code
 * queue.enqueue(() -> orders.ship(orderId),
 *     EnqueueOptions.DEFAULT.withDeduplicationId("ship-" + orderId).withPriority(1));
 * }</pre>
 *
 * @param workflowId the workflow's id; a new UUID when null. Enqueuing again with the id of a
 *     workflow that exists returns a handle to it instead of enqueuing a second one.
 * @param deduplicationId at most one active workflow per queue has it; another enqueue with it
 *     fails with {@link DBOSQueueDuplicatedException} until the first has finished. Null: none.
 * @param priority lower runs first; 0 (the default) runs before every positive priority. Only on a
 *     queue declared with {@code priorityEnabled}.
 * @param partitionKey the partition of a partitioned queue (its limits apply per partition):
 *     required there, refused elsewhere
 * @param delay how long the workflow waits ({@code DELAYED}) before it can be started
 * @param timeout how long the workflow may run, counted from when it is dequeued (not from the
 *     enqueue), before it is cancelled; null for no limit
 */
public record EnqueueOptions(
    String workflowId,
    String deduplicationId,
    int priority,
    String partitionKey,
    Duration delay,
    Duration timeout) {

  /** A generated id, no deduplication, priority 0, no partition, no delay, no timeout. */
  public static final EnqueueOptions DEFAULT =
      new EnqueueOptions(null, null, 0, null, Duration.ZERO, null);

  public EnqueueOptions {
    requireNullOrText(workflowId, "workflowId");
    requireNullOrText(deduplicationId, "deduplicationId");
    requireNullOrText(partitionKey, "partitionKey");
    if (priority < 0) {
      throw new IllegalArgumentException(
          "priority must be 0 or more (lower runs first), got " + priority);
    }
    Objects.requireNonNull(delay, "delay (use Duration.ZERO for none)");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, got " + delay);
    }
    if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
      throw new IllegalArgumentException(
          "timeout must be positive (or null for none), got " + timeout);
    }
  }

  public EnqueueOptions withWorkflowId(String workflowId) {
    return new EnqueueOptions(workflowId, deduplicationId, priority, partitionKey, delay, timeout);
  }

  public EnqueueOptions withDeduplicationId(String deduplicationId) {
    return new EnqueueOptions(workflowId, deduplicationId, priority, partitionKey, delay, timeout);
  }

  public EnqueueOptions withPriority(int priority) {
    return new EnqueueOptions(workflowId, deduplicationId, priority, partitionKey, delay, timeout);
  }

  public EnqueueOptions withPartitionKey(String partitionKey) {
    return new EnqueueOptions(workflowId, deduplicationId, priority, partitionKey, delay, timeout);
  }

  public EnqueueOptions withDelay(Duration delay) {
    return new EnqueueOptions(workflowId, deduplicationId, priority, partitionKey, delay, timeout);
  }

  public EnqueueOptions withTimeout(Duration timeout) {
    return new EnqueueOptions(workflowId, deduplicationId, priority, partitionKey, delay, timeout);
  }

  private static void requireNullOrText(String value, String what) {
    if (value != null && value.isBlank()) {
      throw new IllegalArgumentException(
          what + " must be null (none) or non-blank, got '" + value + "'");
    }
  }
}
