package io.dbosee.internal.jpa;

import jakarta.transaction.Status;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.UserTransaction;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * JTA transactions on whatever thread runs the step (usually the workflow's managed executor
 * thread, which holds none): begun and committed through the container's UserTransaction, so that
 * commit failures are seen as such. When the thread already holds a transaction, the new one is
 * begun through the container's {@code @Transactional(REQUIRES_NEW)} instead, the portable way to
 * suspend it (Liberty forbids the UserTransaction there), and so it is when the container refuses
 * the UserTransaction to the thread (Payara, on a task submitted from a {@code @Transactional}
 * method). A connection taken from the application's JTA DataSource inside the transaction is
 * enlisted in it, and the server shares it with the persistence context's work in that transaction.
 */
final class JtaTransactionControl implements TransactionControl {
  private static final Logger LOG = Logger.getLogger(JtaTransactionControl.class.getName());

  private final UserTransaction userTransaction;
  private final TransactionSynchronizationRegistry registry;
  private final DataSource dataSource;
  private final NewTransactions newTransactions;

  JtaTransactionControl(
      UserTransaction userTransaction,
      TransactionSynchronizationRegistry registry,
      DataSource dataSource,
      NewTransactions newTransactions) {
    this.userTransaction = userTransaction;
    this.registry = registry;
    this.dataSource = dataSource;
    this.newTransactions = newTransactions;
  }

  @Override
  public <T> T inNewTransaction(Callable<T> work) throws Exception {
    if (active()) {
      return suspendingCaller(work);
    }
    try {
      userTransaction.begin();
    } catch (IllegalStateException refused) {
      // The container refuses the UserTransaction to this thread: Payara, when the task was
      // submitted from a @Transactional method, whose restriction the task's context carries
      // along. Its own @Transactional(REQUIRES_NEW) begins a transaction all the same.
      LOG.log(Level.FINE, "UserTransaction refused here, beginning through REQUIRES_NEW", refused);
      return suspendingCaller(work);
    }
    T result;
    try {
      result = work.call();
    } catch (Throwable t) {
      rollback();
      throw t;
    }
    try {
      userTransaction.commit();
    } catch (Exception e) {
      rollback();
      throw new CommitFailedException(e);
    }
    return result;
  }

  private <T> T suspendingCaller(Callable<T> work) throws Exception {
    try {
      return newTransactions.requiresNew(
          () -> {
            try {
              return work.call();
            } catch (Exception e) {
              throw new WorkFailed(e);
            }
          });
    } catch (WorkFailed e) {
      throw (Exception) e.getCause();
    } catch (RuntimeException e) {
      // Not the work's exception: the container's interceptor failed to commit.
      throw new CommitFailedException(e);
    }
  }

  /** Carries the work's exception through the container's interceptor, which rolls back. */
  private static final class WorkFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WorkFailed(Exception cause) {
      super(cause);
    }
  }

  private void rollback() {
    try {
      if (userTransaction.getStatus() != Status.STATUS_NO_TRANSACTION) {
        userTransaction.rollback();
      }
    } catch (Exception e) {
      LOG.log(Level.WARNING, "Could not roll back a transaction step's transaction", e);
    }
  }

  @Override
  public boolean active() {
    return registry.getTransactionKey() != null;
  }

  @Override
  public boolean rollbackOnly() {
    return registry.getTransactionKey() != null && registry.getRollbackOnly();
  }

  @Override
  public Connection connection() throws SQLException {
    return dataSource.getConnection();
  }
}
