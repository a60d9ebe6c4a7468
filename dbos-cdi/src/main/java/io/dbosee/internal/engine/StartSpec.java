package io.dbosee.internal.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * How the next workflow call on a thread is to be started instead of run and awaited: in the
 * background on this server, or on a queue.
 *
 * @param queueName the queue, or null to start at once in the background
 * @param workflowId the id to use, or null for the assigned one or a new one
 * @param deduplicationId the queue's deduplication id, or null
 * @param priority the priority on the queue (lower first)
 * @param partitionKey the partition of a partitioned queue, or null
 * @param delay how long the workflow waits before it can be dequeued
 * @param timeout how long the workflow may run before it is cancelled (for a queued one, from its
 *     start), or null for no limit
 */
public record StartSpec(
    String queueName,
    String workflowId,
    String deduplicationId,
    int priority,
    String partitionKey,
    Duration delay,
    Duration timeout) {

  public StartSpec {
    Objects.requireNonNull(delay, "delay");
    StorableText.optional(queueName, "the queue name");
    StorableText.optional(workflowId, "the workflow id");
    StorableText.optional(deduplicationId, "the deduplication id");
    StorableText.optional(partitionKey, "the partition key");
    if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
      throw new IllegalArgumentException("a workflow timeout must be positive, got " + timeout);
    }
  }

  /** Start at once in the background, on this server. */
  public static StartSpec background() {
    return new StartSpec(null, null, null, 0, null, Duration.ZERO, null);
  }

  /** Enqueue on {@code queueName}, at once, with no other option (add them with the withers). */
  public static StartSpec onQueue(String queueName) {
    return new StartSpec(
        Objects.requireNonNull(queueName, "queueName"), null, null, 0, null, Duration.ZERO, null);
  }

  public StartSpec withWorkflowId(String workflowId) {
    return new StartSpec(
        queueName, workflowId, deduplicationId, priority, partitionKey, delay, timeout);
  }

  public StartSpec withDeduplicationId(String deduplicationId) {
    return new StartSpec(
        queueName, workflowId, deduplicationId, priority, partitionKey, delay, timeout);
  }

  public StartSpec withPriority(int priority) {
    return new StartSpec(
        queueName, workflowId, deduplicationId, priority, partitionKey, delay, timeout);
  }

  public StartSpec withPartitionKey(String partitionKey) {
    return new StartSpec(
        queueName, workflowId, deduplicationId, priority, partitionKey, delay, timeout);
  }

  public StartSpec withDelay(Duration delay) {
    return new StartSpec(
        queueName, workflowId, deduplicationId, priority, partitionKey, delay, timeout);
  }

  /** A timeout's clock starts when the workflow starts (for a queued one, when it is dequeued). */
  public StartSpec withTimeout(Duration timeout) {
    return new StartSpec(
        queueName, workflowId, deduplicationId, priority, partitionKey, delay, timeout);
  }
}
