package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbosee.DBOS;
import io.dbosee.WorkflowState;
import io.dbosee.testing.TestPostgres;
import jakarta.enterprise.context.control.RequestContextController;
import java.io.IOException;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The programming model on Weld SE: interception, ids, children, request context. */
class CdiWorkflowTest {
  private final TestPostgres.Database database = TestPostgres.newDatabase();
  private WeldContainer container;
  private Greetings greetings;
  private DBOS dbos;

  @BeforeEach
  void start() {
    Greetings.CALLS.clear();
    container =
        CdiTestSupport.start(
            CdiTestSupport.systemDatabase(database),
            Greetings.class,
            Guestbook.class,
            RequestData.class);
    greetings = container.select(Greetings.class).get();
    dbos = container.select(DBOS.class).get();
  }

  @AfterEach
  void stop() {
    container.close();
    CdiTestSupport.releaseConfig();
  }

  private String sql(String query, Object... parameters) {
    return CdiTestSupport.query(database, query, parameters);
  }

  @Test
  void aWorkflowCallThroughTheBeanIsDurable() {
    String result;
    try (var scope = dbos.withWorkflowId("greet-mike")) {
      result = greetings.greet("Mike");
    }

    assertThat(result).isEqualTo("Thank you for being awesome, Mike! (signed:Mike, 1, stamp-1)");
    assertThat(dbos.getWorkflowStatus("greet-mike").orElseThrow().state())
        .isEqualTo(WorkflowState.SUCCESS);
    assertThat(
            sql(
                "SELECT string_agg(function_id || ':' || function_name, ',' ORDER BY function_id)"
                    + " FROM dbos.operation_outputs WHERE workflow_uuid = 'greet-mike'"))
        .isEqualTo("0:signGuestbook,1:DBOS.sleep,2:record-greeting,3:stamp");
    assertThat(sql("SELECT class_name || '/' || name FROM dbos.workflow_status"))
        .isEqualTo(Greetings.class.getName() + "/greet");
  }

  @Test
  void callingAgainWithAFinishedIdReturnsTheRecordedResultWithoutRunningAnything() {
    String first;
    try (var scope = dbos.withWorkflowId("again")) {
      first = greetings.greet("Mike");
    }
    String second;
    try (var scope = dbos.withWorkflowId("again")) {
      second = greetings.greet("Mike");
    }

    assertThat(second).isEqualTo(first);
    assertThat(Greetings.calls("greet")).isEqualTo(1);
    assertThat(Greetings.calls("signGuestbook")).isEqualTo(1);
    assertThat(Greetings.calls("stamp")).isEqualTo(1);
  }

  @Test
  void aStepOnAnotherBeanCalledInsideAStepIsAPlainCall() {
    greetings.greet("Ann");

    assertThat(Greetings.calls("guestbook.sign")).isEqualTo(1);
    assertThat(sql("SELECT count(*) FROM dbos.operation_outputs WHERE function_name = 'sign'"))
        .isEqualTo("0");
  }

  @Test
  void aStepCalledOutsideAnyWorkflowIsAPlainCall() {
    Guestbook guestbook = container.select(Guestbook.class).get();

    assertThat(guestbook.sign("Zoe")).isEqualTo("signed:Zoe");
    assertThat(greetings.signGuestbook("Zoe")).isEqualTo("signed:Zoe");
    assertThat(dbos.runStep("inline", String.class, () -> "plain")).isEqualTo("plain");
    assertThat(sql("SELECT count(*) FROM dbos.operation_outputs")).isEqualTo("0");
    assertThat(sql("SELECT count(*) FROM dbos.workflow_status")).isEqualTo("0");
  }

  @Test
  void theWorkflowBodyHasAnActiveRequestContext() {
    String result;
    try (var scope = dbos.withWorkflowId("request-1")) {
      result = greetings.whoAmI();
    }

    assertThat(result).isEqualTo("request-1");
  }

  /** Request contexts are activated per workflow and destroyed after it, never carried over. */
  @Test
  void eachWorkflowGetsAFreshRequestContext() {
    for (int i = 0; i < 5; i++) {
      assertThat(greetings.rememberAndReportPrevious("value-" + i))
          .as("workflow %d", i)
          .isEqualTo("null");
    }
  }

  @Test
  void aWorkflowCalledFromAThreadWithoutARequestContextRunsOnThatThreadInAFreshOne() {
    assertThat(greetings.threadName()).isEqualTo(Thread.currentThread().getName());
    assertThat(greetings.rememberAndReportPrevious("value")).isEqualTo("null");
    RequestContextController probe = container.select(RequestContextController.class).get();
    assertThat(probe.activate()).as("the workflow's request context ended with it").isTrue();
    probe.deactivate();
  }

  /** A caller's request context is neither shared with the workflow nor disturbed by it. */
  @Test
  void aWorkflowCalledInsideARequestContextRunsOnTheExecutorInAFreshOne() {
    RequestContextController requestContext =
        container.select(RequestContextController.class).get();
    assertThat(requestContext.activate()).isTrue();
    try {
      RequestData callersData = container.select(RequestData.class).get();
      callersData.remember("the caller's");

      assertThat(greetings.threadName()).isNotEqualTo(Thread.currentThread().getName());
      assertThat(greetings.rememberAndReportPrevious("the workflow's")).isEqualTo("null");
      assertThat(callersData.value()).isEqualTo("the caller's");
    } finally {
      requestContext.deactivate();
    }
  }

  @Test
  void aWorkflowCalledFromAWorkflowIsAChildWithADeterministicId() {
    String result;
    try (var scope = dbos.withWorkflowId("family")) {
      result = greetings.parent("Kim");
    }

    assertThat(result).isEqualTo("parent of child Kim in family-0");
    assertThat(
            sql(
                "SELECT parent_workflow_id FROM dbos.workflow_status WHERE workflow_uuid = ?",
                "family-0"))
        .isEqualTo("family");
    assertThat(sql("SELECT name FROM dbos.workflow_status WHERE workflow_uuid = 'family'"))
        .isEqualTo("parent");
  }

  @Test
  void aCheckedExceptionPassesThroughAndIsReplayedAsItsType() {
    for (int call = 0; call < 2; call++) {
      assertThatThrownBy(
              () -> {
                try (var scope = dbos.withWorkflowId("fails")) {
                  greetings.failing("disk full");
                }
              })
          .isExactlyInstanceOf(IOException.class)
          .hasMessage("disk full");
    }
    assertThat(Greetings.calls("failing")).isEqualTo(1);
    assertThat(dbos.getWorkflowStatus("fails").orElseThrow().state())
        .isEqualTo(WorkflowState.ERROR);
  }

  @Test
  void theWorkflowIdIsVisibleInsideAndEmptyOutside() {
    assertThat(dbos.workflowId()).isEmpty();
    assertThat(dbos.executorId()).isEqualTo("local");
    assertThat(dbos.applicationVersion()).matches("[0-9a-f]{32}");
  }
}
