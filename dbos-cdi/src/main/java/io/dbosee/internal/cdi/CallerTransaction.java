package io.dbosee.internal.cdi;

import jakarta.transaction.Status;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.function.BooleanSupplier;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * Tells whether the calling thread runs in a JTA transaction, which a workflow it calls must not
 * join: such a workflow runs on the executor instead of the caller's thread.
 */
final class CallerTransaction {
  static final String REGISTRY = "java:comp/TransactionSynchronizationRegistry";

  private CallerTransaction() {}

  /**
   * A test of the calling thread through the server's transaction registry; where none is bound (no
   * JTA API, or Java SE without a transaction manager) no thread is ever in a transaction.
   */
  static BooleanSupplier detector() {
    if (!DBOSExtension.present("jakarta.transaction.TransactionSynchronizationRegistry")) {
      return () -> false;
    }
    return Jta.detector();
  }

  /** Loaded only where the JTA API is visible. */
  private static final class Jta {
    static BooleanSupplier detector() {
      TransactionSynchronizationRegistry registry;
      try {
        registry = (TransactionSynchronizationRegistry) new InitialContext().lookup(REGISTRY);
      } catch (NamingException | ClassCastException | LinkageError e) {
        return () -> false;
      }
      return () -> registry.getTransactionStatus() != Status.STATUS_NO_TRANSACTION;
    }
  }
}
