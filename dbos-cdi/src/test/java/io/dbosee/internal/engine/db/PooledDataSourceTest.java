package io.dbosee.internal.engine.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

class PooledDataSourceTest {

  private TestPostgres.Database db;
  private final AtomicLong clock = new AtomicLong();
  private final ExecutorService borrowers = Executors.newCachedThreadPool();
  private PooledDataSource pool;

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

  private PooledDataSource pool(int size, Duration timeout) {
    pool = new PooledDataSource(db.jdbcUrl(), db.user(), db.password(), size, timeout, clock::get);
    return pool;
  }

  @Test
  void aStatementHandsBackThePooledConnectionAndIsItsOwnProxy() throws SQLException {
    PooledDataSource pool = pool(1, Duration.ofSeconds(5));
    try (Connection c = pool.getConnection();
        PreparedStatement prepared = c.prepareStatement("SELECT ?");
        Statement plain = c.createStatement()) {
      assertThat(prepared.getConnection()).isSameAs(c);
      assertThat(plain.getConnection()).isSameAs(c);
      assertThat(prepared).isEqualTo(prepared).isNotEqualTo(plain);
      assertThat(prepared.hashCode()).isEqualTo(System.identityHashCode(prepared));
      assertThat(prepared.toString()).startsWith("Pooled");
      prepared.setInt(1, 7);
      try (ResultSet rs = prepared.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(7);
      }
    }
  }

  @Test
  void reusesAReturnedConnection() throws SQLException {
    PooledDataSource pool = pool(2, Duration.ofSeconds(5));
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
    PooledDataSource pool = pool(2, Duration.ofMillis(300));
    try (Connection a = pool.getConnection();
        Connection b = pool.getConnection()) {
      long start = System.nanoTime();

      assertThatThrownBy(pool::getConnection)
          .isInstanceOf(SQLTransientConnectionException.class)
          .hasMessageContaining("pool is exhausted")
          .hasMessageContaining("all 2 connections")
          .hasMessageContaining("dbos.system-database.pool-size");

      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(250));
      assertThat(pool.openCount()).isEqualTo(2);
      assertThat(backendPid(a)).isNotEqualTo(backendPid(b));
    }
  }

  @Test
  void aReturnedConnectionGoesToTheWaitingBorrower() throws Exception {
    PooledDataSource pool = pool(1, Duration.ofSeconds(30));
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
  void aReturnedConnectionIsRolledBackAndReset() throws SQLException {
    PooledDataSource pool = pool(1, Duration.ofSeconds(5));
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
   * The bug: giving a connection back asked the server for its isolation level (pgjdbc sends {@code
   * SHOW TRANSACTION ISOLATION LEVEL}), one extra round trip for every checkpoint.
   */
  @Test
  void givingAConnectionBackSendsNothingToTheServer() throws SQLException {
    PooledDataSource pool = pool(1, Duration.ofSeconds(5));
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
    PooledDataSource pool = pool(1, Duration.ofSeconds(5));
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
    PooledDataSource pool = pool(1, Duration.ofSeconds(5));
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

  @Test
  void anIdleConnectionIsValidatedAfterThirtySecondsAndReplacedWhenDead() throws SQLException {
    PooledDataSource pool = pool(1, Duration.ofSeconds(5));
    int pid;
    try (Connection c = pool.getConnection()) {
      pid = backendPid(c);
    }
    terminate(pid);
    clock.addAndGet(Duration.ofSeconds(31).toNanos());

    try (Connection c = pool.getConnection()) {
      assertThat(backendPid(c)).isNotEqualTo(pid);
    }
    assertThat(pool.openCount()).isEqualTo(1);
  }

  @Test
  void anIdleConnectionIsReusedWithoutValidationWithinThirtySeconds() throws SQLException {
    PooledDataSource pool = pool(1, Duration.ofSeconds(5));
    int pid;
    try (Connection c = pool.getConnection()) {
      pid = backendPid(c);
    }
    clock.addAndGet(Duration.ofSeconds(29).toNanos());
    terminate(pid);

    // Handed out as is: the failure is the borrower's first error, and then it is discarded.
    try (Connection c = pool.getConnection()) {
      assertThatThrownBy(() -> backendPid(c)).isInstanceOf(SQLException.class);
    }
    try (Connection c = pool.getConnection()) {
      assertThat(backendPid(c)).isNotEqualTo(pid);
    }
  }

  @Test
  void closeClosesIdleConnectionsAndRefusesLaterBorrowers() throws SQLException {
    PooledDataSource pool = pool(2, Duration.ofSeconds(5));
    Connection idle = pool.getConnection();
    PGConnection idlePhysical = idle.unwrap(PGConnection.class);
    Connection lent = pool.getConnection();
    PGConnection lentPhysical = lent.unwrap(PGConnection.class);
    idle.close();

    pool.close();
    pool.close(); // idempotent

    assertThat(((Connection) idlePhysical).isClosed()).isTrue();
    assertThat(((Connection) lentPhysical).isClosed()).isFalse();
    assertThatThrownBy(pool::getConnection)
        .isInstanceOf(SQLNonTransientConnectionException.class)
        .hasMessageContaining("pool is closed");
    lent.close();
    assertThat(((Connection) lentPhysical).isClosed()).isTrue();
    assertThat(pool.openCount()).isZero();
  }

  @Test
  void closeWakesWaitingBorrowersWithTheClosedError() throws Exception {
    PooledDataSource pool = pool(1, Duration.ofSeconds(30));
    try (Connection held = pool.getConnection()) {
      Future<Connection> waiter = borrowers.submit(() -> pool.getConnection());
      await().atMost(Duration.ofSeconds(10)).until(() -> pool.waitingCount() == 1);

      pool.close();

      assertThatThrownBy(() -> waiter.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(SQLNonTransientConnectionException.class)
          .hasMessageContaining("pool is closed");
      assertThat(held.isValid(1)).isTrue();
    }
  }

  @Test
  void aClosedProxyRefusesUseAndClosingItAgainIsHarmless() throws SQLException {
    PooledDataSource pool = pool(1, Duration.ofSeconds(5));
    Connection c = pool.getConnection();
    Statement s = c.createStatement();
    assertThat(s.getConnection()).isSameAs(c);
    c.close();
    c.close();

    assertThat(c.isClosed()).isTrue();
    assertThatThrownBy(c::createStatement)
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("given back to the pool");
    assertThat(pool.idleCount()).isEqualTo(1);
    assertThat(pool.openCount()).isEqualTo(1);
  }

  @Test
  void aUrlNoDriverAcceptsSaysWhichDriverToAdd() {
    pool =
        new PooledDataSource(
            "jdbc:nosuchdb://localhost/x?password=secret", "u", "p", 1, Duration.ofSeconds(1));

    assertThatThrownBy(pool::getConnection)
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("org.postgresql:postgresql")
        .hasMessageNotContaining("secret");
    assertThat(pool.openCount()).isZero();
  }

  @Test
  void aFailedConnectFreesItsSlot() {
    pool = new PooledDataSource("jdbc:postgresql://127.0.0.1:1/x", "u", "p", 1, Duration.ZERO);

    assertThatThrownBy(pool::getConnection)
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("Could not open a system database connection");
    assertThat(pool.openCount()).isZero();
  }

  @Test
  void rejectsAPoolSizeBelowOne() {
    assertThatThrownBy(() -> new PooledDataSource("jdbc:x:y", "u", "p", 0, Duration.ZERO))
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

    assertThat(PooledDataSource.queryParameter(url, "password")).isEqualTo("p&ss=w0rd");
    assertThat(PooledDataSource.withoutQueryParameter(url, "password"))
        .isEqualTo("jdbc:postgresql://db:5432/app?user=u&sslmode=require");
    assertThat(
            PooledDataSource.withoutQueryParameter(
                "jdbc:postgresql://db/app?password=x", "password"))
        .isEqualTo("jdbc:postgresql://db/app");
    assertThat(PooledDataSource.queryParameter("jdbc:postgresql://db/app", "password")).isNull();
  }
}
