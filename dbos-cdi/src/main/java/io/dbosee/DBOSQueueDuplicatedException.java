package io.dbosee;

/**
 * Thrown by {@link Queue#enqueue} when the queue already holds an active workflow (enqueued,
 * delayed or running) with the same deduplication id. The existing workflow is unaffected; once it
 * has finished, the deduplication id can be used again. React by treating the work as already
 * submitted, or by retrying later.
 *
 * <p>Also thrown by {@link DBOS#debounce} when the key's deduplication id ({@code
 * <class>.<workflow>-<key>}) is held on the queue by a workflow that is not the debounced one.
 */
public final class DBOSQueueDuplicatedException extends DBOSException {
  private static final long serialVersionUID = 1L;
  private final String workflowId;
  private final String queueName;
  private final String deduplicationId;

  public DBOSQueueDuplicatedException(String workflowId, String queueName, String deduplicationId) {
    super(
        "Workflow '"
            + workflowId
            + "' was not enqueued: queue '"
            + queueName
            + "' already holds an active workflow with deduplication id '"
            + deduplicationId
            + "'. The id can be used again once that workflow has finished.");
    this.workflowId = workflowId;
    this.queueName = queueName;
    this.deduplicationId = deduplicationId;
  }

  /** The id the refused workflow would have had. */
  public String workflowId() {
    return workflowId;
  }

  public String queueName() {
    return queueName;
  }

  public String deduplicationId() {
    return deduplicationId;
  }
}
