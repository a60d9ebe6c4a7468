package io.dbosee.internal.jpa;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Callable;

/**
 * The few transaction operations a transaction step needs, on the thread that runs it. In the
 * server: JTA's UserTransaction and the application's transactional DataSource ({@link
 * JtaTransactionControl}); a seam so that the step's rules can also be tested on plain JDBC.
 */
interface TransactionControl {

  /** Starts a transaction on this thread; none may be active. */
  void begin() throws Exception;

  /**
   * Commits the transaction begun here. Throws when it could not commit (it is then rolled back),
   * for instance when flushing the persistence context at commit violates a constraint.
   */
  void commit() throws Exception;

  /** Rolls back the transaction begun here, if one is still active; never throws. */
  void rollback();

  /** Whether this thread holds a transaction (its caller's, or one begun here). */
  boolean active();

  /** Runs {@code work} with this thread's transaction suspended, resuming it afterwards. */
  <T> T withoutTransaction(Callable<T> work) throws Exception;

  /**
   * A connection to the application database, enlisted in this thread's transaction (the same one
   * the persistence context uses); in auto-commit mode when there is none. Close it after use.
   */
  Connection connection() throws SQLException;
}
