package io.dbosee;

/**
 * Thrown when a queue is asked for by a name that no {@link WorkflowQueue} annotation and no {@code
 * dbos.queue."<name>".*} configuration key declares. Declare the queue, or correct the name.
 */
public final class DBOSUnknownQueueException extends DBOSException {
  private static final long serialVersionUID = 1L;
  private final String queueName;

  public DBOSUnknownQueueException(String queueName, java.util.Collection<String> declared) {
    super(
        "No queue named '"
            + queueName
            + "' is declared (declared: "
            + declared
            + "). Declare it with @WorkflowQueue(name = \""
            + queueName
            + "\") on a bean class, or with dbos.queue.\""
            + queueName
            + "\".concurrency (or any other dbos.queue.\""
            + queueName
            + "\".* key) in MicroProfile Config.");
    this.queueName = queueName;
  }

  public String queueName() {
    return queueName;
  }
}
