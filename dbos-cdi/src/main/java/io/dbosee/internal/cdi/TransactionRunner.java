package io.dbosee.internal.cdi;

import io.dbosee.TransactionOptions;
import io.dbosee.internal.engine.Invocation;

/**
 * Runs programmatic transaction steps ({@code DBOS.runTransaction}): implemented by the {@code
 * dbos-jpa-datasource} module, which owns JTA; this module only finds it.
 */
public interface TransactionRunner {

  /**
   * Runs {@code body} as the transaction step {@code name} (inside a workflow), or as an ordinary
   * transaction (outside one).
   *
   * @param loader the class loader that reads the recorded result back as {@code resultType}
   */
  Object runTransaction(
      String name,
      TransactionOptions options,
      Class<?> resultType,
      ClassLoader loader,
      Invocation body)
      throws Exception;
}
