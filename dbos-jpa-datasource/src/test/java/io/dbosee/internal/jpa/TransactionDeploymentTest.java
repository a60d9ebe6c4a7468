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
import java.util.HashMap;
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
 * With this module present, {@code @Transaction} methods deploy (its interceptor is found), and a
 * datasource that is not configured, not bound or badly configured stops the application's start
 * with its name and the key to set.
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
  public static class OrdersLedger {
    @Transaction(datasource = "orders")
    public String ship() {
      return "shipped";
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

  /** The messages of the failure that stopped a deployment of {@code beans} with {@code config}. */
  private static String deploymentFailure(Map<String, String> config, Class<?>... beans) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    ConfigProviderResolver resolver = ConfigProviderResolver.instance();
    Map<String, String> all = new HashMap<>(config);
    all.put("dbos.system-database.url", postgres.getJdbcUrl("postgres", "postgres"));
    all.put("dbos.system-database.user", "postgres");
    all.put("dbos.system-database.password", "postgres");
    resolver.registerConfig(
        new SmallRyeConfigBuilder()
            .withSources(new PropertiesConfigSource(all, "test", 500))
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
                        .addBeanClasses(TestExecutor.class)
                        .addBeanClasses(beans)
                        .initialize()) {
                  // started: no failure
                }
              });
      assertThat(failure).as("the deployment must fail").isNotNull();
      StringBuilder messages = new StringBuilder();
      for (Throwable t = failure; t != null; t = t.getCause()) {
        messages.append(t.getMessage()).append('\n');
      }
      return messages.toString();
    } finally {
      resolver.releaseConfig(resolver.getConfig(loader));
    }
  }

  @Test
  void anUnboundApplicationDataSourceStopsTheStartWithItsName() {
    assertThat(
            deploymentFailure(
                Map.of("dbos.application-database.datasource", "jdbc/missing"), Ledger.class))
        .as("the deployment must fail at the lookup, not before")
        .doesNotContain("DBOS-CDI-017")
        .contains("[DBOS-JPA-001] No DataSource is bound at 'jdbc/missing'")
        .contains("dbos.application-database.datasource");
  }

  @Test
  void aStepOnADatasourceThatIsNotConfiguredFailsTheDeploymentWithTheKeyToSet() {
    assertThat(
            deploymentFailure(
                Map.of("dbos.application-database.datasource", "jdbc/app"), OrdersLedger.class))
        .contains(
            "[DBOS-CDI-089] "
                + OrdersLedger.class.getName()
                + ".ship() is a @Transaction step on datasource 'orders', which is not configured."
                + " Set dbos.datasource.\"orders\".jndi-name")
        .doesNotContain("DBOS-CDI-018");
  }

  @Test
  void aDatasourceThatIsNotBoundFailsTheStartWithItsNameKeyAndJndiName() {
    assertThat(
            deploymentFailure(
                Map.of("dbos.datasource.\"orders\".jndi-name", "jdbc/orders"), OrdersLedger.class))
        .doesNotContain("DBOS-CDI-018")
        .contains(
            "[DBOS-JPA-001] No DataSource is bound at 'jdbc/orders' for datasource 'orders'"
                + " (dbos.datasource.\"orders\".jndi-name)");
  }

  @Test
  void anInvalidDatasourceSchemaFailsTheDeployment() {
    assertThat(
            deploymentFailure(
                Map.of(
                    "dbos.datasource.\"orders\".jndi-name", "jdbc/orders",
                    "dbos.datasource.\"orders\".schema", "pg_orders"),
                OrdersLedger.class))
        .contains("[DBOS-CDI-008]")
        .contains("dbos.datasource.\"orders\".schema");
  }

  @Test
  void datasourceKeysWithoutItsJndiNameFailTheDeploymentWithTheKeysFound() {
    assertThat(
            deploymentFailure(
                Map.of(
                    "dbos.application-database.datasource", "jdbc/app",
                    "dbos.datasource.\"billing\".jndiName", "jdbc/billing"),
                Ledger.class))
        .contains(
            "[DBOS-CDI-090] The configuration has dbos.datasource.\"billing\".jndiName but no"
                + " dbos.datasource.\"billing\".jndi-name, so the datasource 'billing' is not"
                + " declared.");
  }
}
