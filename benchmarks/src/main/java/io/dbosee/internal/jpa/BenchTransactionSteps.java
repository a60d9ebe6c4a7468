package io.dbosee.internal.jpa;

import io.dbosee.Transaction;
import io.dbosee.internal.engine.StepExecution;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The engine's {@code @Transaction} step execution for the benchmark: the library's own {@link
 * TransactionStepExecution}, on the JDBC stand-in for JTA that its tests use (a server's JTA adds
 * its own cost, the same for every contender). In this package because both are package-private.
 */
public final class BenchTransactionSteps {
  private final JdbcTransactionControl tx;
  private final TransactionStepExecution execution;

  /** Creates the outcome table in {@code schema} of the application database when missing. */
  public BenchTransactionSteps(DataSource applicationDatabase, String schema) throws Exception {
    this.tx = new JdbcTransactionControl(applicationDatabase);
    OutcomeTable table = new OutcomeTable(schema);
    tx.inNewTransaction(
        () -> {
          try (Connection c = tx.connection()) {
            table.prepare(c);
          }
          return null;
        });
    this.execution =
        new TransactionStepExecution(
            tx,
            table,
            Transaction.Isolation.SERIALIZABLE,
            RetryBackoff.DEFAULT,
            d -> Thread.sleep(d.toMillis()));
  }

  /** Runs a step's body in a new transaction that also records its outcome. */
  public StepExecution execution() {
    return execution;
  }

  /** The running step's transaction connection (close it after use: the transaction stays). */
  public Connection connection() throws SQLException {
    return tx.connection();
  }
}
