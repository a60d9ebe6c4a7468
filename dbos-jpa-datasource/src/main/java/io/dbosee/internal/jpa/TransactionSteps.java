package io.dbosee.internal.jpa;

import io.dbosee.Transaction;
import io.dbosee.internal.cdi.DBOSRuntime;
import io.dbosee.internal.cdi.TransactionDefinition;
import io.dbosee.internal.engine.DBOSEngine;
import io.dbosee.internal.engine.Invocation;
import io.dbosee.internal.engine.StepDefinition;
import io.dbosee.internal.errors.ErrorCode;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.UserTransaction;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * Prepares the application's {@code @Transaction} methods when it starts (looks up the JTA
 * DataSource and the UserTransaction, creates {@code tx_step_outputs} if missing) and runs them:
 * inside a workflow as transaction steps through the engine, outside one as ordinary transactions.
 * Bad configuration fails the application's start with a message that says what to fix.
 */
@ApplicationScoped
public class TransactionSteps {
  private static final Logger LOG = Logger.getLogger(TransactionSteps.class.getName());
  static final String USER_TRANSACTION = "java:comp/UserTransaction";
  static final String REGISTRY = "java:comp/TransactionSynchronizationRegistry";

  @Inject DBOSRuntime runtime;
  @Inject NewTransactions newTransactions;

  /** What every call needs, built once. */
  private record Prepared(
      Map<Method, StepDefinition> steps,
      Map<Transaction.Isolation, TransactionStepExecution> executions) {}

  private volatile Prepared prepared;

  /** Right after the engine starts, so that a configuration error stops the application. */
  void start(
      @Observes
          @Priority(Interceptor.Priority.PLATFORM_BEFORE + 1)
          @Initialized(ApplicationScoped.class)
          Object event) {
    prepared();
  }

  /**
   * Runs a {@code @Transaction} method: inside a workflow as a step (a plain call inside another
   * step), outside a workflow as an ordinary JTA transaction.
   */
  public Object run(Method method, Invocation body) throws Exception {
    TransactionDefinition definition = runtime.transaction(method);
    if (definition == null) {
      return body.proceed(); // not a bean method the extension prepared (e.g. vetoed type)
    }
    Prepared ready = prepared();
    DBOSEngine engine = runtime.engine();
    if (engine.currentWorkflowId().isEmpty()) {
      return ready.executions().get(definition.isolation()).joinOrBegin(body);
    }
    return engine.runStep(ready.steps().get(method), body);
  }

  /** The step definition the engine runs for {@code method} (with its execution strategy). */
  public StepDefinition step(Method method) {
    return prepared().steps().get(method);
  }

  private Prepared prepared() {
    Prepared ready = prepared;
    if (ready == null) {
      synchronized (this) {
        ready = prepared;
        if (ready == null) {
          ready = prepare();
          prepared = ready;
        }
      }
    }
    return ready;
  }

  private Prepared prepare() {
    if (runtime.transactions().isEmpty()) {
      return new Prepared(Map.of(), Map.of());
    }
    String name =
        runtime
            .applicationDataSource()
            .orElseThrow(
                () ->
                    ErrorCode.JPA_RESOURCE_NOT_BOUND.illegalState(
                        "dbos.application-database.datasource is not set; set it to the JNDI name"
                            + " of the JTA DataSource of your persistence unit."));
    DataSource dataSource = lookup(name, DataSource.class, "dbos.application-database.datasource");
    UserTransaction userTransaction = lookup(USER_TRANSACTION, UserTransaction.class, null);
    TransactionSynchronizationRegistry registry =
        lookup(REGISTRY, TransactionSynchronizationRegistry.class, null);
    TransactionControl control =
        new JtaTransactionControl(userTransaction, registry, dataSource, newTransactions);
    OutcomeTable table = new OutcomeTable(runtime.applicationSchema());
    createTable(control, table, name);

    Map<Transaction.Isolation, TransactionStepExecution> executions =
        new EnumMap<>(Transaction.Isolation.class);
    for (Transaction.Isolation isolation : Transaction.Isolation.values()) {
      executions.put(
          isolation,
          new TransactionStepExecution(
              control,
              table,
              isolation,
              RetryBackoff.DEFAULT,
              duration -> Thread.sleep(duration.toMillis())));
    }
    Map<Method, StepDefinition> steps = new HashMap<>();
    for (TransactionDefinition definition : runtime.transactions()) {
      steps.put(
          definition.method(),
          definition.step().withExecution(executions.get(definition.isolation())));
    }
    LOG.log(
        Level.INFO,
        "DBOS transaction steps ready: {0} method(s), outcomes in {1} through {2}",
        new Object[] {steps.size(), table.qualifiedName(), name});
    return new Prepared(Map.copyOf(steps), executions);
  }

  private static void createTable(TransactionControl control, OutcomeTable table, String name) {
    try {
      control.inNewTransaction(
          () -> {
            try (Connection c = control.connection()) {
              table.create(c);
            }
            return null;
          });
    } catch (Exception e) {
      throw ErrorCode.JPA_OUTCOME_TABLE_NOT_CREATED.illegalState(
          "Could not create "
              + table.qualifiedName()
              + " through the DataSource '"
              + name
              + "' (dbos.application-database.datasource): "
              + TransactionStepExecution.reason(e)
              + ". Check that it is a transactional DataSource on PostgreSQL whose user may"
              + " create that table, or create it yourself (see docs/guide/transactions.md), or set"
              + " dbos.application-database.schema.",
          e);
    }
  }

  private static <T> T lookup(String name, Class<T> type, String key) {
    try {
      return type.cast(new InitialContext().lookup(name));
    } catch (NamingException | ClassCastException e) {
      throw ErrorCode.JPA_RESOURCE_NOT_BOUND.illegalState(
          "No "
              + type.getSimpleName()
              + " is bound at '"
              + name
              + "'"
              + (key == null ? "" : " (" + key + ")")
              + ": "
              + e
              + (key == null
                  ? ". Transaction steps need the server's JTA support (Liberty: a feature such as"
                      + " persistence-3.1 or jdbc-4.3)."
                  : ". Set it to the JNDI name of the transactional DataSource your persistence"
                      + " unit uses (its <jta-data-source>), as defined in server.xml."),
          e);
    }
  }
}
