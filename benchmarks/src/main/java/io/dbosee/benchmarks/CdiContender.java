package io.dbosee.benchmarks;

import io.dbosee.DBOS;
import io.dbosee.internal.cdi.DBOSExtension;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import jakarta.enterprise.context.control.RequestContextController;
import jakarta.enterprise.inject.Instance;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

/**
 * The library as an application uses it: Weld SE with the library's extension, a bean whose
 * {@code @Workflow} calls its {@code @Step} through an injected self-reference, the system database
 * given by URL (the library's own pool, {@code dbos.system-database.pool-size}).
 */
final class CdiContender implements Contender {
  private final String database;
  private final WeldContainer container;
  private final CdiWorkflows workflows;
  private final DBOS dbos;
  private final Instance<RequestContextController> requestContexts;

  CdiContender(BenchPostgres postgres, String database, int poolSize) {
    this.database = database;
    Config config =
        new SmallRyeConfigBuilder()
            .withSources(
                new PropertiesConfigSource(
                    Map.of(
                        "dbos.system-database.url", postgres.jdbcUrl(database),
                        "dbos.system-database.user", postgres.user(),
                        "dbos.system-database.password", postgres.password(),
                        "dbos.system-database.pool-size", Integer.toString(poolSize),
                        "dbos.executor-id", "bench",
                        "dbos.application-version", "v1"),
                    "bench",
                    500))
            .addDefaultInterceptors()
            .build();
    ConfigProviderResolver.instance()
        .registerConfig(config, Thread.currentThread().getContextClassLoader());
    this.container =
        new Weld()
            .containerId("bench-cdi")
            .disableDiscovery()
            .addExtension(new DBOSExtension())
            .addBeanClasses(CdiWorkflows.class, CdiExecutor.class)
            .initialize();
    this.workflows = container.select(CdiWorkflows.class).get();
    this.dbos = container.select(DBOS.class).get();
    this.requestContexts = container.select(RequestContextController.class);
  }

  @Override
  public String name() {
    return Report.CDI;
  }

  @Override
  public String database() {
    return database;
  }

  @Override
  public void run(String workflowId, int steps, int payloadBytes) throws Exception {
    try (AutoCloseable id = dbos.withWorkflowId(workflowId)) {
      workflows.noopSteps(steps, payloadBytes);
    }
  }

  /**
   * The caller's request context must not reach the workflow, so the workflow runs on the executor
   * while this thread waits: what a JAX-RS resource's call costs.
   */
  @Override
  public void runInRequestContext(String workflowId, int steps) throws Exception {
    RequestContextController requestContext = requestContexts.get();
    if (!requestContext.activate()) {
      throw new IllegalStateException("a request context was active already");
    }
    try {
      run(workflowId, steps, 0);
    } finally {
      requestContext.deactivate();
    }
  }

  @Override
  public boolean hasRequestContext() {
    return true;
  }

  @Override
  public void close() {
    container.shutdown();
  }
}
