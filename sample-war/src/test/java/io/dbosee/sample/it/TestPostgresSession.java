package io.dbosee.sample.it;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Starts an embedded PostgreSQL before any test (so before Arquillian starts Liberty), points the
 * test server at it through {@code configDropins/overrides/test-postgres.xml}, and stops it when
 * the test session ends. A second database in it is the sample's second application database,
 * behind the transactional DataSource {@code jdbc/orders} of the sample's server.xml (its variable
 * {@code orders.database}, set in that file): the orders example's and DatasourcesIT's.
 *
 * <p>Active only where failsafe sets {@code liberty.server.dir}. It lives in the test sources,
 * never in a deployed archive: the server has no embedded PostgreSQL library.
 */
public final class TestPostgresSession implements LauncherSessionListener {
  static final String DATABASE = "dbos_sample";

  /** The second application database, behind {@code jdbc/orders} (see OrdersExampleIT). */
  static final String ORDERS_DATABASE = "dbos_orders";

  private EmbeddedPostgres postgres;

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    String serverDir = System.getProperty("liberty.server.dir");
    if (serverDir == null) {
      return;
    }
    try {
      postgres = EmbeddedPostgres.builder().setPort(0).start();
      try (Connection c = postgres.getPostgresDatabase().getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + DATABASE);
        s.execute("CREATE DATABASE " + ORDERS_DATABASE);
      }
      Path overrides = Path.of(serverDir, "configDropins", "overrides", "test-postgres.xml");
      Files.createDirectories(overrides.getParent());
      Files.writeString(
          overrides,
          "<server>\n"
              + "  <variable name=\"postgres.host\" value=\"localhost\"/>\n"
              + "  <variable name=\"postgres.port\" value=\""
              + postgres.getPort()
              + "\"/>\n"
              + "  <variable name=\"postgres.database\" value=\""
              + DATABASE
              + "\"/>\n"
              + "  <variable name=\"postgres.user\" value=\"postgres\"/>\n"
              + "  <variable name=\"orders.database\" value=\""
              + ORDERS_DATABASE
              + "\"/>\n"
              + "</server>\n");
      System.setProperty(
          "test.postgres.url",
          "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + DATABASE);
      System.setProperty(
          "test.postgres.orders.url",
          "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + ORDERS_DATABASE);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the tests' PostgreSQL", e);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create the tests' database", e);
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
