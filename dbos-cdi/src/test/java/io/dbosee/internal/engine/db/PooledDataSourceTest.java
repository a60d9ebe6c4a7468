package io.dbosee.internal.engine.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbosee.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PooledDataSourceTest {
  private final TestPostgres.Database database = TestPostgres.newDatabase();
  private PooledDataSource pool;

  private PooledDataSource pool(int size, Duration timeout) {
    pool =
        new PooledDataSource(
            database.jdbcUrl(), database.user(), database.password(), size, timeout);
    return pool;
  }

  @AfterEach
  void close() {
    if (pool != null) {
      pool.close();
    }
  }

  private static int backendPid(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void aReturnedConnectionIsReused() throws SQLException {
    PooledDataSource pool = pool(2, Duration.ofSeconds(5));
    int first;
    try (Connection c = pool.getConnection()) {
      first = backendPid(c);
    }
    try (Connection c = pool.getConnection()) {
      assertThat(backendPid(c)).isEqualTo(first);
    }
  }

  @Test
  void aFullPoolMakesBorrowersWaitThenFailsClearly() throws SQLException {
    PooledDataSource pool = pool(2, Duration.ofMillis(200));
    try (Connection a = pool.getConnection();
        Connection b = pool.getConnection()) {
      assertThatThrownBy(pool::getConnection)
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("all 2 are in use")
          .hasMessageContaining("dbos.system-database.pool-size");
    }
  }

  @Test
  void aWaiterGetsTheConnectionAsSoonAsOneIsReturned() throws Exception {
    PooledDataSource pool = pool(1, Duration.ofSeconds(30));
    Connection held = pool.getConnection();
    int heldPid = backendPid(held);
    CountDownLatch waiting = new CountDownLatch(1);
    CompletableFuture<Integer> waiter =
        CompletableFuture.supplyAsync(
            () -> {
              waiting.countDown();
              try (Connection c = pool.getConnection()) {
                return backendPid(c);
              } catch (SQLException e) {
                throw new IllegalStateException(e);
              }
            });
    assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(waiter).isNotDone();

    held.close();

    assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo(heldPid);
  }

  @Test
  void aConnectionReturnedInATransactionIsRolledBackAndResetToAutoCommit() throws SQLException {
    PooledDataSource pool = pool(1, Duration.ofSeconds(5));
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (v int)");
    }
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("INSERT INTO t VALUES (1)");
    }
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
      assertThat(c.getAutoCommit()).isTrue();
      rs.next();
      assertThat(rs.getInt(1)).isZero();
    }
  }

  @Test
  void aConnectionWhoseServerSideDiedIsNotHandedOutAgain() throws SQLException {
    PooledDataSource pool = pool(1, Duration.ofSeconds(5));
    int victim;
    try (Connection c = pool.getConnection()) {
      victim = backendPid(c);
    }
    try (Connection admin =
            DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
        Statement s = admin.createStatement()) {
      s.execute("SELECT pg_terminate_backend(" + victim + ")");
    }
    try (Connection c = pool.getConnection()) {
      assertThatThrownBy(() -> backendPid(c)).isInstanceOf(SQLException.class);
    }

    try (Connection c = pool.getConnection()) {
      assertThat(backendPid(c)).isNotEqualTo(victim);
    }
  }

  @Test
  void aClosedPoolAndAReturnedConnectionRefuseUseClearly() throws SQLException {
    PooledDataSource pool = pool(1, Duration.ofSeconds(5));
    Connection c = pool.getConnection();
    c.close();

    assertThatThrownBy(c::createStatement).hasMessageContaining("returned to the pool");
    pool.close();
    assertThatThrownBy(pool::getConnection).hasMessageContaining("pool is closed");
  }

  @Test
  void aUrlNoDriverAcceptsSaysWhichDriverToAdd() {
    PooledDataSource pool =
        new PooledDataSource("jdbc:nosuchdb://x", "u", "p", 1, Duration.ofSeconds(1));

    assertThatThrownBy(pool::getConnection)
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("org.postgresql:postgresql");
  }
}
