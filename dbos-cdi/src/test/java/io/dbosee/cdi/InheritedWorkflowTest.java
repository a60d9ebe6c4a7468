package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbosee.DBOS;
import io.dbosee.Step;
import io.dbosee.Workflow;
import io.dbosee.testing.TestPostgres;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Workflows and steps declared in an abstract base class work in the concrete bean. */
class InheritedWorkflowTest {
  private final TestPostgres.Database database = TestPostgres.newDatabase();

  public abstract static class BaseOrders {
    @Inject DBOS dbos;

    protected abstract BaseOrders self();

    @Workflow
    public String checkout(String order) {
      return self().reserve(order) + " by " + dbos.workflowId().orElseThrow();
    }

    @Step
    public String reserve(String order) {
      return "reserved " + order;
    }
  }

  @ApplicationScoped
  public static class Orders extends BaseOrders {
    @Inject Orders self;

    @Override
    protected BaseOrders self() {
      return self;
    }
  }

  @AfterEach
  void release() {
    CdiTestSupport.releaseConfig();
  }

  @Test
  void anInheritedWorkflowIsDurableAndAddressedByTheConcreteBeanClass() {
    try (WeldContainer container =
        CdiTestSupport.start(CdiTestSupport.systemDatabase(database), Orders.class)) {
      DBOS dbos = container.select(DBOS.class).get();
      try (var scope = dbos.withWorkflowId("inherited-1")) {
        assertThat(container.select(Orders.class).get().checkout("o-9"))
            .isEqualTo("reserved o-9 by inherited-1");
      }
    }

    assertThat(
            CdiTestSupport.query(
                database, "SELECT class_name || '/' || name FROM dbos.workflow_status"))
        .isEqualTo(Orders.class.getName() + "/checkout");
    assertThat(CdiTestSupport.query(database, "SELECT function_name FROM dbos.operation_outputs"))
        .isEqualTo("reserve");
  }
}
