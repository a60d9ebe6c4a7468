package io.dbosee.internal.engine;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Callers' transactions on plain JDBC, for the engine outside a server (Java SE, tests, the
 * benchmark), as a server's JTA gives them: a transaction is a connection with auto-commit off,
 * bound to the thread that began it; starts, enqueues and sends made on that thread join it, and
 * its commit dispatches them once it is done.
 */
public final class JdbcCallerTransactions implements CallerTransactions {
  private final DataSource dataSource;
  private final ThreadLocal<Tx> current = new ThreadLocal<>();

  /**
   * @param dataSource connections to the PostgreSQL database that holds the system schema
   */
  public JdbcCallerTransactions(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Begins a transaction on the calling thread; end it with {@link Tx#commit} or rollback. */
  public Tx begin() throws SQLException {
    if (current.get() != null) {
      throw new IllegalStateException("This thread already runs in a transaction");
    }
    Connection c = dataSource.getConnection();
    c.setAutoCommit(false);
    Tx tx = new Tx(c);
    current.set(tx);
    return tx;
  }

  @Override
  public Transaction join(String what) {
    return current.get();
  }

  /** A transaction begun on one thread. */
  public final class Tx implements Transaction {
    private final Connection connection;
    private final List<Completion> listeners = new ArrayList<>();

    private Tx(Connection connection) {
      this.connection = connection;
    }

    /** The transaction's own connection, for the caller's own statements. */
    public Connection own() {
      return connection;
    }

    /** The same connection, which the engine may close without ending the transaction. */
    @Override
    public Connection connection() {
      return (Connection)
          Proxy.newProxyInstance(
              Connection.class.getClassLoader(),
              new Class<?>[] {Connection.class},
              (proxy, method, args) -> {
                switch (method.getName()) {
                  case "close":
                    return null;
                  case "commit", "rollback", "setAutoCommit":
                    throw new IllegalStateException(
                        method.getName() + " on a connection the caller's transaction owns");
                  default:
                    try {
                      return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                      throw e.getCause();
                    }
                }
              });
    }

    @Override
    public void onCompletion(Completion listener) {
      listeners.add(listener);
    }

    /** Commits, closes the connection and then dispatches what joined. */
    public void commit() throws SQLException {
      end(true);
    }

    /** Rolls back and closes the connection: nothing that joined remains. */
    public void rollback() throws SQLException {
      end(false);
    }

    private void end(boolean commit) throws SQLException {
      current.remove();
      try (connection) {
        if (commit) {
          connection.commit();
        } else {
          connection.rollback();
        }
      }
      listeners.forEach(l -> l.completed(commit));
    }
  }
}
