package io.dbosee.internal.jpa;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.concurrent.Callable;

/**
 * Begins a new JTA transaction, suspending the caller's, through the container's own {@code
 * Transactional} interceptor: the portable way to suspend a transaction.
 */
@ApplicationScoped
public class NewTransactions {

  /** Commits when {@code work} returns; rolls back when it throws an unchecked exception. */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public <T> T requiresNew(Callable<T> work) throws Exception {
    return work.call();
  }
}
