package io.dbosee.internal.jpa;

import io.dbosee.DBOSApplicationDatabaseException;
import io.dbosee.DBOSInterruptedException;
import io.dbosee.DBOSTransactionRolledBackException;
import io.dbosee.Transaction;
import io.dbosee.internal.engine.Invocation;
import io.dbosee.internal.engine.StepCall;
import io.dbosee.internal.engine.StepExecution;
import io.dbosee.internal.jpa.TransactionControl.CommitFailedException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs a transaction step's body in a new transaction of the given isolation level and records its
 * outcome in {@code datasource_outputs} in that same transaction, so that the step's writes and its
 * record commit together or not at all.
 *
 * <ul>
 *   <li>A result: inserted before the commit; the commit makes both durable.
 *   <li>An exception from the body, or a failed commit: the writes are rolled back, the exception
 *       is recorded in a separate transaction and rethrown unchanged (a failed commit as a {@link
 *       DBOSTransactionRolledBackException}).
 *   <li>A serialization failure or a deadlock: rolled back and run again after a growing wait, at
 *       most {@link RetryBackoff#maxAttempts()} times; a retry first looks for an outcome a
 *       concurrent execution may have recorded meanwhile.
 *   <li>A unique violation on the outcome row: another execution of the same workflow recorded this
 *       step first; its outcome is returned (or thrown) instead.
 *   <li>Failures of the bookkeeping itself throw {@link DBOSApplicationDatabaseException}, which
 *       leaves the workflow PENDING instead of recording a failure.
 * </ul>
 */
final class TransactionStepExecution implements StepExecution {
  private static final Logger LOG = Logger.getLogger(TransactionStepExecution.class.getName());

  /** Waits between attempts; a seam for tests. */
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private final TransactionControl tx;
  private final OutcomeTable table;
  private final Transaction.Isolation isolation;
  private final String isolationSql;
  private final RetryBackoff backoff;
  private final Sleeper sleeper;

  TransactionStepExecution(
      TransactionControl tx,
      OutcomeTable table,
      Transaction.Isolation isolation,
      RetryBackoff backoff,
      Sleeper sleeper) {
    this.tx = Objects.requireNonNull(tx, "tx");
    this.table = Objects.requireNonNull(table, "table");
    this.isolation = Objects.requireNonNull(isolation, "isolation");
    this.isolationSql = "SET TRANSACTION ISOLATION LEVEL " + isolation.sql();
    this.backoff = Objects.requireNonNull(backoff, "backoff");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
  }

  @Override
  public Optional<RecordedOutcome> recorded(StepCall call) {
    try (Connection c = tx.connection()) {
      return table.find(c, call.workflowId(), call.functionId());
    } catch (SQLException e) {
      throw bookkeeping("read the recorded outcome of", call, e);
    }
  }

  /**
   * Outside a workflow: an ordinary transaction, the caller's if it has one, with no bookkeeping.
   */
  Object joinOrBegin(Invocation body) throws Exception {
    if (tx.active()) {
      return body.proceed();
    }
    try {
      return tx.inNewTransaction(
          () -> {
            try (Connection c = tx.connection()) {
              isolate(c);
            }
            return body.proceed();
          });
    } catch (CommitFailedException e) {
      throw new DBOSTransactionRolledBackException(
          "The transaction could not commit, so its writes were rolled back: " + reason(e),
          e.getCause());
    }
  }

  /**
   * Inside a workflow: its own unit of work. A transaction the workflow's thread holds is neither
   * joined nor affected.
   */
  @Override
  public Object execute(StepCall call, Invocation body) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return once(call, body, attempt > 1);
      } catch (Retry retry) {
        if (!backoff.mayRetryAfter(attempt)) {
          LOG.log(
              Level.WARNING,
              "Transaction step ''{0}'' of workflow ''{1}'' failed {2} times on a serialization"
                  + " failure or deadlock; recording the failure",
              new Object[] {call.stepName(), call.workflowId(), attempt});
          return failed(call, retry.failure);
        }
        Duration delay = backoff.delayAfter(attempt);
        LOG.log(
            Level.FINE,
            "Transaction step ''{0}'' of workflow ''{1}'': attempt {2} hit a serialization failure"
                + " or deadlock; retrying in {3} ms",
            new Object[] {call.stepName(), call.workflowId(), attempt, delay.toMillis()});
        pause(call, delay);
      }
    }
  }

  /** What one attempt's transaction ended with, when it committed. */
  private record Committed(Object result, RecordedOutcome foundFirst) {}

  /** One attempt: a new transaction that runs the body and records its result, or fails. */
  private Object once(StepCall call, Invocation body, boolean retry) throws Exception {
    Committed committed;
    try {
      committed =
          tx.inNewTransaction(
              () -> {
                try (Connection c = tx.connection()) {
                  isolate(c);
                  if (retry) {
                    Optional<RecordedOutcome> found =
                        table.find(c, call.workflowId(), call.functionId());
                    if (found.isPresent()) {
                      return new Committed(null, found.get());
                    }
                  }
                } catch (SQLException e) {
                  throw new BookkeepingFailed("begin", e);
                }
                Object result;
                try {
                  result = body.proceed();
                } catch (Throwable t) {
                  throw new BodyFailed(t);
                }
                if (tx.rollbackOnly()) {
                  throw new BodyFailed(
                      rolledBack(call, "its transaction was marked rollback-only", null));
                }
                RecordedOutcome outcome =
                    new RecordedOutcome(call.serializeResult(result), null, call.serialization());
                try (Connection c = tx.connection()) {
                  table.insert(c, call.workflowId(), call.functionId(), outcome);
                } catch (SQLException e) {
                  throw new BookkeepingFailed("record the outcome of", e);
                }
                return new Committed(result, null);
              });
    } catch (BodyFailed e) {
      Throwable failure = e.getCause();
      if (call.mustStayPending(failure)) {
        throw Rethrow.<Exception>sneaky(failure);
      }
      if (SqlStates.isRetryable(failure)) {
        throw new Retry(failure);
      }
      return failed(call, failure);
    } catch (BookkeepingFailed e) {
      SQLException cause = (SQLException) e.getCause();
      if (SqlStates.isUniqueViolation(cause)) {
        return recordedFirst(call);
      }
      if (SqlStates.isRetryable(cause)) {
        throw new Retry(cause);
      }
      throw bookkeeping(e.what, call, cause);
    } catch (CommitFailedException e) {
      if (SqlStates.isUniqueViolation(e) && recorded(call).isPresent()) {
        return recordedFirst(call);
      }
      DBOSTransactionRolledBackException failure =
          rolledBack(call, "could not commit", e.getCause());
      if (SqlStates.isRetryable(e)) {
        throw new Retry(failure);
      }
      return failed(call, failure);
    }
    if (committed.foundFirst() != null) {
      return call.replay(committed.foundFirst());
    }
    return committed.result();
  }

  private static DBOSTransactionRolledBackException rolledBack(
      StepCall call, String what, Throwable cause) {
    return new DBOSTransactionRolledBackException(
        "Transaction step '"
            + call.stepName()
            + "' of workflow '"
            + call.workflowId()
            + "' "
            + what
            + ", so its writes were rolled back"
            + (cause == null ? "" : ": " + reason(cause)),
        cause);
  }

  /** Records a failure in its own transaction (the step's was rolled back) and rethrows it. */
  private Object failed(StepCall call, Throwable failure) throws Exception {
    RecordedOutcome outcome =
        new RecordedOutcome(null, call.serializeError(failure), call.serialization());
    try {
      tx.inNewTransaction(
          () -> {
            try (Connection c = tx.connection()) {
              table.insert(c, call.workflowId(), call.functionId(), outcome);
            }
            return null;
          });
    } catch (SQLException | CommitFailedException e) {
      if (SqlStates.isUniqueViolation(e)) {
        return recordedFirst(call);
      }
      throw bookkeeping("record the failure of", call, e);
    }
    throw Rethrow.<Exception>sneaky(failure);
  }

  /** The outcome another execution recorded first, returned or thrown as this step's. */
  private Object recordedFirst(StepCall call) {
    RecordedOutcome winner =
        recorded(call)
            .orElseThrow(
                () ->
                    new DBOSApplicationDatabaseException(
                        "Transaction step '"
                            + call.stepName()
                            + "' of workflow '"
                            + call.workflowId()
                            + "' was recorded by another execution, but that record cannot be"
                            + " read from "
                            + table.qualifiedName(),
                        null));
    LOG.log(
        Level.FINE,
        "Transaction step ''{0}'' of workflow ''{1}'' was recorded first by another execution;"
            + " using its outcome",
        new Object[] {call.stepName(), call.workflowId()});
    return call.replay(winner);
  }

  /**
   * Must be the transaction's first statement: PostgreSQL fixes the level there. Prepared rather
   * than created: the server's statement cache keeps it from one step to the next, where a new
   * {@code Statement} costs the server's wrappers each time.
   */
  private void isolate(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(isolationSql)) {
      s.execute();
    }
  }

  private void pause(StepCall call, Duration delay) {
    try {
      sleeper.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DBOSInterruptedException(
          call.workflowId(),
          "Workflow '"
              + call.workflowId()
              + "' was interrupted while retrying transaction step '"
              + call.stepName()
              + "'; it stays PENDING and resumes when the application starts again.");
    }
  }

  private DBOSApplicationDatabaseException bookkeeping(
      String what, StepCall call, Exception cause) {
    return new DBOSApplicationDatabaseException(
        "Could not "
            + what
            + " transaction step '"
            + call.stepName()
            + "' of workflow '"
            + call.workflowId()
            + "' in "
            + table.qualifiedName()
            + " ("
            + reason(cause)
            + "). Nothing was recorded; the workflow stays PENDING.",
        cause);
  }

  /** The most specific message in the chain: usually PostgreSQL's own. */
  static String reason(Throwable t) {
    String message = String.valueOf(t);
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c.getMessage() != null) {
        message = c.getMessage();
      }
    }
    return message;
  }

  /** The body threw (the transaction rolled back): the step's own failure. */
  private static final class BodyFailed extends Exception {
    private static final long serialVersionUID = 1L;

    BodyFailed(Throwable cause) {
      super(cause);
    }
  }

  /** Reading or writing {@code datasource_outputs} failed (the transaction rolled back). */
  private static final class BookkeepingFailed extends Exception {
    private static final long serialVersionUID = 1L;
    final String what;

    BookkeepingFailed(String what, SQLException cause) {
      super(cause);
      this.what = what;
    }
  }

  /** A serialization failure or deadlock: roll back and run the step again. */
  private static final class Retry extends Exception {
    private static final long serialVersionUID = 1L;
    final transient Throwable failure;

    Retry(Throwable failure) {
      super(failure);
      this.failure = failure;
    }
  }

  private static final class Rethrow {
    private Rethrow() {}

    @SuppressWarnings("unchecked")
    static <X extends Throwable> RuntimeException sneaky(Throwable t) throws X {
      throw (X) t;
    }
  }
}
