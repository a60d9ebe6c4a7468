package io.dbosee.internal.engine.db;

/**
 * Where an enqueued workflow waits: its queue, and the options of its place there.
 *
 * @param deduplicationId at most one workflow with this id waits or runs on the queue, or null
 * @param priority lower runs first (0: no priority)
 * @param partitionKey the partition of a partitioned queue, or null
 * @param delayUntil epoch ms before which it is not dequeued (DELAYED), or null
 */
public record QueueEntry(
    String queueName, String deduplicationId, int priority, String partitionKey, Long delayUntil) {}
