package io.dbosee.servertests;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Starts an embedded PostgreSQL before any test (so before Arquillian reads arquillian.xml and
 * starts the server), with the sample's two databases, and stops it when the test session ends.
 *
 * <p>Active only where failsafe sets {@code test.postgres.port}: the port to listen on, 0 for any
 * free one. A server configured before the tests run (Payara's domain) was given a port the build
 * reserved; one started with its options (WildFly) reads the port this sets back into {@code
 * test.postgres.port}, which its arquillian.xml passes to it as {@code -Dpostgres.port}.
 */
public final class TestPostgresSession implements LauncherSessionListener {
  /** The sample's database (the system database and jdbc/app). */
  static final String DATABASE = "dbos_sample";

  /** The orders example's database, behind jdbc/orders. */
  static final String ORDERS_DATABASE = "dbos_orders";

  private EmbeddedPostgres postgres;

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    String port = System.getProperty("test.postgres.port");
    if (port == null) {
      return;
    }
    try {
      postgres = EmbeddedPostgres.builder().setPort(Integer.parseInt(port)).start();
      try (Connection c = postgres.getPostgresDatabase().getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + DATABASE);
        s.execute("CREATE DATABASE " + ORDERS_DATABASE);
      }
      String base = "jdbc:postgresql://localhost:" + postgres.getPort() + "/";
      System.setProperty("test.postgres.port", String.valueOf(postgres.getPort()));
      System.setProperty("test.postgres.url", base + DATABASE);
      System.setProperty("test.postgres.orders.url", base + ORDERS_DATABASE);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the tests' PostgreSQL", e);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create the tests' databases", e);
    }
  }

  @Override
  public void launcherSessionClosed(LauncherSession session) {
    if (postgres != null) {
      try {
        postgres.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
