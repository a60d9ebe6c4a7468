package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbosee.internal.engine.db.SystemSchema;
import io.dbosee.testing.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code dbos.system-database.migrate=false} reaches the engine: the deployment runs no DDL, starts
 * on a schema the migration command migrated, and stops on one it did not with the numbers and the
 * command, not with generic advice about the URL.
 */
class CdiMigrationSwitchTest {
  private final TestPostgres.Database database = TestPostgres.newDatabase();
  private WeldContainer container;

  @AfterEach
  void stop() {
    if (container != null) {
      container.close();
    }
    CdiTestSupport.releaseConfig();
  }

  private Map<String, String> switchedOff() {
    Map<String, String> properties = new HashMap<>(CdiTestSupport.systemDatabase(database));
    properties.put("dbos.system-database.migrate", "false");
    return properties;
  }

  @Test
  void anEmptyDatabaseStopsTheDeploymentWithTheNumbersAndGetsNoSchema() {
    String failure =
        CdiTestSupport.deploymentFailure(switchedOff(), CdiManagementTest.Orders.class);

    assertThat(failure)
        .contains("[DBOS-CDI-014] DBOS could not prepare the system database: [DBOS-CDI-078]")
        .contains(
            "\"dbos\" is at migration 0 (it does not exist), and this library needs migration 123")
        .contains("io.dbosee.tools.MigrateCommand")
        .doesNotContain("and that PostgreSQL is running");
    assertThat(database.query("SELECT nspname FROM pg_namespace WHERE nspname = 'dbos'")).isNull();
  }

  @Test
  void aSchemaTheMigrationCommandMigratedRunsWorkflows() throws SQLException {
    try (Connection owner = database.dataSource().getConnection()) {
      SystemSchema.migrateForOperator(owner, "dbos");
    }

    container = CdiTestSupport.start(switchedOff(), CdiManagementTest.Orders.class);
    CdiManagementTest.Orders orders = container.select(CdiManagementTest.Orders.class).get();

    assertThat(orders.process("order-1")).startsWith("reserved order-1, shipped order-1 #");
  }

  @Test
  void migratingStaysTheDefault() {
    container =
        CdiTestSupport.start(
            CdiTestSupport.systemDatabase(database), CdiManagementTest.Orders.class);

    assertThat(database.query("SELECT version::text FROM dbos.dbos_migrations")).isEqualTo("123");
  }
}
