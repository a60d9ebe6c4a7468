package io.dbosee.internal.jpa;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.concurrent.Callable;

/**
 * Suspends the calling thread's JTA transaction around a transaction step, through the container's
 * own {@code @Transactional} interceptor: the portable way to suspend, and a scope in which the
 * step may use the UserTransaction.
 */
@ApplicationScoped
public class TransactionSuspender {

  @Transactional(Transactional.TxType.NOT_SUPPORTED)
  public <T> T outside(Callable<T> work) throws Exception {
    return work.call();
  }
}
