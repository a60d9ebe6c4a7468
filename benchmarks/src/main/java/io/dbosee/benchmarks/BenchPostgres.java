package io.dbosee.benchmarks;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The one PostgreSQL every contender writes to: an embedded server on a free port, with
 * pg_stat_statements loaded so that statements can be counted per database. A commit waits for its
 * WAL record to be written ({@code synchronous_commit=on}; zonky turns it off by default, which a
 * durable-execution benchmark must not); {@code fsync} stays off by default as zonky has it, so a
 * commit does not wait for this shared machine's disk (pass {@code --fsync=on} to include it).
 */
final class BenchPostgres implements AutoCloseable {
  private final EmbeddedPostgres server;
  private final boolean statementStats;
  private final Connection admin;

  BenchPostgres(boolean synchronousCommit, boolean fsync) throws IOException, SQLException {
    this.server =
        EmbeddedPostgres.builder()
            .setPort(0)
            .setServerConfig("synchronous_commit", synchronousCommit ? "on" : "off")
            .setServerConfig("fsync", fsync ? "on" : "off")
            .setServerConfig("shared_preload_libraries", "pg_stat_statements")
            // Top-level statements only: a foreign-key check inside an INSERT is not a round trip.
            .setServerConfig("pg_stat_statements.track", "top")
            .setServerConfig("max_connections", "300")
            .start();
    this.admin = server.getPostgresDatabase().getConnection();
    boolean stats;
    try (Statement s = admin.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      stats = true;
    } catch (SQLException e) {
      stats = false;
    }
    this.statementStats = stats;
  }

  void createDatabase(String name) throws SQLException {
    try (Statement s = admin.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
  }

  String jdbcUrl(String database) {
    return server.getJdbcUrl("postgres", database);
  }

  String user() {
    return "postgres";
  }

  String password() {
    return "postgres";
  }

  int port() {
    return server.getPort();
  }

  String setting(String name) throws SQLException {
    return scalar("SELECT current_setting('" + name + "')");
  }

  String version() throws SQLException {
    return scalar("SHOW server_version");
  }

  /** What the server has done so far for one database. */
  record Counters(long statements, long writeTransactions) {
    Counters plus(Counters other) {
      return new Counters(
          statements + other.statements, writeTransactions + other.writeTransactions);
    }

    Counters minus(Counters before) {
      return new Counters(
          statements - before.statements, writeTransactions - before.writeTransactions);
    }
  }

  /**
   * Statements executed in {@code database} (pg_stat_statements, updated as each one ends; -1 when
   * unavailable), and transaction ids assigned on the whole server: every committed transaction
   * that wrote takes one, read-only ones take none. The latter is server-wide, so it is only read
   * around a measurement in which no other contender writes.
   */
  Counters counters(String database) throws SQLException {
    long statements = -1;
    if (statementStats) {
      try (PreparedStatement ps =
          admin.prepareStatement(
              "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s JOIN pg_database d ON"
                  + " d.oid = s.dbid WHERE d.datname = ?")) {
        ps.setString(1, database);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          statements = rs.getLong(1);
        }
      }
    }
    long xid = Long.parseLong(scalar("SELECT pg_snapshot_xmax(pg_current_snapshot())::text"));
    return new Counters(statements, xid);
  }

  /** The most frequent statements in {@code database}: calls, then the normalized text. */
  List<String> topStatements(String database, int limit) throws SQLException {
    List<String> lines = new ArrayList<>();
    if (!statementStats) {
      return lines;
    }
    try (PreparedStatement ps =
        admin.prepareStatement(
            "SELECT calls, round((mean_exec_time * 1000)::numeric, 1),"
                + " regexp_replace(query, '\\s+', ' ', 'g') FROM pg_stat_statements s"
                + " JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = ? ORDER BY calls DESC"
                + " LIMIT ?")) {
      ps.setString(1, database);
      ps.setInt(2, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String q = rs.getString(3);
          lines.add(
              rs.getLong(1)
                  + " calls, "
                  + rs.getBigDecimal(2).toPlainString()
                  + " µs mean execution  "
                  + (q.length() > 150 ? q.substring(0, 150) + "…" : q));
        }
      }
    }
    return lines;
  }

  /** Forgets what pg_stat_statements counted so far, so that {@link #topStatements} starts anew. */
  void resetStatementStats() throws SQLException {
    if (statementStats) {
      scalar("SELECT pg_stat_statements_reset()::text");
    }
  }

  boolean hasStatementStats() {
    return statementStats;
  }

  private String scalar(String sql) throws SQLException {
    try (Statement s = admin.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Override
  public void close() throws Exception {
    admin.close();
    server.close();
  }
}
