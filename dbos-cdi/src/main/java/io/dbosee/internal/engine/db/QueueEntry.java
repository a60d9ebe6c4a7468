package io.dbosee.internal.engine.db;

/**
 * Where an enqueued workflow waits: its queue, and the options of its place there.
 *
 * @param deduplicationId at most one workflow with this id waits or runs on the queue, or null
 * @param priority lower runs first (0: no priority)
 * @param partitionKey the partition of a partitioned queue, or null
 * @param delayUntil epoch ms before which it is not dequeued (DELAYED), or null
 * @param debounced whether it is a debounced workflow ({@code is_debounced}): later calls with its
 *     deduplication id (the debounce key) push its delay back and replace its inputs
 * @param debounceDeadline epoch ms past which later calls no longer push the delay back, or null
 */
public record QueueEntry(
    String queueName,
    String deduplicationId,
    int priority,
    String partitionKey,
    Long delayUntil,
    boolean debounced,
    Long debounceDeadline) {

  /** An entry that is not debounced. */
  public QueueEntry(
      String queueName,
      String deduplicationId,
      int priority,
      String partitionKey,
      Long delayUntil) {
    this(queueName, deduplicationId, priority, partitionKey, delayUntil, false, null);
  }
}
