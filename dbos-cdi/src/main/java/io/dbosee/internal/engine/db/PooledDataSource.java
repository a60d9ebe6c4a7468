package io.dbosee.internal.engine.db;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A small bounded JDBC connection pool for a system database configured by URL. It creates no
 * threads (it runs inside an application server): connections are opened on demand, checked when
 * they have been idle a while, and discarded when they broke.
 *
 * <p>Pitfall: a borrower that cannot get a connection within the borrow timeout gets an {@link
 * SQLException}; raise {@code dbos.system-database.pool-size} when many workflows run at once.
 */
public final class PooledDataSource implements DataSource, AutoCloseable {
  private static final long VALIDATE_AFTER_IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final String url;
  private final String user;
  private final String password;
  private final int maxSize;
  private final Duration borrowTimeout;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition returned = lock.newCondition();
  private final Deque<Idle> idle = new ArrayDeque<>();
  private int open;
  private boolean closed;

  private record Idle(Connection connection, long since) {}

  public PooledDataSource(
      String url, String user, String password, int maxSize, Duration borrowTimeout) {
    this.url = Objects.requireNonNull(url, "url");
    this.user = user;
    this.password = password;
    if (maxSize < 1) {
      throw new IllegalArgumentException("a pool needs at least one connection, got " + maxSize);
    }
    this.maxSize = maxSize;
    this.borrowTimeout = Objects.requireNonNull(borrowTimeout, "borrowTimeout");
  }

  @Override
  public Connection getConnection() throws SQLException {
    long deadline = System.nanoTime() + borrowTimeout.toNanos();
    while (true) {
      Idle reused = null;
      boolean mayOpen = false;
      lock.lock();
      try {
        while (true) {
          if (closed) {
            throw new SQLException("The DBOS system database pool is closed.", "08003");
          }
          if (!idle.isEmpty()) {
            reused = idle.pop();
            break;
          }
          if (open < maxSize) {
            open++;
            mayOpen = true;
            break;
          }
          long remaining = deadline - System.nanoTime();
          if (remaining <= 0) {
            throw new SQLException(
                "No system database connection became free within "
                    + borrowTimeout.toMillis()
                    + " ms: all "
                    + maxSize
                    + " are in use. Raise dbos.system-database.pool-size.",
                "08004");
          }
          try {
            returned.awaitNanos(remaining);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("Interrupted while waiting for a system database connection");
          }
        }
      } finally {
        lock.unlock();
      }
      if (mayOpen) {
        return lend(openPhysical());
      }
      if (System.nanoTime() - reused.since() < VALIDATE_AFTER_IDLE_NANOS
          || isUsable(reused.connection())) {
        return lend(reused.connection());
      }
      discard(reused.connection());
    }
  }

  private Connection openPhysical() throws SQLException {
    try {
      return DriverManager.getConnection(url, user, password);
    } catch (SQLException | RuntimeException e) {
      releaseSlot();
      if (e instanceof SQLException sql
          && "08001".equals(sql.getSQLState())
          && sql.getMessage() != null
          && sql.getMessage().startsWith("No suitable driver")) {
        throw new SQLException(
            "No JDBC driver accepts "
                + url
                + ". Add org.postgresql:postgresql to the application (WEB-INF/lib) or to the"
                + " server's shared library.",
            "08001",
            e);
      }
      throw e;
    }
  }

  private static boolean isUsable(Connection connection) {
    try {
      return connection.isValid(1);
    } catch (SQLException e) {
      return false;
    }
  }

  private void discard(Connection connection) {
    try {
      connection.close();
    } catch (SQLException ignored) {
      // it is being thrown away because it broke
    }
    releaseSlot();
  }

  /** One fewer open connection: a waiter may now open one. */
  private void releaseSlot() {
    lock.lock();
    try {
      open--;
      returned.signal();
    } finally {
      lock.unlock();
    }
  }

  private void giveBack(Connection connection, boolean broken) {
    boolean keep = !broken;
    if (keep) {
      try {
        if (connection.isClosed()) {
          keep = false;
        } else if (!connection.getAutoCommit()) {
          connection.rollback();
          connection.setAutoCommit(true);
        }
      } catch (SQLException e) {
        keep = false;
      }
    }
    lock.lock();
    try {
      if (keep && !closed) {
        idle.push(new Idle(connection, System.nanoTime()));
        returned.signal();
        return;
      }
    } finally {
      lock.unlock();
    }
    discard(connection);
  }

  /** A view of the connection whose close() returns it, and which notices when it broke. */
  private Connection lend(Connection physical) {
    InvocationHandler handler =
        new InvocationHandler() {
          private boolean returnedToPool;
          private boolean broken;

          @Override
          public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (name.equals("close")) {
              if (!returnedToPool) {
                returnedToPool = true;
                giveBack(physical, broken);
              }
              return null;
            }
            if (name.equals("isClosed")) {
              return returnedToPool || physical.isClosed();
            }
            if (returnedToPool) {
              throw new SQLException("This connection was returned to the pool", "08003");
            }
            try {
              return method.invoke(physical, args);
            } catch (InvocationTargetException e) {
              Throwable cause = e.getCause();
              if (cause instanceof SQLException sql
                  && sql.getSQLState() != null
                  && sql.getSQLState().startsWith("08")) {
                broken = true; // connection-level failure: never reuse it
              }
              throw cause;
            }
          }
        };
    return (Connection)
        Proxy.newProxyInstance(
            PooledDataSource.class.getClassLoader(), new Class<?>[] {Connection.class}, handler);
  }

  /** Closes idle connections; connections in use are closed when they are returned. */
  @Override
  public void close() {
    Deque<Idle> toClose;
    lock.lock();
    try {
      closed = true;
      toClose = new ArrayDeque<>(idle);
      idle.clear();
      returned.signalAll();
    } finally {
      lock.unlock();
    }
    for (Idle i : toClose) {
      discard(i.connection());
    }
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException(
        "The DBOS system database pool uses the configured user");
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    // no log writer: the pool logs nothing
  }

  @Override
  public void setLoginTimeout(int seconds) {
    DriverManager.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() {
    return DriverManager.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("no parent logger");
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    throw new SQLException("not a wrapper for " + type);
  }

  @Override
  public boolean isWrapperFor(Class<?> type) {
    return type.isInstance(this);
  }
}
