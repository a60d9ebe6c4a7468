package io.dbosee.internal.cdi;

import io.dbosee.Transaction;
import io.dbosee.internal.errors.ErrorCode;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.InterceptionType;
import jakarta.enterprise.util.AnnotationLiteral;
import java.lang.reflect.Method;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Owns the deployment check that {@code @Transaction} steps can run at all: this module only
 * prepares them, the {@code dbos-jpa-datasource} module's interceptor runs them, and they record
 * their outcome in an application database that must be configured. Without either, they would run
 * with no transaction and no checkpoint.
 */
final class TransactionStepSupport {
  private TransactionStepSupport() {}

  /** The datasource names {@code @Transaction} methods give (the default one excluded). */
  static Set<String> namedIn(Map<Method, TransactionDefinition> transactions) {
    Set<String> names = new TreeSet<>();
    for (TransactionDefinition definition : transactions.values()) {
      if (!definition.datasource().isEmpty()) {
        names.add(definition.datasource());
      }
    }
    return names;
  }

  /**
   * A {@code @Transaction} method needs the module that runs it, and the application database it
   * names configured.
   */
  static void check(
      Collection<TransactionDefinition> transactions,
      BeanManager manager,
      Map<String, ApplicationDatasource> datasources,
      List<String> problems) {
    if (transactions.isEmpty()) {
      return;
    }
    String first = MethodDescription.of(transactions.iterator().next().method());
    if (manager
        .resolveInterceptors(InterceptionType.AROUND_INVOKE, new TransactionLiteral())
        .isEmpty()) {
      problems.add(
          ErrorCode.NO_TRANSACTION_SUPPORT.message(
              first
                  + " (and every @Transaction method) needs the io.dbosee:dbos-jpa-datasource"
                  + " module, which runs transaction steps; without it they would run without a"
                  + " transaction or a checkpoint. Add that dependency to the application."));
    }
    Set<String> reported = new TreeSet<>();
    for (TransactionDefinition definition : transactions) {
      String name = definition.datasource();
      if (datasources.containsKey(name) || !reported.add(name)) {
        continue;
      }
      String method = MethodDescription.of(definition.method());
      problems.add(name.isEmpty() ? noDefault(method) : notConfigured(method, name));
    }
  }

  private static String noDefault(String method) {
    return ErrorCode.NO_APPLICATION_DATABASE.message(
        method
            + " is a @Transaction step, but "
            + GlobalSettings.APPLICATION_DATASOURCE
            + " is not set. Set it to the JNDI name of the JTA DataSource your persistence"
            + " unit uses (its <jta-data-source>, such as jdbc/app): transaction steps"
            + " record their outcome there, in the same transaction as your writes. Or name a"
            + " declared datasource with @Transaction(datasource = ...).");
  }

  private static String notConfigured(String method, String name) {
    return ErrorCode.UNKNOWN_DATASOURCE.message(
        method
            + " is a @Transaction step on datasource '"
            + name
            + "', which is not configured. Set "
            + DatasourceSettings.jndiKey(name)
            + " to the JNDI name of the JTA DataSource of that database (the <jta-data-source>"
            + " of its persistence unit), or correct the name in @Transaction(datasource = ...).");
  }

  /** The binding to resolve; its members are {@code @Nonbinding}, so these values match any. */
  private static final class TransactionLiteral extends AnnotationLiteral<Transaction>
      implements Transaction {
    private static final long serialVersionUID = 1L;

    @Override
    public String name() {
      return "";
    }

    @Override
    public String datasource() {
      return "";
    }

    @Override
    public Isolation isolation() {
      return Isolation.SERIALIZABLE;
    }
  }
}
