package io.dbosee.internal.engine;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Caller transactions as a server's JTA would give them, on plain JDBC: a transaction is a
 * connection with auto-commit off, bound to the thread that began it; its commit tells the engine
 * after it is done, as a JTA synchronization would.
 */
final class JdbcCallerTransactions implements CallerTransactions {
  private final DataSource dataSource;
  private final ThreadLocal<Tx> current = new ThreadLocal<>();

  /** How many calls asked to join (whether or not a transaction was open). */
  int joins;

  JdbcCallerTransactions(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Begins a transaction on the calling thread. */
  Tx begin() throws SQLException {
    Connection c = dataSource.getConnection();
    c.setAutoCommit(false);
    Tx tx = new Tx(c);
    current.set(tx);
    return tx;
  }

  @Override
  public Transaction join(String what) {
    joins++;
    return current.get();
  }

  final class Tx implements Transaction {
    private final Connection connection;
    private final List<Completion> listeners = new ArrayList<>();

    private Tx(Connection connection) {
      this.connection = connection;
    }

    /** The caller's own connection: its own statements run here. */
    Connection own() {
      return connection;
    }

    @Override
    public Connection connection() {
      // Closing hands it back to the transaction, as a JTA connection handle's close does.
      return (Connection)
          Proxy.newProxyInstance(
              Connection.class.getClassLoader(),
              new Class<?>[] {Connection.class},
              (proxy, method, args) -> {
                switch (method.getName()) {
                  case "close":
                    return null;
                  case "commit", "rollback", "setAutoCommit":
                    throw new IllegalStateException(method.getName() + " on a caller's connection");
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

    void commit() throws SQLException {
      end(true, true);
    }

    void rollback() throws SQLException {
      end(false, true);
    }

    /** Commits, and the server dies before it can tell anyone. */
    void commitAndDie() throws SQLException {
      end(true, false);
    }

    private void end(boolean commit, boolean tell) throws SQLException {
      current.remove();
      try (connection) {
        if (commit) {
          connection.commit();
        } else {
          connection.rollback();
        }
      }
      if (tell) {
        listeners.forEach(l -> l.completed(commit));
      }
    }
  }
}
