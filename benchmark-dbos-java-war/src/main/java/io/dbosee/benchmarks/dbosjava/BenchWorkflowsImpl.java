package io.dbosee.benchmarks.dbosjava;

import dev.dbos.transact.DBOS;
import dev.dbos.transact.txstep.JdbcStepFactory;
import dev.dbos.transact.workflow.Workflow;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** The workflows' bodies: steps run with {@code runStep}, the order through a step factory. */
public class BenchWorkflowsImpl implements BenchWorkflows {
  private final DBOS dbos;
  private final JdbcStepFactory transactions;

  BenchWorkflowsImpl(DBOS dbos, JdbcStepFactory transactions) {
    this.dbos = dbos;
    this.transactions = transactions;
  }

  @Workflow(name = "noopSteps")
  @Override
  public String noopSteps(int steps) {
    for (int i = 0; i < steps; i++) {
      dbos.runStep(() -> "", "noop");
    }
    return "done";
  }

  /**
   * DBOS Java 1.1's own transactional step ({@code JdbcStepFactory.txStep}, its documented way for
   * plain JDBC): the insert and the step's outcome row ({@code tx_step_outputs}) commit in one
   * transaction on the application's DataSource, and the SDK then checkpoints the step in its
   * system database as for any step.
   */
  @Workflow(name = "order")
  @Override
  public String order() throws SQLException {
    String workflowId = DBOS.workflowId();
    return transactions.txStep(
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement("INSERT INTO bench_orders (id, amount) VALUES (?, 42)")) {
            insert.setString(1, workflowId);
            insert.executeUpdate();
          }
          return "ordered";
        },
        "insertOrder");
  }
}
