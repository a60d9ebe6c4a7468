package io.dbosee.internal.engine.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.dbosee.testing.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/** The URL mode's pool: what the engine and the users rely on, whatever pool is underneath. */
class SystemDataSourcesTest {

  private TestPostgres.Database db;
  private final ExecutorService borrowers = Executors.newCachedThreadPool();
  private SystemDataSources.Pool pool;

  @BeforeEach
  void database() {
    db = TestPostgres.newDatabase();
  }

  @AfterEach
  void close() {
    borrowers.shutdownNow();
    if (pool != null) {
      pool.close();
    }
  }

  private SystemDataSources.Pool pool(int size, Duration timeout) {
    pool = SystemDataSources.pooled(db.jdbcUrl(), db.user(), db.password(), size, timeout);
    return pool;
  }

  @Test
  void connectionsAreInAutoCommitModeAndReadWrite() throws SQLException {
    SystemDataSources.Pool pool = pool(1, Duration.ofSeconds(5));
    try (Connection c = pool.getConnection()) {
      assertThat(c.getAutoCommit()).isTrue();
      assertThat(c.isReadOnly()).isFalse();
      assertThat(c.isWrapperFor(PGConnection.class)).as("LISTEN needs the driver's").isTrue();
    }
  }

  @Test
  void aStatementHandsBackThePooledConnection() throws SQLException {
    SystemDataSources.Pool pool = pool(1, Duration.ofSeconds(5));
    try (Connection c = pool.getConnection();
        PreparedStatement prepared = c.prepareStatement("SELECT ?");
        Statement plain = c.createStatement()) {
      assertThat(prepared.getConnection()).isSameAs(c);
      assertThat(plain.getConnection()).isSameAs(c);
      prepared.setInt(1, 7);
      try (ResultSet rs = prepared.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(7);
      }
    }
  }

  @Test
  void reusesAReturnedConnection() throws SQLException {
    SystemDataSources.Pool pool = pool(2, Duration.ofSeconds(5));
    int first;
    try (Connection c = pool.getConnection()) {
      first = backendPid(c);
    }
    try (Connection c = pool.getConnection()) {
      assertThat(backendPid(c)).isEqualTo(first);
    }
    assertThat(pool.openCount()).isEqualTo(1);
    assertThat(pool.idleCount()).isEqualTo(1);
  }

  @Test
  void theBorrowerBeyondTheSizeTimesOutWithAClearMessage() throws SQLException {
    SystemDataSources.Pool pool = pool(2, Duration.ofMillis(300));
    try (Connection a = pool.getConnection();
        Connection b = pool.getConnection()) {
      long start = System.nanoTime();

      SQLTransientConnectionException exhausted =
          catchThrowableOfType(SQLTransientConnectionException.class, pool::getConnection);

      assertThat((Throwable) exhausted)
          .hasMessageContaining("pool is exhausted")
          .hasMessageContaining("all 2 connections")
          .hasMessageContaining("dbos.system-database.pool-size");
      assertThat(ConnectionFailures.isOutage(exhausted)).as("worth trying again later").isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(250));
      assertThat(pool.openCount()).isEqualTo(2);
      assertThat(backendPid(a)).isNotEqualTo(backendPid(b));
    }
  }

  @Test
  void aReturnedConnectionGoesToTheWaitingBorrower() throws Exception {
    SystemDataSources.Pool pool = pool(1, Duration.ofSeconds(30));
    Connection held = pool.getConnection();
    int pid = backendPid(held);

    Future<Integer> waiter =
        borrowers.submit(
            () -> {
              try (Connection c = pool.getConnection()) {
                return backendPid(c);
              }
            });
    await().atMost(Duration.ofSeconds(10)).until(() -> pool.waitingCount() == 1);
    held.close();

    assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo(pid);
    assertThat(pool.openCount()).isEqualTo(1);
  }

  @Test
  void aBorrowerInterruptedWhileItWaitsIsToldAndKeepsItsInterrupt() throws SQLException {
    SystemDataSources.Pool pool = pool(1, Duration.ofSeconds(30));
    try (Connection held = pool.getConnection()) {
      Thread.currentThread().interrupt();
      try {
        assertThatThrownBy(pool::getConnection)
            .isInstanceOf(SQLTransientConnectionException.class)
            .hasMessageContaining("Interrupted while waiting for a system database connection");
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
      } finally {
        Thread.interrupted();
      }
    }
  }

  @Test
  void aReturnedConnectionIsRolledBackAndReset() throws SQLException {
    SystemDataSources.Pool pool = pool(1, Duration.ofSeconds(5));
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (x int)");
      c.setReadOnly(true);
    }
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      assertThat(c.isReadOnly()).isFalse();
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
      s.execute("INSERT INTO t VALUES (1)");
      // closed without commit
    }
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
      assertThat(c.getAutoCommit()).isTrue();
      assertThat(c.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_READ_COMMITTED);
      rs.next();
      assertThat(rs.getInt(1)).isZero();
    }
    assertThat(pool.openCount()).isEqualTo(1);
  }

  /**
   * Giving a connection back must not ask the server anything (pgjdbc sends {@code SHOW TRANSACTION
   * ISOLATION LEVEL} for getTransactionIsolation, say): that would be one extra round trip for
   * every checkpoint.
   */
  @Test
  void givingAConnectionBackSendsNothingToTheServer() throws SQLException {
    SystemDataSources.Pool pool = pool(1, Duration.ofSeconds(5));
    int pid;
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      pid = backendPid(c);
      s.execute("SELECT 'the borrower''s last statement'");
    }
    assertThat(lastStatementOf(pid)).isEqualTo("SELECT 'the borrower''s last statement'");

    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      assertThat(backendPid(c)).isEqualTo(pid);
      s.execute("SELECT 'the second borrower''s last statement'");
    }
    assertThat(lastStatementOf(pid)).isEqualTo("SELECT 'the second borrower''s last statement'");
  }

  @Test
  void aConnectionThatFailedWithAConnectionErrorIsDiscarded() throws SQLException {
    SystemDataSources.Pool pool = pool(1, Duration.ofSeconds(5));
    int pid;
    try (Connection c = pool.getConnection()) {
      pid = backendPid(c);
      terminate(pid);
      assertThatThrownBy(() -> backendPid(c)).isInstanceOf(SQLException.class);
    }
    assertThat(pool.openCount()).isZero();

    try (Connection c = pool.getConnection()) {
      assertThat(backendPid(c)).isNotEqualTo(pid);
    }
  }

  @Test
  void aConnectionThatFailedWithAnOrdinaryErrorIsKept() throws SQLException {
    SystemDataSources.Pool pool = pool(1, Duration.ofSeconds(5));
    int pid;
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      pid = backendPid(c);
      assertThatThrownBy(() -> s.execute("SELECT * FROM no_such_table"))
          .isInstanceOf(SQLException.class);
    }
    try (Connection c = pool.getConnection()) {
      assertThat(backendPid(c)).isEqualTo(pid);
    }
  }

  /** HikariCP checks a connection idle for more than 500 ms before it hands it out. */
  @Test
  void aConnectionTheServerEndedWhileItWasIdleIsNotHandedOut() throws Exception {
    SystemDataSources.Pool pool = pool(1, Duration.ofSeconds(5));
    int pid;
    try (Connection c = pool.getConnection()) {
      pid = backendPid(c);
    }
    terminate(pid);
    Thread.sleep(600);

    try (Connection c = pool.getConnection()) {
      assertThat(backendPid(c)).isNotEqualTo(pid);
    }
    assertThat(pool.openCount()).isEqualTo(1);
  }

  @Test
  void closeClosesEveryConnectionAndRefusesLaterBorrowers() throws SQLException {
    SystemDataSources.Pool pool = pool(2, Duration.ofSeconds(5));
    Connection idle = pool.getConnection();
    PGConnection idlePhysical = idle.unwrap(PGConnection.class);
    Connection lent = pool.getConnection();
    PGConnection lentPhysical = lent.unwrap(PGConnection.class);
    idle.close();

    pool.close();
    pool.close(); // idempotent

    assertThat(((Connection) idlePhysical).isClosed()).isTrue();
    assertThat(((Connection) lentPhysical).isClosed()).as("aborted").isTrue();
    assertThatThrownBy(pool::getConnection)
        .isInstanceOf(SQLNonTransientConnectionException.class)
        .hasMessageContaining("pool is closed");
    lent.close(); // harmless
    assertThat(pool.openCount()).isZero();
  }

  @Test
  void closeWakesWaitingBorrowersWithTheClosedError() throws Exception {
    SystemDataSources.Pool pool = pool(1, Duration.ofSeconds(30));
    try (Connection held = pool.getConnection()) {
      Future<Connection> waiter = borrowers.submit(() -> pool.getConnection());
      await().atMost(Duration.ofSeconds(10)).until(() -> pool.waitingCount() == 1);

      pool.close();

      assertThatThrownBy(() -> waiter.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(SQLNonTransientConnectionException.class)
          .hasMessageContaining("pool is closed");
    }
  }

  @Test
  void aClosedConnectionRefusesUseAndClosingItAgainIsHarmless() throws SQLException {
    SystemDataSources.Pool pool = pool(1, Duration.ofSeconds(5));
    Connection c = pool.getConnection();
    Statement s = c.createStatement();
    assertThat(s.getConnection()).isSameAs(c);
    c.close();
    c.close();

    assertThat(c.isClosed()).isTrue();
    assertThatThrownBy(c::createStatement).isInstanceOf(SQLException.class);
    assertThat(pool.idleCount()).isEqualTo(1);
    assertThat(pool.openCount()).isEqualTo(1);
  }

  @Test
  void aUrlNoDriverAcceptsSaysWhichDriverToAdd() {
    pool =
        SystemDataSources.pooled(
            "jdbc:nosuchdb://localhost/x?password=secret", "u", "p", 1, Duration.ofSeconds(1));

    assertThatThrownBy(pool::getConnection)
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("org.postgresql:postgresql")
        .hasMessageNotContaining("secret");
    assertThat(pool.openCount()).isZero();
  }

  @Test
  void aFailedConnectFreesItsSlot() {
    pool = SystemDataSources.pooled("jdbc:postgresql://127.0.0.1:1/x", "u", "p", 1, Duration.ZERO);

    assertThatThrownBy(pool::getConnection)
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("Could not open a system database connection");
    assertThat(pool.openCount()).isZero();
  }

  /**
   * The engine rides out an outage with short pauses of its own (and start-outage-wait-seconds=0
   * means "fail at once"): a borrower must not sit out the whole borrow timeout first.
   */
  @Test
  void aDatabaseThatCannotBeReachedIsReportedAtOnceAsAnOutage() {
    pool =
        SystemDataSources.pooled(
            "jdbc:postgresql://127.0.0.1:1/x", "u", "p", 2, Duration.ofSeconds(30));
    for (int i = 0; i < 3; i++) {
      long start = System.nanoTime();

      SQLException refused = catchThrowableOfType(SQLException.class, pool::getConnection);

      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
      assertThat((Throwable) refused)
          .hasMessageContaining("Could not open a system database connection to")
          .hasMessageContaining("127.0.0.1:1");
      assertThat(refused.getSQLState()).isEqualTo("08001");
      assertThat(ConnectionFailures.isOutage(refused)).isTrue();
    }
  }

  /** A misconfiguration is no outage: the engine must not wait for it to go away. */
  @Test
  void aMissingDatabaseIsReportedAtOnceAndIsNoOutage() {
    String base = db.jdbcUrl();
    String url = base.substring(0, base.lastIndexOf('/')) + "/no_such_database";
    pool = SystemDataSources.pooled(url, db.user(), db.password(), 2, Duration.ofSeconds(30));
    long start = System.nanoTime();

    SQLException missing = catchThrowableOfType(SQLException.class, pool::getConnection);

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat((Throwable) missing)
        .hasMessageContaining("Could not open a system database connection")
        .hasMessageContaining("no_such_database");
    assertThat(missing.getSQLState()).isEqualTo("3D000");
    assertThat(ConnectionFailures.isOutage(missing)).isFalse();
  }

  @Test
  void rejectsAPoolSizeBelowOne() {
    assertThatThrownBy(() -> SystemDataSources.pooled("jdbc:x:y", "u", "p", 0, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dbos.system-database.pool-size");
  }

  private void terminate(int pid) throws SQLException {
    try (Connection admin = db.dataSource().getConnection();
        Statement s = admin.createStatement();
        // waits until the backend has exited
        ResultSet rs = s.executeQuery("SELECT pg_terminate_backend(" + pid + ", 10000)")) {
      rs.next();
      assertThat(rs.getBoolean(1)).isTrue();
    }
  }

  /** What the server last received on that backend, asked from another connection. */
  private String lastStatementOf(int pid) {
    return db.query("SELECT query FROM pg_stat_activity WHERE pid = ?", pid);
  }

  private static int backendPid(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void aPasswordInTheUrlIsTakenOutOfTheUrlTheDriverSees() {
    String url = "jdbc:postgresql://db:5432/app?user=u&password=p%26ss%3Dw0rd&sslmode=require";

    assertThat(SystemDataSources.queryParameter(url, "password")).isEqualTo("p&ss=w0rd");
    assertThat(SystemDataSources.withoutQueryParameter(url, "password"))
        .isEqualTo("jdbc:postgresql://db:5432/app?user=u&sslmode=require");
    assertThat(
            SystemDataSources.withoutQueryParameter(
                "jdbc:postgresql://db/app?password=x", "password"))
        .isEqualTo("jdbc:postgresql://db/app");
    assertThat(SystemDataSources.queryParameter("jdbc:postgresql://db/app", "password")).isNull();
  }
}
