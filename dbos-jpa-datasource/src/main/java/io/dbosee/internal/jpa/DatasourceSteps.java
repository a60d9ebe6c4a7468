package io.dbosee.internal.jpa;

import io.dbosee.Transaction;
import java.sql.Connection;
import java.util.EnumMap;
import java.util.Map;

/**
 * One application database's transaction steps: its transactions, its outcome table, and one
 * execution per isolation level, all sharing them.
 */
final class DatasourceSteps {
  private final String name;
  private final TransactionControl control;
  private final OutcomeTable table;
  private final Map<Transaction.Isolation, TransactionStepExecution> executions;

  /**
   * @param name the datasource's logical name; empty for the default application database
   */
  DatasourceSteps(
      String name,
      TransactionControl control,
      OutcomeTable table,
      RetryBackoff backoff,
      TransactionStepExecution.Sleeper sleeper) {
    this.name = name;
    this.control = control;
    this.table = table;
    Map<Transaction.Isolation, TransactionStepExecution> byLevel =
        new EnumMap<>(Transaction.Isolation.class);
    for (Transaction.Isolation isolation : Transaction.Isolation.values()) {
      byLevel.put(
          isolation, new TransactionStepExecution(control, table, isolation, backoff, sleeper));
    }
    this.executions = byLevel;
  }

  String name() {
    return name;
  }

  OutcomeTable table() {
    return table;
  }

  TransactionStepExecution execution(Transaction.Isolation isolation) {
    return executions.get(isolation);
  }

  /** Creates (or upgrades) the outcome table in a transaction of its own. */
  void prepareTable() throws Exception {
    control.inNewTransaction(
        () -> {
          try (Connection c = control.connection()) {
            table.prepare(c);
          }
          return null;
        });
  }
}
