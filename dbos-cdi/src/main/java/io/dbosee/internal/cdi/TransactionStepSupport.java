package io.dbosee.internal.cdi;

import io.dbosee.Transaction;
import io.dbosee.internal.errors.ErrorCode;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.InterceptionType;
import jakarta.enterprise.util.AnnotationLiteral;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Owns the deployment check that {@code @Transaction} steps can run at all: this module only
 * prepares them, the {@code dbos-jpa-datasource} module's interceptor runs them, and they record
 * their outcome in an application database that must be configured. Without either, they would run
 * with no transaction and no checkpoint.
 */
final class TransactionStepSupport {
  private TransactionStepSupport() {}

  /** A {@code @Transaction} method needs the module that runs it, and an application database. */
  static void check(
      Set<Method> transactions,
      BeanManager manager,
      Optional<String> applicationDatasource,
      List<String> problems) {
    if (transactions.isEmpty()) {
      return;
    }
    String first = MethodDescription.of(transactions.iterator().next());
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
    if (applicationDatasource.isEmpty()) {
      problems.add(
          ErrorCode.NO_APPLICATION_DATABASE.message(
              first
                  + " is a @Transaction step, but "
                  + GlobalSettings.APPLICATION_DATASOURCE
                  + " is not set. Set it to the JNDI name of the JTA DataSource your persistence"
                  + " unit uses (its <jta-data-source>, such as jdbc/app): transaction steps"
                  + " record their outcome there, in the same transaction as your writes."));
    }
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
    public Isolation isolation() {
      return Isolation.SERIALIZABLE;
    }
  }
}
