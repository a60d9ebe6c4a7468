package io.dbosee.sample.it.inserver;

import io.dbosee.DBOS;
import io.dbosee.Queue;
import io.dbosee.QueueName;
import io.dbosee.Step;
import io.dbosee.StepOptions;
import io.dbosee.Transaction;
import io.dbosee.Workflow;
import io.dbosee.WorkflowHandle;
import io.dbosee.WorkflowQueue;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The crash trials' workload (test only): one workflow that does a bit of everything a workflow
 * does, each part leaving a trace the test can count after the server was SIGKILLed and restarted.
 *
 * <ul>
 *   <li>plain steps ({@link #first}, {@link #last}, {@link #queuedStep}, and {@code received} and
 *       {@code limitedStep} run with {@link DBOS#runStep}) add one row to {@code crash_effects} per
 *       execution, on an auto-commit connection (a side effect the engine cannot roll back), then
 *       work a few milliseconds before returning;
 *   <li>a {@code @Transaction} step ({@link #txInsert}) adds one row to {@code crash_tx_rows} in
 *       the step's JTA transaction;
 *   <li>a step enqueued on a queue, a durable sleep, a child workflow that receives a message the
 *       parent sends.
 * </ul>
 *
 * <p>The tables are created by the test ({@code CrashTrialsIT}).
 */
@WorkflowQueue(name = CrashWorkload.WORKFLOWS)
@WorkflowQueue(name = CrashWorkload.STEPS)
@WorkflowQueue(name = CrashWorkload.LIMITED, concurrency = CrashWorkload.LIMIT)
@ApplicationScoped
public class CrashWorkload {
  /** Where the test enqueues half of its workflows. */
  public static final String WORKFLOWS = "crash-workflows";

  /** Where a workflow enqueues its queued step. */
  public static final String STEPS = "crash-steps";

  /** A queue whose workflows run at most {@link #LIMIT} at a time across all servers. */
  public static final String LIMITED = "crash-limited";

  public static final int LIMIT = 2;

  static final String TOPIC = "crash";

  /**
   * A step that fails (its database went away) is tried again, 0.5 s later, then 1.5 times longer
   * each time: about 30 s in all, longer than the database outage of the test.
   */
  static final int RETRIES = 10;

  /** The same retries for the steps run with {@link DBOS#runStep}. */
  static final StepOptions RETRY =
      StepOptions.DEFAULT
          .withMaxAttempts(RETRIES)
          .withInterval(Duration.ofMillis(500))
          .withBackoffRate(1.5);

  @Inject DBOS dbos;
  @Inject CrashWorkload self;

  @Inject
  @QueueName(STEPS)
  Queue steps;

  /** Auto-commit connections that never join a JTA transaction: effects nothing rolls back. */
  @Resource(lookup = "jdbc/dbosSystem")
  DataSource autocommit;

  /** The application's JTA DataSource: a {@code @Transaction} step's writes commit with it. */
  @Resource(lookup = "jdbc/app")
  DataSource app;

  @Workflow
  public String mixed(int workMs, int sleepMs) throws Exception {
    String id = dbos.workflowId().orElseThrow();
    self.first(workMs);
    self.txInsert();
    WorkflowHandle<String, Exception> queued = steps.enqueue(() -> self.queuedStep(workMs));
    String queuedResult = queued.getResult();
    dbos.sleep(Duration.ofMillis(sleepMs));
    WorkflowHandle<String, Exception> receiver = dbos.startWorkflow(() -> self.receiver(workMs));
    dbos.send(receiver.workflowId(), "ping from " + id, TOPIC);
    String receivedResult = receiver.getResult();
    self.last(workMs);
    return queuedResult + ", " + receivedResult;
  }

  @Step(maxAttempts = RETRIES, intervalSeconds = 0.5, backoffRate = 1.5)
  public void first(int workMs) {
    effect("first", workMs);
  }

  /** A child workflow: receives the parent's message, then records it in a step of its own. */
  @Workflow
  public String receiver(int workMs) {
    String message =
        dbos.recv(TOPIC, String.class, Duration.ofMinutes(10))
            .orElseThrow(() -> new IllegalStateException("no message in ten minutes"));
    return dbos.runStep(
        "received",
        RETRY,
        String.class,
        () -> {
          effect("received", workMs);
          return "received '" + message + "'";
        });
  }

  @Step(maxAttempts = RETRIES, intervalSeconds = 0.5, backoffRate = 1.5)
  public String queuedStep(int workMs) {
    effect("queuedStep", workMs);
    return "queued step done";
  }

  /**
   * A workflow of the limited queue: one step that records when it ran and on which server, so the
   * test can check the global concurrency and that no workflow ran on two servers at once.
   */
  @Workflow
  public String limited(int workMs) {
    return dbos.runStep(
        "limitedStep",
        RETRY,
        String.class,
        () -> {
          effect("limitedStep", workMs);
          return "limited step done";
        });
  }

  @Step(maxAttempts = RETRIES, intervalSeconds = 0.5, backoffRate = 1.5)
  public void last(int workMs) {
    effect("last", workMs);
  }

  @Transaction
  public void txInsert() throws SQLException {
    try (Connection c = app.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO crash_tx_rows (workflow_id, step, pid) VALUES (?, 'txInsert', ?)")) {
      ps.setString(1, dbos.workflowId().orElseThrow());
      ps.setLong(2, ProcessHandle.current().pid());
      ps.executeUpdate();
    }
  }

  /**
   * One execution of a step: a row in {@code crash_effects} committed at once, {@code workMs} of
   * work, then the row's end time.
   */
  private void effect(String step, int workMs) {
    try (Connection c = autocommit.getConnection()) {
      long row;
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO crash_effects (workflow_id, step, executor, pid) VALUES (?, ?, ?, ?)"
                  + " RETURNING id")) {
        ps.setString(1, dbos.workflowId().orElseThrow());
        ps.setString(2, step);
        ps.setString(3, dbos.executorId());
        ps.setLong(4, ProcessHandle.current().pid());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          row = rs.getLong(1);
        }
      }
      Thread.sleep(workMs); // the step's work: the kill may land here
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE crash_effects SET ended_at = clock_timestamp() WHERE id = ?")) {
        ps.setLong(1, row);
        ps.executeUpdate();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not record an execution of " + step, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted in " + step, e);
    }
  }
}
