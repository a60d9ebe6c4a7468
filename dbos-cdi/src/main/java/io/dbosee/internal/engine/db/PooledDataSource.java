package io.dbosee.internal.engine.db;

import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A bounded JDBC connection pool over {@link DriverManager}, for a system database configured by
 * URL, user and password rather than by a container DataSource; it creates no threads.
 *
 * <pre>{@code
 * try (PooledDataSource pool =
 *     new PooledDataSource(url, user, password, 10, Duration.ofSeconds(30))) {
 *   try (Connection c = pool.getConnection()) { ... } // close() gives it back
 * }
 * }</pre>
 *
 * <p>Pitfalls:
 *
 * <ul>
 *   <li>Always close what you borrow: a borrower waits up to the borrow timeout for a free
 *       connection and then gets an SQLException saying the pool is exhausted.
 *   <li>Work is done on the borrowing thread (connections are opened, validated and reset there);
 *       nothing is checked in the background, so an idle connection is only re-validated when it is
 *       borrowed after more than 30 s idle.
 *   <li>A returned connection is rolled back if it was left in a transaction and reset to
 *       auto-commit, read-write and its original isolation. One that failed with a connection error
 *       (SQLSTATE class 08, or the server terminating the session, 57P01-57P03) is closed, never
 *       reused. Statements still open at return are not closed by the pool.
 *   <li>{@code unwrap} reaches the driver's connection (for LISTEN/NOTIFY); do not close that one
 *       directly.
 * </ul>
 */
public final class PooledDataSource implements DataSource, AutoCloseable {

  /** An idle connection older than this is validated before it is handed out. */
  static final Duration VALIDATE_AFTER_IDLE = Duration.ofSeconds(30);

  private final String url;
  private final Properties credentials;
  private final int maxSize;
  private final long borrowTimeoutNanos;
  private final LongSupplier nanoClock;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  // Guarded by lock. Invariant: idle.size() <= open <= maxSize, where open counts connections
  // that are idle, lent out, or being opened right now.
  private final ArrayDeque<Idle> idle = new ArrayDeque<>();
  private int open;
  private int waiting;
  private boolean closed;

  private volatile PrintWriter logWriter;
  private volatile int loginTimeoutSeconds;

  /**
   * A pool of at most {@code maxSize} connections to {@code url}; {@code user} and {@code password}
   * may be null when the URL carries them.
   */
  public PooledDataSource(
      String url, String user, String password, int maxSize, Duration borrowTimeout) {
    this(url, user, password, maxSize, borrowTimeout, System::nanoTime);
  }

  /** As the public constructor, with the clock that ages idle connections (for tests). */
  PooledDataSource(
      String url,
      String user,
      String password,
      int maxSize,
      Duration borrowTimeout,
      LongSupplier nanoClock) {
    Objects.requireNonNull(url, "url");
    // The driver logs the URL it is given (pgjdbc: "Connecting with URL" at FINE), and messages
    // quote it: a password in its query string is moved to the connection properties instead.
    String inUrl = queryParameter(url, "password");
    this.url = withoutQueryParameter(url, "password");
    if (maxSize < 1) {
      throw new IllegalArgumentException(
          "dbos.system-database.pool-size must be at least 1, was " + maxSize);
    }
    if (borrowTimeout.isNegative()) {
      throw new IllegalArgumentException("the borrow timeout must not be negative");
    }
    this.credentials = new Properties();
    if (user != null) {
      credentials.setProperty("user", user);
    }
    // The driver would have let the URL's value win, too.
    String effectivePassword = inUrl != null ? inUrl : password;
    if (effectivePassword != null) {
      credentials.setProperty("password", effectivePassword);
    }
    this.maxSize = maxSize;
    this.borrowTimeoutNanos = borrowTimeout.toNanos();
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
  }

  /**
   * An idle connection, or a new one while fewer than the maximum are open, or the first one
   * returned within the borrow timeout.
   *
   * @throws SQLTransientConnectionException when the pool stays exhausted for the whole timeout
   * @throws SQLNonTransientConnectionException after {@link #close()}
   */
  @Override
  public Connection getConnection() throws SQLException {
    long deadline = System.nanoTime() + borrowTimeoutNanos;
    while (true) {
      Idle candidate = null;
      lock.lock();
      try {
        while (true) {
          if (closed) {
            throw closedException();
          }
          candidate = idle.pollFirst();
          if (candidate != null) {
            break;
          }
          if (open < maxSize) {
            open++; // reserve the slot before opening outside the lock
            break;
          }
          long remaining = deadline - System.nanoTime();
          if (remaining <= 0) {
            throw exhausted();
          }
          waiting++;
          try {
            changed.awaitNanos(remaining);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLTransientConnectionException(
                "Interrupted while waiting for a system database connection", e);
          } finally {
            waiting--;
          }
        }
      } finally {
        lock.unlock();
      }

      if (candidate == null) {
        Physical physical;
        try {
          physical = openPhysical();
        } catch (SQLException | RuntimeException e) {
          releaseSlot();
          throw e;
        }
        return new Lease(physical).proxy;
      }
      long idleNanos = nanoClock.getAsLong() - candidate.sinceNanos();
      if (idleNanos > VALIDATE_AFTER_IDLE.toNanos()
          && !isValid(candidate.physical().connection())) {
        // The server or a network device may have dropped it while it sat idle.
        closeQuietly(candidate.physical().connection());
        releaseSlot();
        continue;
      }
      return new Lease(candidate.physical()).proxy;
    }
  }

  /** Not supported: the pool's connections all use the credentials it was built with. */
  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException(
        "The DBOS system database pool uses the configured user; call getConnection()");
  }

  /**
   * Closes the idle connections and makes every later {@link #getConnection()} fail; connections
   * still lent out are closed when they are returned. Idempotent.
   */
  @Override
  public void close() {
    List<Idle> toClose;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      toClose = new ArrayList<>(idle);
      idle.clear();
      open -= toClose.size();
      changed.signalAll(); // waiters wake up and fail with the "closed" error
    } finally {
      lock.unlock();
    }
    for (Idle i : toClose) {
      closeQuietly(i.physical().connection());
    }
  }

  /** Connections open now: idle, lent out or being opened. */
  int openCount() {
    lock.lock();
    try {
      return open;
    } finally {
      lock.unlock();
    }
  }

  /** Idle connections now. */
  int idleCount() {
    lock.lock();
    try {
      return idle.size();
    } finally {
      lock.unlock();
    }
  }

  /** Borrowers blocked waiting for a connection now. */
  int waitingCount() {
    lock.lock();
    try {
      return waiting;
    } finally {
      lock.unlock();
    }
  }

  private Physical openPhysical() throws SQLException {
    try {
      DriverManager.getDriver(url);
    } catch (SQLException e) {
      throw new SQLNonTransientConnectionException(
          "No JDBC driver accepts the system database URL "
              + redacted(url)
              + ": add org.postgresql:postgresql to the application (for example WEB-INF/lib) or"
              + " to the server's shared libraries, and check that the URL starts with"
              + " jdbc:postgresql://",
          "08001",
          e);
    }
    Connection connection;
    try {
      connection = DriverManager.getConnection(url, credentials);
    } catch (SQLException e) {
      throw new SQLException(
          "Could not open a system database connection to " + redacted(url) + ": " + e.getMessage(),
          e.getSQLState(),
          e);
    }
    try {
      return new Physical(connection, connection.getTransactionIsolation());
    } catch (SQLException e) {
      closeQuietly(connection);
      throw e;
    }
  }

  /** Back to the idle list if it is healthy and resets cleanly, otherwise closed. */
  private void giveBack(Lease lease) {
    Physical physical = lease.physical;
    boolean reusable = !lease.broken && reset(physical, lease.isolationChanged);
    lock.lock();
    try {
      if (reusable && !closed) {
        // Most recently used first: warm connections are reused, cold ones age out.
        idle.addFirst(new Idle(physical, nanoClock.getAsLong()));
        changed.signal();
        return;
      }
      open--;
      changed.signal(); // a free slot lets a waiter open a new connection
    } finally {
      lock.unlock();
    }
    closeQuietly(physical.connection());
  }

  private void releaseSlot() {
    lock.lock();
    try {
      open--;
      changed.signal();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Resets what the borrower may have changed. The driver answers getAutoCommit and isReadOnly
   * locally, but getTransactionIsolation is a query to the server, so it is only asked when the
   * borrower called setTransactionIsolation: otherwise every checkpoint would pay a second round
   * trip just to give its connection back.
   */
  private static boolean reset(Physical physical, boolean isolationChanged) {
    Connection c = physical.connection();
    try {
      if (c.isClosed()) {
        return false;
      }
      if (!c.getAutoCommit()) {
        c.rollback();
        c.setAutoCommit(true);
      }
      if (c.isReadOnly()) {
        c.setReadOnly(false);
      }
      if (isolationChanged && c.getTransactionIsolation() != physical.isolation()) {
        c.setTransactionIsolation(physical.isolation());
      }
      c.clearWarnings();
      return true;
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }

  private static boolean isValid(Connection c) {
    try {
      return c.isValid(1);
    } catch (SQLException e) {
      return false;
    }
  }

  private SQLException exhausted() {
    return new SQLTransientConnectionException(
        "The DBOS system database connection pool is exhausted: all "
            + maxSize
            + " connections stayed in use for "
            + TimeUnit.NANOSECONDS.toMillis(borrowTimeoutNanos)
            + " ms. Raise dbos.system-database.pool-size (now "
            + maxSize
            + "), or check for connections that are borrowed and never closed.");
  }

  private static SQLException closedException() {
    return new SQLNonTransientConnectionException(
        "The DBOS system database connection pool is closed (DBOS was shut down or the application"
            + " is being undeployed)",
        "08003");
  }

  /** The URL-decoded value of a parameter in the URL's query string, or null. */
  static String queryParameter(String url, String name) {
    int q = url.indexOf('?');
    if (q < 0) {
      return null;
    }
    String found = null;
    for (String parameter : url.substring(q + 1).split("&")) {
      int eq = parameter.indexOf('=');
      if (eq > 0 && parameter.substring(0, eq).equals(name)) {
        found = URLDecoder.decode(parameter.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return found;
  }

  /** The URL with every {@code name=...} parameter removed from its query string. */
  static String withoutQueryParameter(String url, String name) {
    int q = url.indexOf('?');
    if (q < 0) {
      return url;
    }
    StringBuilder kept = new StringBuilder();
    for (String parameter : url.substring(q + 1).split("&")) {
      int eq = parameter.indexOf('=');
      String key = eq < 0 ? parameter : parameter.substring(0, eq);
      if (!key.equals(name) && !parameter.isEmpty()) {
        kept.append(kept.length() == 0 ? "" : "&").append(parameter);
      }
    }
    return kept.length() == 0 ? url.substring(0, q) : url.substring(0, q + 1) + kept;
  }

  /** The URL without its query string, which may carry a password. */
  private static String redacted(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q) + "?…";
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException | RuntimeException ignored) {
      // discarding a connection that is already broken: there is nothing left to release
    }
  }

  @Override
  public PrintWriter getLogWriter() {
    return logWriter;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    this.logWriter = out;
  }

  /** Stored for the DataSource contract only: the driver's own connect timeout applies. */
  @Override
  public void setLoginTimeout(int seconds) {
    this.loginTimeoutSeconds = seconds;
  }

  @Override
  public int getLoginTimeout() {
    return loginTimeoutSeconds;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("PooledDataSource does not log through JUL");
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("PooledDataSource does not wrap a " + iface.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }

  /** A driver connection and the isolation level it had when opened. */
  private record Physical(Connection connection, int isolation) {}

  private record Idle(Physical physical, long sinceNanos) {}

  /**
   * One loan of a physical connection: the proxy the borrower sees. Closing the proxy gives the
   * physical connection back exactly once; afterwards the proxy refuses every call.
   */
  private final class Lease implements InvocationHandler {
    final Physical physical;
    final Connection proxy;
    final AtomicBoolean returned = new AtomicBoolean();
    volatile boolean broken;
    volatile boolean isolationChanged;

    Lease(Physical physical) {
      this.physical = physical;
      this.proxy = (Connection) newProxy(Connection.class, this);
    }

    @Override
    public Object invoke(Object self, Method method, Object[] args) throws Throwable {
      switch (method.getName()) {
        case "equals":
          return self == args[0];
        case "hashCode":
          return System.identityHashCode(self);
        case "toString":
          return "PooledConnection["
              + physical.connection()
              + (returned.get() ? ", returned]" : "]");
        case "close":
          if (returned.compareAndSet(false, true)) {
            giveBack(this);
          }
          return null;
        case "isClosed":
          return returned.get() || physical.connection().isClosed();
        case "isWrapperFor":
          if (((Class<?>) args[0]).isInstance(self)) {
            return true;
          }
          break;
        case "unwrap":
          if (((Class<?>) args[0]).isInstance(self)) {
            return self;
          }
          break;
        case "setTransactionIsolation":
          isolationChanged = true;
          break;
        case "abort":
          if (returned.compareAndSet(false, true)) {
            broken = true;
            try {
              physical.connection().abort((java.util.concurrent.Executor) args[0]);
            } finally {
              giveBack(this);
            }
          }
          return null;
        default:
          break;
      }
      if (returned.get()) {
        throw new SQLNonTransientConnectionException(
            "This system database connection was closed (given back to the pool)", "08003");
      }
      Object result = call(physical.connection(), method, args);
      if (result instanceof Statement && method.getReturnType().isInterface()) {
        return wrapStatement((Statement) result, method.getReturnType());
      }
      return result;
    }

    /** Calls the driver, noting connection errors so the connection is discarded on return. */
    Object call(Object target, Method method, Object[] args) throws Throwable {
      try {
        return method.invoke(target, args);
      } catch (InvocationTargetException e) {
        Throwable cause = e.getCause();
        if (cause instanceof SQLException
            && ConnectionFailures.isConnectionError((SQLException) cause)) {
          broken = true;
        }
        throw cause;
      }
    }

    /** Statements see failures too, and must hand back the proxy, not the physical connection. */
    private Object wrapStatement(Statement statement, Class<?> type) {
      InvocationHandler handler =
          (self, method, args) -> {
            // Every JDBC call of every checkpoint comes through here: the common case (a call to
            // pass on) is decided without looking at the method's name.
            if (method.getDeclaringClass() == Object.class) {
              switch (method.getName()) {
                case "equals":
                  return self == args[0];
                case "hashCode":
                  return System.identityHashCode(self);
                default:
                  return "Pooled" + statement;
              }
            }
            if (GET_CONNECTION.equals(method)) {
              return proxy;
            }
            return call(statement, method, args);
          };
      return newProxy(type, handler);
    }
  }

  private static final Method GET_CONNECTION;

  static {
    try {
      GET_CONNECTION = Statement.class.getMethod("getConnection");
    } catch (NoSuchMethodException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * The proxy classes' constructors, one per JDBC interface, found once: {@link
   * Proxy#newProxyInstance} looks the class up again for every loan and every statement. (A static
   * of this class, not a ClassValue on the JDBC interfaces, which would keep an undeployed
   * application's class loader alive.)
   */
  private static final Map<Class<?>, Constructor<?>> PROXIES = new ConcurrentHashMap<>();

  /** A proxy implementing {@code type} whose calls go to {@code handler}. */
  private static Object newProxy(Class<?> type, InvocationHandler handler) {
    try {
      return proxyConstructor(type).newInstance(handler);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot wrap a " + type.getName(), e);
    }
  }

  private static Constructor<?> proxyConstructor(Class<?> type) {
    return PROXIES.computeIfAbsent(
        type,
        t -> {
          Object sample =
              Proxy.newProxyInstance(
                  PooledDataSource.class.getClassLoader(),
                  new Class<?>[] {t},
                  (self, method, args) -> null);
          try {
            return sample.getClass().getConstructor(InvocationHandler.class);
          } catch (NoSuchMethodException e) {
            throw new IllegalStateException("a proxy class has no handler constructor", e);
          }
        });
  }
}
