package io.dbosee.internal.jpa;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import javax.sql.DataSource;

/**
 * The JTA semantics a transaction step relies on, on plain JDBC: one connection per transaction,
 * bound to the thread; a new transaction suspends the thread's; a connection asked for inside the
 * transaction is that transaction's.
 */
final class JdbcTransactionControl implements TransactionControl {
  private final DataSource dataSource;
  private final ThreadLocal<Connection> current = new ThreadLocal<>();

  JdbcTransactionControl(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public <T> T inNewTransaction(Callable<T> work) throws Exception {
    Connection suspended = current.get();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      current.set(c);
      T result;
      try {
        result = work.call();
      } catch (Throwable t) {
        c.rollback();
        throw t;
      }
      try {
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw new CommitFailedException(e);
      }
      return result;
    } finally {
      if (suspended == null) {
        current.remove();
      } else {
        current.set(suspended);
      }
    }
  }

  @Override
  public boolean active() {
    return current.get() != null;
  }

  @Override
  public boolean rollbackOnly() {
    return false;
  }

  @Override
  public Connection connection() throws SQLException {
    Connection c = current.get();
    if (c == null) {
      return dataSource.getConnection();
    }
    // The transaction's connection; closing the handle leaves it open, as in a server.
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) ->
                method.getName().equals("close") ? null : method.invoke(c, args));
  }
}
