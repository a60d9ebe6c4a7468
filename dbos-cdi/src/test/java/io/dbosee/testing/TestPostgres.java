package io.dbosee.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * One embedded PostgreSQL per test JVM (started on first use, stopped when the JVM exits), and a
 * fresh, empty database for every caller of {@link #newDatabase()} so tests never see each other's
 * rows.
 */
public final class TestPostgres {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static EmbeddedPostgres postgres;

  private TestPostgres() {}

  private static synchronized EmbeddedPostgres server() {
    if (postgres == null) {
      try {
        postgres = EmbeddedPostgres.builder().setPort(0).start();
      } catch (IOException e) {
        throw new UncheckedIOException("could not start the embedded PostgreSQL", e);
      }
      EmbeddedPostgres started = postgres;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      started.close();
                    } catch (IOException ignored) {
                      // the JVM is exiting; the data directory is temporary
                    }
                  }));
    }
    return postgres;
  }

  /** A new empty database on the shared server. */
  public static Database newDatabase() {
    EmbeddedPostgres server = server();
    String name = "test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    try (Connection c = server.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create test database " + name, e);
    }
    return new Database(
        name,
        server.getJdbcUrl("postgres", name),
        "postgres",
        "postgres",
        server.getDatabase("postgres", name));
  }

  /**
   * Makes a test database unreachable (every connection to it is closed and new ones are refused),
   * as if its server had stopped, or reachable again.
   */
  public static void setReachable(Database database, boolean reachable) {
    try (Connection c = server().getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("ALTER DATABASE " + database.name() + " ALLOW_CONNECTIONS " + reachable);
      if (!reachable) {
        s.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
                + database.name()
                + "'");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not change access to " + database.name(), e);
    }
  }

  /** A test database: its JDBC URL and credentials, and an unpooled DataSource on it. */
  public record Database(
      String name, String jdbcUrl, String user, String password, DataSource dataSource) {

    /** The first column of the first row, or null when there is no row. */
    public String query(String sql, Object... parameters) {
      List<String> values = column(sql, parameters);
      return values.isEmpty() ? null : values.get(0);
    }

    /** The first column of every row. */
    public List<String> column(String sql, Object... parameters) {
      try (Connection c = dataSource.getConnection();
          PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < parameters.length; i++) {
          ps.setObject(i + 1, parameters[i]);
        }
        try (ResultSet rs = ps.executeQuery()) {
          List<String> values = new ArrayList<>();
          while (rs.next()) {
            values.add(rs.getString(1));
          }
          return values;
        }
      } catch (SQLException e) {
        throw new IllegalStateException("test query failed: " + sql, e);
      }
    }
  }
}
