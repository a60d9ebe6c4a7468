package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dbosee.DBOS;
import io.dbosee.Step;
import io.dbosee.Workflow;
import io.dbosee.testing.TestPostgres;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * CDI never intercepts a call through {@code this}: a workflow calling its own step directly would
 * run it without a checkpoint. Deployment catches it; calls through a self-reference are durable.
 */
class SelfCallCheckTest {
  private static final TestPostgres.Database DATABASE = TestPostgres.newDatabase();

  @AfterEach
  void release() {
    CdiTestSupport.releaseConfig();
  }

  @ApplicationScoped
  public static class CallsItselfDirectly {
    @Workflow
    public String checkout(String order) {
      return charge(order);
    }

    @Step
    public String charge(String order) {
      return "charged " + order;
    }
  }

  @ApplicationScoped
  public static class CallsThroughSelf {
    static final AtomicInteger CHARGES = new AtomicInteger();
    @Inject CallsThroughSelf self;

    @Workflow
    public String checkout(String order) {
      return self.charge(order);
    }

    @Step
    public String charge(String order) {
      CHARGES.incrementAndGet();
      return "charged " + order;
    }
  }

  private static Map<String, String> config(Map<String, String> extra) {
    Map<String, String> properties = new HashMap<>(CdiTestSupport.systemDatabase(DATABASE));
    properties.putAll(extra);
    return properties;
  }

  @Test
  void aWorkflowCallingItsOwnStepThroughThisFailsTheDeploymentNamingCallerCalleeAndFix() {
    Throwable failure =
        catchThrowable(
            () -> {
              try (WeldContainer ignored =
                  CdiTestSupport.start(config(Map.of()), CallsItselfDirectly.class)) {
                // deployed: no failure
              }
            });

    assertThat(failure).isNotNull();
    String message = String.valueOf(failure.getMessage()) + failure.getCause();
    assertThat(message).contains("DBOS-CDI-009").contains("checkout").contains("charge");
    assertThat(message).contains("@Inject");
  }

  @Test
  void theCheckCanBeTurnedIntoAWarning() {
    try (WeldContainer container =
        CdiTestSupport.start(
            config(Map.of("dbos.self-call-check", "warn")), CallsItselfDirectly.class)) {
      assertThat(container.select(CallsItselfDirectly.class).get().checkout("o-1"))
          .isEqualTo("charged o-1");
    }
  }

  @Test
  void aStepCalledThroughTheInjectedSelfReferenceIsCheckpointed() {
    CallsThroughSelf.CHARGES.set(0);
    try (WeldContainer container = CdiTestSupport.start(config(Map.of()), CallsThroughSelf.class)) {
      CallsThroughSelf bean = container.select(CallsThroughSelf.class).get();
      DBOS dbos = container.select(DBOS.class).get();
      for (int i = 0; i < 2; i++) {
        try (var scope = dbos.withWorkflowId("self-1")) {
          assertThat(bean.checkout("o-2")).isEqualTo("charged o-2");
        }
      }
    }

    assertThat(CallsThroughSelf.CHARGES).hasValue(1);
    assertThat(
            CdiTestSupport.query(
                DATABASE,
                "SELECT function_name FROM dbos.operation_outputs WHERE workflow_uuid ="
                    + " 'self-1'"))
        .isEqualTo("charge");
  }
}
