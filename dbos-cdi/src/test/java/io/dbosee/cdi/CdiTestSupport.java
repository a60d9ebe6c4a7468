package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dbosee.internal.cdi.DBOSExtension;
import io.dbosee.internal.health.DBOSLiveness;
import io.dbosee.internal.health.DBOSReadiness;
import io.dbosee.testing.TestPostgres;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

/**
 * Boots Weld SE with the library's extension, the given beans and a MicroProfile Config made of the
 * given properties, on a fresh system database: what a deployment does, in a test.
 */
final class CdiTestSupport {
  private CdiTestSupport() {}

  static Map<String, String> systemDatabase(TestPostgres.Database database) {
    Map<String, String> properties = new HashMap<>();
    properties.put("dbos.system-database.url", database.jdbcUrl());
    properties.put("dbos.system-database.user", database.user());
    properties.put("dbos.system-database.password", database.password());
    return properties;
  }

  /** Installs {@code properties} as the application's config until {@link #releaseConfig}. */
  static void useConfig(Map<String, String> properties) {
    Config config =
        new SmallRyeConfigBuilder()
            .withSources(new PropertiesConfigSource(properties, "test", 500))
            .addDefaultInterceptors()
            .build();
    ConfigProviderResolver resolver = ConfigProviderResolver.instance();
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    try {
      resolver.releaseConfig(resolver.getConfig(loader));
    } catch (RuntimeException ignored) {
      // nothing registered yet
    }
    resolver.registerConfig(config, loader);
  }

  static void releaseConfig() {
    ConfigProviderResolver resolver = ConfigProviderResolver.instance();
    resolver.releaseConfig(resolver.getConfig(Thread.currentThread().getContextClassLoader()));
  }

  static Weld weld(Class<?>... beans) {
    return new Weld()
        .containerId(null)
        .disableDiscovery()
        .addExtension(new DBOSExtension())
        // what discovery finds in the library's jar (BeanArchiveTest)
        .addBeanClasses(DBOSLiveness.class, DBOSReadiness.class)
        .addBeanClasses(TestExecutor.class)
        .addBeanClasses(beans);
  }

  static WeldContainer start(Map<String, String> properties, Class<?>... beans) {
    useConfig(properties);
    return weld(beans).initialize();
  }

  static String query(TestPostgres.Database database, String sql, Object... parameters) {
    return database.query(sql, parameters);
  }

  /**
   * Deploys {@code beans} with {@code properties}, asserts that the deployment fails, and returns
   * every message of the failure, its causes and their suppressed exceptions, one per line.
   */
  static String deploymentFailure(Map<String, String> properties, Class<?>... beans) {
    Throwable failure =
        catchThrowable(
            () -> {
              try (WeldContainer ignored = start(properties, beans)) {
                // started: no failure
              }
            });
    assertThat(failure).as("the deployment must fail").isNotNull();
    StringBuilder all = new StringBuilder();
    for (Throwable c = failure; c != null; c = c.getCause()) {
      all.append(c.getMessage()).append('\n');
      for (Throwable s : c.getSuppressed()) {
        all.append(s.getMessage()).append('\n');
      }
    }
    return all.toString();
  }
}
