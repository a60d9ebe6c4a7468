package io.dbosee.sample.it.inserver;

import io.dbosee.DBOS;
import io.dbosee.DBOSQueueDuplicatedException;
import io.dbosee.EnqueueOptions;
import io.dbosee.Queue;
import io.dbosee.QueueName;
import io.dbosee.WorkflowHandle;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * {@code @Transactional} callers of the transactional outbox (test only): each writes the
 * application's row through {@code jdbc/app} (the outbox DataSource too, so one connection and a
 * one-phase commit) and starts, enqueues or sends in the same JTA transaction. The table {@code
 * outbox_rows} is created by the test.
 */
@ApplicationScoped
public class OutboxProbes {
  @Inject DBOS dbos;
  @Inject OutboxWorkflows workflows;

  @Inject
  @QueueName(OutboxWorkflows.QUEUE)
  Queue queue;

  @Resource(lookup = "jdbc/app")
  DataSource app;

  @Resource TransactionSynchronizationRegistry transactions;

  public static String enqueuedId(String key) {
    return key + "-queued";
  }

  public static String startedId(String key) {
    return key + "-started";
  }

  public static String inboxId(String key) {
    return key + "-inbox";
  }

  /**
   * In one transaction: the row, an enqueue, a start in the background, a send to the waiting
   * {@link #inboxId}; then, with {@code fail}, a failure that rolls all of it back.
   */
  @Transactional
  public String placeAndDispatch(String key, boolean fail) throws SQLException {
    insertRow(key);
    enqueue(key);
    start(key);
    dbos.send(inboxId(key), "hello " + key, OutboxWorkflows.TOPIC);
    if (fail) {
      throw new IllegalStateException("failed after the row, the enqueue, the start and the send");
    }
    return "committed " + key;
  }

  /**
   * The row, an enqueue and a start, and the server halts as soon as the transaction has committed:
   * before the library dispatches what it committed. Liberty calls interposed synchronizations'
   * afterCompletion in the order they were registered (RegisteredSyncs: one list per tier), so the
   * halt, registered before the library's, comes first. (Were the library's first, this would still
   * be a crash right after the commit, only a later one.)
   */
  @Transactional
  public String placeThenCrash(String key) throws SQLException {
    transactions.registerInterposedSynchronization(new HaltAfterCommit());
    insertRow(key);
    enqueue(key);
    start(key);
    return "committed " + key + " (the server should have halted)";
  }

  /** A handle's result asked for inside the transaction that starts its workflow. */
  @Transactional
  public String resultInside(String key) throws SQLException {
    insertRow(key);
    WorkflowHandle<String, SQLException> handle = start(key);
    try {
      return "getResult returned " + handle.getResult();
    } catch (IllegalStateException e) {
      return e.getMessage();
    }
  }

  /**
   * Two enqueues with one deduplication id in one transaction: the second is refused, the caller
   * goes on (the row is written after the refusal) and commits.
   */
  @Transactional
  public String duplicate(String key) throws SQLException {
    EnqueueOptions deduplicated = EnqueueOptions.DEFAULT.withDeduplicationId(key);
    queue.enqueue(() -> workflows.counted(key), deduplicated.withWorkflowId(enqueuedId(key)));
    String refused;
    try {
      queue.enqueue(
          () -> workflows.counted(key), deduplicated.withWorkflowId(enqueuedId(key) + "-again"));
      refused = "not refused";
    } catch (DBOSQueueDuplicatedException e) {
      refused = "refused " + e.workflowId();
    }
    insertRow(key);
    return refused + ", then committed " + key;
  }

  private WorkflowHandle<String, SQLException> enqueue(String key) {
    return queue.enqueue(
        () -> workflows.counted(key), EnqueueOptions.DEFAULT.withWorkflowId(enqueuedId(key)));
  }

  private WorkflowHandle<String, SQLException> start(String key) {
    try (var scope = dbos.withWorkflowId(startedId(key))) {
      return dbos.startWorkflow(() -> workflows.counted(key));
    }
  }

  private void insertRow(String key) throws SQLException {
    try (Connection c = app.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO outbox_rows (key) VALUES (?)")) {
      ps.setString(1, key);
      ps.executeUpdate();
    }
  }

  /** Halts the JVM once the transaction has committed: a crash, no shutdown hook runs. */
  private static final class HaltAfterCommit implements Synchronization {
    @Override
    public void beforeCompletion() {}

    @Override
    public void afterCompletion(int status) {
      if (status == Status.STATUS_COMMITTED) {
        Runtime.getRuntime().halt(137);
      }
    }
  }
}
