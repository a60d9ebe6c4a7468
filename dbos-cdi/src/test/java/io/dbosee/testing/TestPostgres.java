package io.dbosee.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
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

  /** A test database: its JDBC URL and credentials, and an unpooled DataSource on it. */
  public record Database(
      String name, String jdbcUrl, String user, String password, DataSource dataSource) {}
}
