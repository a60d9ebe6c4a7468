package io.dbosee.internal.jpa;

import io.dbosee.TransactionOptions;
import io.dbosee.internal.cdi.ApplicationDatasource;
import io.dbosee.internal.cdi.DBOSRuntime;
import io.dbosee.internal.cdi.TransactionDefinition;
import io.dbosee.internal.cdi.TransactionRunner;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * Prepares the application's datasources when it starts (looks up each JTA DataSource and the
 * UserTransaction, creates or upgrades each {@code datasource_outputs}) and runs transaction steps
 * on them, annotated ({@code @Transaction}) or programmatic ({@code DBOS.runTransaction}): inside a
 * workflow as steps through the engine, outside one as ordinary transactions. Bad configuration
 * fails the application's start with a message that says what to fix.
 */
@ApplicationScoped
public class TransactionSteps implements TransactionRunner {
  private static final Logger LOG = Logger.getLogger(TransactionSteps.class.getName());
  static final String USER_TRANSACTION = "java:comp/UserTransaction";
  static final String REGISTRY = "java:comp/TransactionSynchronizationRegistry";

  @Inject DBOSRuntime runtime;
  @Inject NewTransactions newTransactions;

  /** What every call needs, built once. */
  private record Prepared(Map<Method, StepDefinition> steps, Datasources datasources) {}

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
    return Datasources.run(runtime.engine(), prepared().steps().get(method), body);
  }

  @Override
  public Object runTransaction(
      String name,
      TransactionOptions options,
      Class<?> resultType,
      ClassLoader loader,
      Invocation body)
      throws Exception {
    return prepared()
        .datasources()
        .runProgrammatic(runtime.engine(), name, options, resultType, loader, body);
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
    Map<String, ApplicationDatasource> configured = runtime.datasources();
    if (configured.isEmpty()) {
      // Deployment already refused @Transaction methods without a datasource.
      return new Prepared(Map.of(), new Datasources(Map.of()));
    }
    // The application's own names first: the likelier mistake, and the more useful message.
    Map<String, DataSource> bound = new HashMap<>();
    for (ApplicationDatasource datasource : configured.values()) {
      bound.put(datasource.name(), dataSource(datasource));
    }
    UserTransaction userTransaction = lookup(USER_TRANSACTION, UserTransaction.class);
    TransactionSynchronizationRegistry registry =
        lookup(REGISTRY, TransactionSynchronizationRegistry.class);
    Map<String, DatasourceSteps> byName = new LinkedHashMap<>();
    for (ApplicationDatasource datasource : configured.values()) {
      TransactionControl control =
          new JtaTransactionControl(
              userTransaction, registry, bound.get(datasource.name()), newTransactions);
      DatasourceSteps steps =
          new DatasourceSteps(
              datasource.name(),
              control,
              new OutcomeTable(datasource.schema()),
              RetryBackoff.DEFAULT,
              duration -> Thread.sleep(duration.toMillis()));
      prepareTable(steps, datasource);
      byName.put(datasource.name(), steps);
    }
    Datasources datasources = new Datasources(byName);
    Map<Method, StepDefinition> steps = new HashMap<>();
    for (TransactionDefinition definition : runtime.transactions()) {
      steps.put(
          definition.method(),
          definition
              .step()
              .withExecution(
                  datasources.execution(definition.datasource(), definition.isolation())));
    }
    return new Prepared(Map.copyOf(steps), datasources);
  }

  private static void prepareTable(DatasourceSteps steps, ApplicationDatasource datasource) {
    OutcomeTable table = steps.table();
    try {
      steps.prepareTable();
    } catch (Exception e) {
      throw ErrorCode.JPA_OUTCOME_TABLE_NOT_CREATED.illegalState(
          "Could not create "
              + table.qualifiedName()
              + " for "
              + datasource.describe()
              + " through the DataSource '"
              + datasource.jndiName()
              + "' ("
              + datasource.jndiKey()
              + "): "
              + TransactionStepExecution.reason(e)
              + ". Check that it is a transactional DataSource on PostgreSQL whose user may"
              + " create that table, or create it yourself (see docs/guide/transactions.md), or"
              + " choose another schema.",
          e);
    }
    if (table.legacy()) {
      LOG.warning(
          ErrorCode.JPA_LEGACY_OUTCOME_TABLE.message(
              table.legacyName()
                  + " is still read beside "
                  + table.qualifiedName()
                  + " for "
                  + datasource.describe()
                  + ": it was not renamed, because that table already existed or this database"
                  + " user does not own the old one. Once no"
                  + " server of an older version runs, have its owner merge it: INSERT INTO "
                  + table.qualifiedName()
                  + " SELECT * FROM "
                  + table.legacyName()
                  + " ON CONFLICT DO NOTHING; DROP TABLE "
                  + table.legacyName()
                  + ";"));
    }
    LOG.log(
        Level.INFO,
        "DBOS transaction steps ready on {0}: outcomes in {1} through {2}",
        new Object[] {datasource.describe(), table.qualifiedName(), datasource.jndiName()});
  }

  private static DataSource dataSource(ApplicationDatasource datasource) {
    try {
      return (DataSource) new InitialContext().lookup(datasource.jndiName());
    } catch (NamingException | ClassCastException e) {
      throw ErrorCode.JPA_RESOURCE_NOT_BOUND.illegalState(
          "No DataSource is bound at '"
              + datasource.jndiName()
              + "' for "
              + datasource.describe()
              + " ("
              + datasource.jndiKey()
              + "): "
              + e
              + ". Set "
              + datasource.jndiKey()
              + " to the JNDI name of the transactional DataSource its persistence unit uses (its"
              + " <jta-data-source>), as defined in server.xml.",
          e);
    }
  }

  private static <T> T lookup(String name, Class<T> type) {
    try {
      return type.cast(new InitialContext().lookup(name));
    } catch (NamingException | ClassCastException e) {
      throw ErrorCode.JPA_RESOURCE_NOT_BOUND.illegalState(
          "No "
              + type.getSimpleName()
              + " is bound at '"
              + name
              + "': "
              + e
              + ". Transaction steps need the server's JTA support (Liberty: a feature such as"
              + " persistence-3.1 or jdbc-4.3).",
          e);
    }
  }
}
