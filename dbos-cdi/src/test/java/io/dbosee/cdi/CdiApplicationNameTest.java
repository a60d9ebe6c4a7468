package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbosee.DBOS;
import io.dbosee.testing.TestPostgres;
import java.util.HashMap;
import java.util.Map;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code dbos.application-name} reaches the engine: the rows the application writes carry it. */
class CdiApplicationNameTest {
  private final TestPostgres.Database database = TestPostgres.newDatabase();
  private WeldContainer container;

  @AfterEach
  void stop() {
    if (container != null) {
      container.close();
    }
    CdiTestSupport.releaseConfig();
  }

  @Test
  void theConfiguredNameIsWrittenOnTheApplicationsWorkflowsAndCheckpoints() {
    Map<String, String> properties = new HashMap<>(CdiTestSupport.systemDatabase(database));
    properties.put("dbos.application-name", " orders ");
    container =
        CdiTestSupport.start(properties, Greetings.class, Guestbook.class, RequestData.class);
    Greetings greetings = container.select(Greetings.class).get();
    DBOS dbos = container.select(DBOS.class).get();

    try (var scope = dbos.withWorkflowId("named")) {
      greetings.greet("Mike");
    }

    assertThat(
            CdiTestSupport.query(
                database,
                "SELECT application_name FROM dbos.workflow_status WHERE workflow_uuid = 'named'"))
        .isEqualTo("orders");
    assertThat(
            CdiTestSupport.query(
                database,
                "SELECT string_agg(DISTINCT application_name, ',') FROM dbos.operation_outputs"
                    + " WHERE workflow_uuid = 'named'"))
        .isEqualTo("orders");
  }
}
