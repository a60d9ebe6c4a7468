package io.dbosee.internal.jpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dbosee.DBOSExecutor;
import io.dbosee.Transaction;
import io.dbosee.internal.cdi.DBOSExtension;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With this module present, {@code @Transaction} methods deploy (its interceptor is found), and an
 * application DataSource that is not bound stops the application's start with its name.
 */
class TransactionDeploymentTest {
  private static EmbeddedPostgres postgres;

  @ApplicationScoped
  public static class Ledger {
    @Transaction
    public String post() {
      return "posted";
    }
  }

  @ApplicationScoped
  public static class TestExecutor {
    @Produces
    @DBOSExecutor
    @ApplicationScoped
    ExecutorService workflows() {
      return Executors.newFixedThreadPool(2);
    }

    void shutdown(@Disposes @DBOSExecutor ExecutorService executor) {
      executor.shutdownNow();
    }
  }

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.builder().setPort(0).start();
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    postgres.close();
  }

  @Test
  void anUnboundApplicationDataSourceStopsTheStartWithItsName() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    ConfigProviderResolver resolver = ConfigProviderResolver.instance();
    resolver.registerConfig(
        new SmallRyeConfigBuilder()
            .withSources(
                new PropertiesConfigSource(
                    Map.of(
                        "dbos.system-database.url",
                        postgres.getJdbcUrl("postgres", "postgres"),
                        "dbos.system-database.user",
                        "postgres",
                        "dbos.system-database.password",
                        "postgres",
                        "dbos.application-database.datasource",
                        "jdbc/missing"),
                    "test",
                    500))
            .build(),
        loader);
    try {
      Throwable failure =
          catchThrowable(
              () -> {
                try (WeldContainer ignored =
                    new Weld()
                        .containerId(null)
                        .disableDiscovery()
                        .addExtension(new DBOSExtension())
                        .addExtension(new TransactionExtension())
                        .addBeanClasses(TestExecutor.class, Ledger.class)
                        .initialize()) {
                  // started: no failure
                }
              });

      StringBuilder messages = new StringBuilder();
      for (Throwable t = failure; t != null; t = t.getCause()) {
        messages.append(t.getMessage()).append('\n');
      }
      assertThat(messages.toString())
          .as("the deployment must fail at the lookup, not before")
          .doesNotContain("DBOS-CDI-017")
          .contains("[DBOS-JPA-001] No DataSource is bound at 'jdbc/missing'")
          .contains("dbos.application-database.datasource");
    } finally {
      resolver.releaseConfig(resolver.getConfig(loader));
    }
  }
}
