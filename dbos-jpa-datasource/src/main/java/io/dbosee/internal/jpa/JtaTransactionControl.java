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
 * Transactions through the container's UserTransaction, on whatever thread runs the step (the
 * workflow's managed executor thread). A connection taken from the application's JTA DataSource
 * inside the transaction is enlisted in it, and the server shares it with the persistence context's
 * work in that transaction.
 */
final class JtaTransactionControl implements TransactionControl {
  private static final Logger LOG = Logger.getLogger(JtaTransactionControl.class.getName());

  private final UserTransaction userTransaction;
  private final TransactionSynchronizationRegistry registry;
  private final DataSource dataSource;
  private final TransactionSuspender suspender;

  JtaTransactionControl(
      UserTransaction userTransaction,
      TransactionSynchronizationRegistry registry,
      DataSource dataSource,
      TransactionSuspender suspender) {
    this.userTransaction = userTransaction;
    this.registry = registry;
    this.dataSource = dataSource;
    this.suspender = suspender;
  }

  @Override
  public void begin() throws Exception {
    userTransaction.begin();
  }

  @Override
  public void commit() throws Exception {
    userTransaction.commit();
  }

  @Override
  public void rollback() {
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
  public <T> T withoutTransaction(Callable<T> work) throws Exception {
    return suspender.outside(work);
  }

  @Override
  public Connection connection() throws SQLException {
    return dataSource.getConnection();
  }
}
