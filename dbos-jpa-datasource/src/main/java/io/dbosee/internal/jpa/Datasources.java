package io.dbosee.internal.jpa;

import io.dbosee.StepOptions;
import io.dbosee.Transaction;
import io.dbosee.TransactionOptions;
import io.dbosee.internal.cdi.DBOSRuntime;
import io.dbosee.internal.engine.DBOSEngine;
import io.dbosee.internal.engine.Invocation;
import io.dbosee.internal.engine.StepDefinition;
import io.dbosee.internal.errors.ErrorCode;
import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;

/**
 * The application's prepared datasources by name (the default one under the empty name), and the
 * rule both forms of transaction step follow: inside a workflow a step through the engine (a plain
 * call inside another step), outside one an ordinary transaction.
 */
final class Datasources {
  private final Map<String, DatasourceSteps> byName;

  Datasources(Map<String, DatasourceSteps> byName) {
    this.byName = Map.copyOf(byName);
  }

  Collection<DatasourceSteps> all() {
    return byName.values();
  }

  /**
   * The execution of transaction steps on {@code datasource} at {@code isolation}.
   *
   * @throws IllegalArgumentException when no such datasource is configured
   */
  TransactionStepExecution execution(String datasource, Transaction.Isolation isolation) {
    DatasourceSteps steps = byName.get(datasource);
    if (steps == null) {
      throw ErrorCode.JPA_UNKNOWN_DATASOURCE.illegalArgument(
          (datasource.isEmpty()
                  ? "No default application database is configured"
                  : "No datasource named '" + datasource + "' is configured")
              + " (configured: "
              + (byName.isEmpty() ? "none" : describe(byName.keySet()))
              + "). Set "
              + DBOSRuntime.datasourceKey(datasource)
              + " to the JNDI name of its JTA DataSource, or name a configured one in"
              + " TransactionOptions.withDatasource(...).");
    }
    return steps.execution(isolation);
  }

  private static String describe(Collection<String> names) {
    TreeSet<String> shown = new TreeSet<>();
    for (String name : names) {
      shown.add(name.isEmpty() ? "the default" : "'" + name + "'");
    }
    return String.join(", ", shown);
  }

  /**
   * A programmatic step: {@code name} on the datasource and at the isolation {@code options} say.
   */
  Object runProgrammatic(
      DBOSEngine engine,
      String name,
      TransactionOptions options,
      Class<?> resultType,
      ClassLoader loader,
      Invocation body)
      throws Exception {
    TransactionStepExecution execution = execution(options.datasource(), options.isolation());
    return run(
        engine,
        new StepDefinition(name, StepOptions.DEFAULT, resultType, loader).withExecution(execution),
        body);
  }

  /**
   * {@code step} carries its {@link TransactionStepExecution}. Called to be started or enqueued on
   * its own, the step goes to the engine, which refuses it before it runs.
   */
  static Object run(DBOSEngine engine, StepDefinition step, Invocation body) throws Exception {
    if (engine.currentWorkflowId().isEmpty() && !engine.startRequested()) {
      return ((TransactionStepExecution) step.execution()).joinOrBegin(body);
    }
    return engine.runStep(step, body);
  }
}
