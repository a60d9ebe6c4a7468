package io.dbosee.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbosee.StepOptions;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import io.dbosee.internal.engine.StepExecution.RecordedOutcome;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's hook for steps whose outcome is recorded outside the system database (transaction
 * steps), with an in-memory stand-in for the application database.
 */
class StepExecutionTest {
  private final EngineHarness harness = new EngineHarness();
  private final AtomicInteger bodyRuns = new AtomicInteger();
  private final OutsideStore store = new OutsideStore();

  @AfterEach
  void stop() {
    harness.close();
  }

  /**
   * Records each outcome in a map "atomically with the body", as the application database would.
   */
  private static final class OutsideStore implements StepExecution {
    final Map<String, RecordedOutcome> rows = new ConcurrentHashMap<>();
    final List<String> lookups = new CopyOnWriteArrayList<>();

    @Override
    public Optional<RecordedOutcome> recorded(StepCall call) {
      lookups.add(call.workflowId() + "/" + call.functionId());
      return Optional.ofNullable(rows.get(call.workflowId() + "/" + call.functionId()));
    }

    @Override
    public Object execute(StepCall call, Invocation body) throws Exception {
      String key = call.workflowId() + "/" + call.functionId();
      try {
        Object result = body.proceed();
        rows.put(
            key, new RecordedOutcome(call.serializeResult(result), null, call.serialization()));
        return result;
      } catch (Exception e) {
        if (!call.mustStayPending(e)) {
          rows.put(key, new RecordedOutcome(null, call.serializeError(e), call.serialization()));
        }
        throw e;
      }
    }
  }

  private WorkflowSpec workflow(Invocation transactionBody) {
    return new WorkflowSpec(
        "withTransaction",
        String.class,
        new Class<?>[0],
        (engine, args) ->
            "got "
                + engine.runStep(
                    new StepDefinition(
                            "insertRow",
                            StepOptions.DEFAULT,
                            String.class,
                            getClass().getClassLoader())
                        .withExecution(store),
                    transactionBody));
  }

  private WorkflowSpec counting() {
    return workflow(() -> "row " + bodyRuns.incrementAndGet());
  }

  /** A crash after the outside record and before the checkpoint and the workflow's end. */
  private void loseCheckpointAndOutcome(String workflowId) throws SQLException {
    try (Connection c = harness.dataSource().getConnection();
        PreparedStatement delete =
            c.prepareStatement("DELETE FROM dbos.operation_outputs WHERE workflow_uuid = ?");
        PreparedStatement pending =
            c.prepareStatement(
                "UPDATE dbos.workflow_status SET status = 'PENDING', output = NULL, error = NULL"
                    + " WHERE workflow_uuid = ?")) {
      delete.setString(1, workflowId);
      assertThat(delete.executeUpdate()).isEqualTo(1);
      pending.setString(1, workflowId);
      assertThat(pending.executeUpdate()).isEqualTo(1);
    }
    harness.unfinish(workflowId); // and its recorded outcome, now in workflow_output
  }

  @Test
  void theOutcomeIsRecordedOutsideAndCheckpointedAndAFreshWorkflowDoesNotLookItUp()
      throws Exception {
    WorkflowSpec workflow = counting();
    harness.engine("local", workflow);

    assertThat(workflow.callWithId("t-1")).isEqualTo("got row 1");

    assertThat(store.rows).containsOnlyKeys("t-1/0");
    assertThat(store.lookups).as("a workflow started afresh has nothing recorded").isEmpty();
    assertThat(
            harness.queryColumn(
                "SELECT function_name || '=' || output FROM dbos.operation_outputs"
                    + " WHERE workflow_uuid = 't-1'"))
        .containsExactly("insertRow=\"row 1\"");
  }

  @Test
  void aCheckpointedStepIsReplayedWithoutAskingTheStrategy() throws Exception {
    WorkflowSpec workflow = counting();
    harness.engine("local", workflow);
    workflow.callWithId("t-2");
    try (Connection c = harness.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE dbos.workflow_status SET status = 'PENDING' WHERE workflow_uuid = 't-2'")) {
      ps.executeUpdate();
    }

    assertThat(workflow.callWithId("t-2")).isEqualTo("got row 1");
    assertThat(bodyRuns).hasValue(1);
    assertThat(store.lookups).isEmpty();
  }

  @Test
  void anOutcomeRecordedOutsideButNotCheckpointedIsReturnedWithoutRunningTheBodyAgain()
      throws Exception {
    WorkflowSpec workflow = counting();
    harness.engine("local", workflow);
    workflow.callWithId("t-3");
    loseCheckpointAndOutcome("t-3");

    assertThat(workflow.callWithId("t-3")).isEqualTo("got row 1");

    assertThat(bodyRuns).as("the body ran once").hasValue(1);
    assertThat(store.lookups).containsExactly("t-3/0");
    assertThat(
            harness.query(
                "SELECT output FROM dbos.operation_outputs WHERE workflow_uuid = 't-3'"
                    + " AND function_id = 0"))
        .as("checkpointed again from the outside record")
        .isEqualTo("\"row 1\"");
    assertThat(harness.status("t-3")).isEqualTo("SUCCESS");
  }

  @Test
  void aFailureRecordedOutsideIsRethrownAsItsTypeAndCheckpointed() throws Exception {
    WorkflowSpec workflow =
        workflow(
            () -> {
              bodyRuns.incrementAndGet();
              throw new IOException("disk full");
            });
    harness.engine("local", workflow);
    assertThatThrownBy(() -> workflow.callWithId("t-4"))
        .isExactlyInstanceOf(IOException.class)
        .hasMessage("disk full");
    loseCheckpointAndOutcome("t-4");

    assertThatThrownBy(() -> workflow.callWithId("t-4"))
        .isExactlyInstanceOf(IOException.class)
        .hasMessage("disk full");

    assertThat(bodyRuns).hasValue(1);
    assertThat(
            harness.query(
                "SELECT error IS NOT NULL FROM dbos.operation_outputs WHERE workflow_uuid ="
                    + " 't-4'"))
        .isEqualTo("t");
  }

  @Test
  void withoutAnOutsideRecordAResumedWorkflowRunsTheBody() throws Exception {
    WorkflowSpec workflow = counting();
    harness.engine("local", workflow);
    workflow.callWithId("t-5");
    loseCheckpointAndOutcome("t-5");
    store.rows.clear();

    assertThat(workflow.callWithId("t-5")).isEqualTo("got row 2");
    assertThat(bodyRuns).hasValue(2);
  }
}
