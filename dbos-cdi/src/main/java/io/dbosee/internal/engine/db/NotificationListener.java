package io.dbosee.internal.engine.db;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * A connection that LISTENs on one channel and waits for its notifications. The PostgreSQL driver's
 * {@code PGConnection} is reached by name and reflection, because a server may load the driver
 * where the application's classes cannot see it; when it cannot be reached, {@link #open} returns
 * empty and the caller falls back to polling.
 *
 * <p>Confined to one thread: the one that waits also closes it (a wait ends at its timeout or at
 * the next notification, for example one sent to wake it up).
 */
public final class NotificationListener implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(NotificationListener.class.getName());
  private static final String PG_CONNECTION = "org.postgresql.PGConnection";

  private final Connection connection;
  private final Object pgConnection;
  private final Method getNotifications;
  private final Method getName;
  private final Method getParameter;

  /** One notification: its channel and its payload. */
  public record Notification(String channel, String payload) {}

  private NotificationListener(
      Connection connection,
      Object pgConnection,
      Method getNotifications,
      Method getName,
      Method getParameter) {
    this.connection = connection;
    this.pgConnection = pgConnection;
    this.getNotifications = getNotifications;
    this.getName = getName;
    this.getParameter = getParameter;
  }

  /**
   * LISTENs on {@code channels} (plain identifiers), or empty when notifications cannot be had.
   *
   * @throws SQLException when the database cannot be reached now (try again later)
   */
  public static Optional<NotificationListener> open(DataSource dataSource, List<String> channels)
      throws SQLException {
    Connection connection = null;
    try {
      connection = dataSource.getConnection();
      Class<?> pgInterface = pgConnectionInterface(connection);
      if (pgInterface == null || !connection.isWrapperFor(pgInterface)) {
        connection.close();
        LOG.log(
            System.Logger.Level.INFO,
            "The system database's connections do not expose PostgreSQL notifications to the"
                + " application (the driver's classes are not visible to it), so the engine"
                + " polls for work enqueued elsewhere and for messages and events. On Open"
                + " Liberty, make the JDBC driver's library the global library, or add it to"
                + " the application's class loader (<classloader commonLibraryRef=\"...\"/>),"
                + " to be woken at once.");
        return Optional.empty();
      }
      Object pg = connection.unwrap(pgInterface);
      Method getNotifications = pgInterface.getMethod("getNotifications", int.class);
      Class<?> notification = getNotifications.getReturnType().getComponentType();
      if (!connection.getAutoCommit()) {
        connection.setAutoCommit(true);
      }
      try (Statement s = connection.createStatement()) {
        for (String channel : channels) {
          s.execute("LISTEN " + channel);
        }
      }
      return Optional.of(
          new NotificationListener(
              connection,
              pg,
              getNotifications,
              notification.getMethod("getName"),
              notification.getMethod("getParameter")));
    } catch (SQLException | ReflectiveOperationException | RuntimeException e) {
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException ignored) {
          // already failing
        }
      }
      if (e instanceof SQLException sql && ConnectionFailures.isOutage(sql)) {
        throw sql; // the database is away for now: the caller tries again, not for good
      }
      LOG.log(
          System.Logger.Level.WARNING,
          "Could not LISTEN for notifications (" + e + "); the engine polls instead.");
      return Optional.empty();
    }
  }

  private static Class<?> pgConnectionInterface(Connection connection) {
    List<ClassLoader> loaders = new ArrayList<>();
    loaders.add(Thread.currentThread().getContextClassLoader());
    loaders.add(NotificationListener.class.getClassLoader());
    loaders.add(connection.getClass().getClassLoader());
    for (ClassLoader loader : loaders) {
      if (loader == null) {
        continue;
      }
      try {
        return Class.forName(PG_CONNECTION, false, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        // try the next loader
      }
    }
    return null;
  }

  /**
   * Waits up to {@code timeoutMillis} (at least 1) for notifications and returns those received
   * (none when the wait timed out).
   *
   * @throws SQLException when the connection is broken: close this listener and open another
   */
  public List<Notification> await(long timeoutMillis) throws SQLException {
    int timeout = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeoutMillis));
    Object[] notifications;
    try {
      notifications = (Object[]) getNotifications.invoke(pgConnection, timeout);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof SQLException sql) {
        throw sql;
      }
      throw new SQLException("waiting for notifications failed", e.getCause());
    } catch (IllegalAccessException e) {
      throw new SQLException("cannot call getNotifications", e);
    }
    List<Notification> received = new ArrayList<>();
    if (notifications == null) {
      return received;
    }
    for (Object n : notifications) {
      try {
        received.add(new Notification((String) getName.invoke(n), (String) getParameter.invoke(n)));
      } catch (ReflectiveOperationException e) {
        throw new SQLException("cannot read a notification", e);
      }
    }
    return received;
  }

  @Override
  public void close() {
    // A pooled connection must not go back to its pool still listening: notifications would pile
    // up in its driver.
    try (Statement s = connection.createStatement()) {
      s.execute("UNLISTEN *");
    } catch (SQLException e) {
      LOG.log(System.Logger.Level.DEBUG, "UNLISTEN failed; the connection is probably broken", e);
    }
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.log(System.Logger.Level.DEBUG, "closing the notification connection failed", e);
    }
  }
}
