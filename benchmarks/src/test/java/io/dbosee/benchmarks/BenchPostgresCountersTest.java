package io.dbosee.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The database cost columns count each database's statements apart (the in-server benchmark's
 * contenders share one PostgreSQL), and pg_stat_statements is there to count them: without it every
 * statement count would quietly read -1.
 */
class BenchPostgresCountersTest {
  @Test
  void countsStatementsPerDatabaseAndWritesOnTheWholeServer() throws Exception {
    try (BenchPostgres postgres = new BenchPostgres(true, false)) {
      postgres.createDatabase("counted");
      postgres.createDatabase("quiet");
      try (Connection c =
              DriverManager.getConnection(
                  postgres.jdbcUrl("counted"), postgres.user(), postgres.password());
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE t (id INT)");
        BenchPostgres.Counters counted = postgres.counters("counted");
        BenchPostgres.Counters quiet = postgres.counters("quiet");

        s.execute("INSERT INTO t VALUES (1)");
        s.execute("INSERT INTO t VALUES (2)");
        s.execute("SELECT count(*) FROM t");

        assertThat(postgres.hasStatementStats()).isTrue();
        assertThat(postgres.counters("counted").minus(counted))
            .isEqualTo(new BenchPostgres.Counters(3, 2));
        assertThat(postgres.counters("quiet").minus(quiet).statements()).isZero();
      }
    }
  }
}
