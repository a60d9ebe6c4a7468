package io.dbosee.internal.engine.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.io.PrintWriter;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The system database's connection pool when it is configured by URL ({@code
 * dbos.system-database.url}, {@code .user}, {@code .password}, {@code .pool-size}) rather than as a
 * container DataSource: HikariCP, set up for the engine, behind a DataSource that says what went
 * wrong in the library's words and never shows a password.
 *
 * <pre>{@code
 * try (SystemDataSources.Pool pool =
 *     SystemDataSources.pooled(url, user, password, 10, Duration.ofSeconds(30))) {
 *   try (Connection c = pool.getConnection()) { ... } // close() gives it back
 * }
 * }</pre>
 *
 * <p>Threads: HikariCP runs its own, daemon threads named after the pool ({@code
 * dbos-system-database-N:...}): a {@code housekeeper} for as long as the pool is open (every 30 s
 * it retires idle connections, keeps the others alive and replaces those past their lifetime); only
 * while there is such work, a {@code connection-adder} that opens connections and a {@code
 * connection-closer} that closes them (each ends after 5 s idle); and, while the pool closes with
 * connections still lent out, a {@code connection-assassinator} that aborts them. Connections are
 * opened on the adder, not on the borrowing thread. These are the only threads the URL mode brings.
 * Given a thread factory, HikariCP makes every one of them with it: in an application server the
 * URL mode passes the server's managed thread factory, so that the library creates no thread of its
 * own there. The documented server path is the container's DataSource ({@code
 * dbos.system-database.datasource}), for which no pool of this class is built at all.
 *
 * <p>What the engine relies on:
 *
 * <ul>
 *   <li>Connections are in auto-commit mode, read-write, at the driver's default isolation; a
 *       connection given back in a transaction is rolled back, and whatever the borrower changed is
 *       reset, without a round trip to the server when nothing was changed.
 *   <li>A connection that failed with a connection error (SQLSTATE class 08, or the server ending
 *       the session, 57P01-57P03) is closed, never handed out again; one idle for more than half a
 *       second is checked ({@code isValid}) before it is handed out.
 *   <li>A borrower that finds every connection in use waits up to the timeout and then gets a
 *       {@link SQLTransientConnectionException} naming {@code dbos.system-database.pool-size}.
 *   <li>A borrower waiting while a connection cannot be opened (the database is down, the password
 *       is wrong) gets that failure at the next failed attempt, within a quarter of a second (up to
 *       5 s into a long outage, HikariCP's pause between attempts), not after the whole timeout: an
 *       outage must reach the engine's own retries promptly ({@link ConnectionFailures}). So
 *       HikariCP's {@code connectionTimeout} is that quarter of a second (its minimum), and this
 *       class waits in such turns up to the timeout.
 *   <li>Neither HikariCP nor the driver sees a password in the URL: it is moved to the connection
 *       properties, and HikariCP is given a DataSource, never the URL or the credentials, so its
 *       log records and messages cannot carry them.
 *   <li>Statements left open are closed when their connection is given back; closing the pool
 *       aborts connections still lent out.
 * </ul>
 */
public final class SystemDataSources {
  private SystemDataSources() {}

  /**
   * How long a borrower waits inside HikariCP at a time before it looks whether connections can be
   * opened at all: HikariCP's {@code connectionTimeout}, at HikariCP's minimum.
   */
  static final Duration WAIT_TURN = Duration.ofMillis(250);

  /** HikariCP's {@code isValid} timeout, for a connection idle for more than half a second. */
  private static final Duration VALIDATION_TIMEOUT = Duration.ofSeconds(1);

  private static final AtomicInteger POOLS = new AtomicInteger();

  /**
   * A pool of at most {@code size} connections to {@code url}, opened as they are needed; {@code
   * user} and {@code password} may be null when the URL carries them. Nothing is opened here: a
   * database that cannot be reached is reported by the first {@link Pool#getConnection()}.
   *
   * @param timeout how long a borrower waits for a connection when all are in use
   * @throws IllegalArgumentException when {@code size} is below 1 or the timeout is negative
   */
  public static Pool pooled(String url, String user, String password, int size, Duration timeout) {
    return pooled(url, user, password, size, timeout, null);
  }

  /**
   * The same pool, whose threads come from {@code threads}: in an application server, its managed
   * thread factory, so that no thread of the pool is one the server does not know; null: threads of
   * HikariCP's own (Java SE, tests).
   */
  public static Pool pooled(
      String url, String user, String password, int size, Duration timeout, ThreadFactory threads) {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(timeout, "timeout");
    if (size < 1) {
      throw new IllegalArgumentException(
          "dbos.system-database.pool-size must be at least 1, was " + size);
    }
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("the borrow timeout must not be negative");
    }
    return new Pool(new Connector(url, user, password), size, timeout, threads);
  }

  /**
   * A pooled system DataSource, to be closed when DBOS stops; connections are given back by closing
   * them.
   */
  public static final class Pool implements DataSource, AutoCloseable {
    private final Connector connector;
    private final int size;
    private final Duration timeout;
    private final HikariDataSource hikari;
    private volatile boolean closed;
    private volatile PrintWriter logWriter;
    private volatile int loginTimeoutSeconds;

    private Pool(Connector connector, int size, Duration timeout, ThreadFactory threads) {
      this.connector = connector;
      this.size = size;
      this.timeout = timeout;
      HikariConfig config = new HikariConfig();
      config.setPoolName("dbos-system-database-" + POOLS.incrementAndGet());
      // HikariCP opens connections through this DataSource: it never sees the URL or credentials.
      config.setDataSource(connector);
      config.setMaximumPoolSize(size);
      // Opened as they are needed, as many engines may share one test database; idle ones retire
      // after HikariCP's idleTimeout (10 minutes).
      config.setMinimumIdle(0);
      config.setAutoCommit(true); // each checkpoint is its own commit, or a group's one commit
      config.setReadOnly(false);
      config.setConnectionTimeout(WAIT_TURN.toMillis());
      config.setValidationTimeout(VALIDATION_TIMEOUT.toMillis());
      // Nothing opened now: the engine reports an unreachable database when it launches, and a
      // start made before the database is up rides it out (start-outage-wait-seconds).
      config.setInitializationFailTimeout(-1);
      config.setRegisterMbeans(false);
      if (threads != null) {
        config.setThreadFactory(threads);
      }
      this.hikari = new HikariDataSource(config);
    }

    /**
     * An idle connection, or a new one while fewer than the maximum are open, or the first one
     * given back within the timeout.
     *
     * @throws SQLTransientConnectionException when every connection stays in use for the whole
     *     timeout, or the borrower is interrupted while it waits
     * @throws SQLException with the driver's SQLSTATE, when a connection cannot be opened
     * @throws SQLNonTransientConnectionException after {@link #close()}
     */
    @Override
    public Connection getConnection() throws SQLException {
      long deadline = System.nanoTime() + timeout.toNanos();
      long attemptsBefore = connector.attempts();
      while (true) {
        if (closed) {
          throw closedException(null);
        }
        try {
          return hikari.getConnection();
        } catch (SQLException e) {
          if (closed) {
            throw closedException(e);
          }
          if (Thread.currentThread().isInterrupted()) {
            throw new SQLTransientConnectionException(
                "Interrupted while waiting for a system database connection", e);
          }
          if (!(e instanceof SQLTransientConnectionException)) {
            throw e;
          }
          // HikariCP's turn ran out: was a connection attempt made meanwhile, and did it fail?
          SQLException failure = connector.failureSince(attemptsBefore);
          if (failure != null) {
            throw forThisBorrower(failure);
          }
          if (System.nanoTime() - deadline >= 0) {
            SQLException latest = connector.latestFailure();
            if (latest != null && openCount() < size) {
              throw forThisBorrower(latest);
            }
            throw exhausted(e);
          }
        }
      }
    }

    /** Not supported: the pool's connections all use the credentials it was built with. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      throw new SQLFeatureNotSupportedException(
          "The DBOS system database pool uses the configured user; call getConnection()");
    }

    /**
     * Closes every connection, aborting those still lent out, stops HikariCP's threads and makes
     * every later {@link #getConnection()} fail. Idempotent.
     */
    @Override
    public void close() {
      closed = true;
      hikari.close();
    }

    /** Connections open now: idle or lent out. */
    int openCount() {
      return pool().getTotalConnections();
    }

    /** Idle connections now. */
    int idleCount() {
      return pool().getIdleConnections();
    }

    /** Borrowers waiting inside HikariCP for a connection now. */
    int waitingCount() {
      return pool().getThreadsAwaitingConnection();
    }

    private HikariPoolMXBean pool() {
      return hikari.getHikariPoolMXBean();
    }

    private SQLException exhausted(SQLException timedOut) {
      return new SQLTransientConnectionException(
          "The DBOS system database connection pool is exhausted: all "
              + size
              + " connections stayed in use for "
              + timeout.toMillis()
              + " ms. Raise dbos.system-database.pool-size (now "
              + size
              + "), or check for connections that are borrowed and never closed.",
          timedOut);
    }

    private static SQLException closedException(SQLException cause) {
      return new SQLNonTransientConnectionException(
          "The DBOS system database connection pool is closed (DBOS was shut down or the"
              + " application is being undeployed)",
          "08003",
          cause);
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
      throw new SQLFeatureNotSupportedException("the system database pool does not log via JUL");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      if (iface.isInstance(this)) {
        return iface.cast(this);
      }
      throw new SQLException("The system database pool does not wrap a " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return iface.isInstance(this);
    }

    @Override
    public String toString() {
      return "DBOS system database pool of " + size + " to " + connector.redactedUrl;
    }
  }

  /**
   * A connection attempt's failure, thrown again on the borrower's thread (the attempt ran on
   * HikariCP's): the same class, message and SQLSTATE, the driver's exception as its cause.
   */
  private static SQLException forThisBorrower(SQLException failure) {
    if (failure instanceof SQLNonTransientConnectionException) {
      return new SQLNonTransientConnectionException(
          failure.getMessage(), failure.getSQLState(), failure.getErrorCode(), failure.getCause());
    }
    return new SQLException(
        failure.getMessage(), failure.getSQLState(), failure.getErrorCode(), failure.getCause());
  }

  /**
   * Opens driver connections for HikariCP, with the password out of the URL, and remembers how the
   * latest attempt ended so that waiting borrowers can be told.
   */
  private static final class Connector implements DataSource {
    private final String url;
    private final String redactedUrl;
    private final Properties credentials = new Properties();
    private final AtomicLong attempts = new AtomicLong();
    private volatile Attempt latest = new Attempt(0, null);
    private volatile int loginTimeoutSeconds;

    /** One connection attempt: its number, and its failure or null. */
    private record Attempt(long number, SQLException failure) {}

    Connector(String url, String user, String password) {
      // The driver logs the URL it is given (pgjdbc: "Connecting with URL" at FINE), and messages
      // quote it: a password in its query string is moved to the connection properties instead.
      String inUrl = queryParameter(url, "password");
      this.url = withoutQueryParameter(url, "password");
      this.redactedUrl = redacted(url);
      if (user != null) {
        credentials.setProperty("user", user);
      }
      // The driver would have let the URL's value win, too.
      String effectivePassword = inUrl != null ? inUrl : password;
      if (effectivePassword != null) {
        credentials.setProperty("password", effectivePassword);
      }
    }

    long attempts() {
      return attempts.get();
    }

    /** The failure of the latest attempt, if it started after attempt {@code since}. */
    SQLException failureSince(long since) {
      Attempt attempt = latest;
      return attempt.number() > since ? attempt.failure() : null;
    }

    SQLException latestFailure() {
      return latest.failure();
    }

    @Override
    public Connection getConnection() throws SQLException {
      long number = attempts.incrementAndGet();
      try {
        Connection connection = open();
        ended(new Attempt(number, null));
        return connection;
      } catch (SQLException e) {
        ended(new Attempt(number, e));
        throw e;
      } catch (RuntimeException e) {
        SQLException failure =
            new SQLException(
                "Could not open a system database connection to " + redactedUrl + ": " + e, e);
        ended(new Attempt(number, failure));
        throw failure;
      }
    }

    /** Keeps the attempt that started last, whichever order they end in. */
    private synchronized void ended(Attempt attempt) {
      if (attempt.number() > latest.number()) {
        latest = attempt;
      }
    }

    private Connection open() throws SQLException {
      try {
        DriverManager.getDriver(url);
      } catch (SQLException e) {
        throw new SQLNonTransientConnectionException(
            "No JDBC driver accepts the system database URL "
                + redactedUrl
                + ": add org.postgresql:postgresql to the application (for example WEB-INF/lib)"
                + " or to the server's shared libraries, and check that the URL starts with"
                + " jdbc:postgresql://",
            "08001",
            e);
      }
      try {
        return DriverManager.getConnection(url, credentials);
      } catch (SQLException e) {
        throw new SQLException(
            "Could not open a system database connection to " + redactedUrl + ": " + e.getMessage(),
            e.getSQLState(),
            e);
      }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      throw new SQLFeatureNotSupportedException("the system database pool's user is fixed");
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
      // the driver's own logging applies
    }

    /**
     * Stored only (HikariCP sets it from its connectionTimeout, a quarter of a second here): the
     * driver's own connect timeout applies, as it does to a connection opened without a pool.
     */
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
      throw new SQLFeatureNotSupportedException("the system database pool does not log via JUL");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("The system database connector does not wrap a " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }

    /** What HikariCP logs for its DataSource: the URL without its query string. */
    @Override
    public String toString() {
      return "system database at " + redactedUrl;
    }
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
}
