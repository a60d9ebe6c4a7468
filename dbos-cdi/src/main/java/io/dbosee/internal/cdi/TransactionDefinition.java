package io.dbosee.internal.cdi;

import io.dbosee.Transaction;
import io.dbosee.internal.engine.StepDefinition;
import java.lang.reflect.Method;
import java.util.Objects;

/**
 * A {@code @Transaction} method as prepared at deployment, for the module that runs it ({@code
 * dbos-jpa-datasource}).
 *
 * @param method the bean method
 * @param step the step the engine checkpoints (without its execution strategy, which that module
 *     adds)
 * @param isolation the isolation level, configuration overrides applied
 * @param datasource the application database it names; empty for the default one
 */
public record TransactionDefinition(
    Method method, StepDefinition step, Transaction.Isolation isolation, String datasource) {
  public TransactionDefinition {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(isolation, "isolation");
    Objects.requireNonNull(datasource, "datasource");
  }
}
