package io.dbosee.internal.jpa;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Callable;

/**
 * The few transaction operations a transaction step needs, on the thread that runs it. In the
 * server: JTA ({@link JtaTransactionControl}); a seam so that the step's rules can also be tested
 * on plain JDBC.
 */
interface TransactionControl {

  /**
   * Runs {@code work} in a new transaction, with the thread's own transaction (if any) suspended
   * meanwhile. Commits when it returns; rolls back when it throws, and rethrows that exception
   * unchanged.
   *
   * @throws CommitFailedException when the work returned but the transaction could not commit (it
   *     was rolled back), for instance when flushing the persistence context violated a constraint
   */
  <T> T inNewTransaction(Callable<T> work) throws Exception;

  /** Whether this thread holds a transaction. */
  boolean active();

  /** Whether this thread's transaction can only roll back. */
  boolean rollbackOnly();

  /**
   * A connection to the application database, enlisted in this thread's transaction (the same one
   * the persistence context uses); in auto-commit mode when there is none. Close it after use.
   */
  Connection connection() throws SQLException;

  /** The work returned, but its transaction did not commit. */
  final class CommitFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    CommitFailedException(Throwable cause) {
      super(cause);
    }
  }
}
