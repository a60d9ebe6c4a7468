package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbosee.DBOS;
import io.dbosee.WorkflowHandle;
import io.dbosee.internal.engine.DBOSEngine;
import io.dbosee.testing.LogCapture;
import io.dbosee.testing.TcpProxy;
import io.dbosee.testing.TestPostgres;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code dbos.system-database.start-outage-wait-seconds} reaches the engine: a start made while the
 * system database is away waits as long as configured, then goes through.
 */
class CdiStartOutageTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final TestPostgres.Database database = TestPostgres.newDatabase();
  private final TcpProxy proxy = TcpProxy.forJdbcUrl(database.jdbcUrl());
  private WeldContainer container;

  @AfterEach
  void stop() {
    proxy.restore();
    if (container != null) {
      container.close();
    }
    CdiTestSupport.releaseConfig();
    proxy.close();
  }

  @Test
  void aStartDuringAnOutageWaitsAsConfiguredAndGoesThroughWhenTheDatabaseIsBack() throws Exception {
    Map<String, String> properties = new HashMap<>(CdiTestSupport.systemDatabase(database));
    properties.put("dbos.system-database.url", proxy.jdbcUrl(database.jdbcUrl()));
    properties.put("dbos.system-database.start-outage-wait-seconds", "1234.5");
    container = CdiTestSupport.start(properties, CdiManagementTest.Orders.class);
    DBOS dbos = container.select(DBOS.class).get();
    CdiManagementTest.Orders orders = container.select(CdiManagementTest.Orders.class).get();

    try (LogCapture log = LogCapture.ofPackage(DBOSEngine.class)) {
      proxy.cut();
      CompletableFuture<WorkflowHandle<String, RuntimeException>> start =
          CompletableFuture.supplyAsync(
              () -> {
                try (var id = dbos.withWorkflowId("order-outage")) {
                  return dbos.startWorkflow(() -> orders.process("order-outage"));
                }
              });
      await()
          .atMost(WAIT)
          .until(
              () ->
                  log.messages().stream()
                      .anyMatch(
                          message ->
                              message.contains("Starting workflow 'order-outage' waits")
                                  && message.contains("for up to 1234.5 s")));
      assertThat(start).isNotDone();
      proxy.restore();

      WorkflowHandle<String, RuntimeException> handle =
          start.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(handle.getResult()).startsWith("reserved order-outage, shipped order-outage #");
    }
  }
}
