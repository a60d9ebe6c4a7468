package io.dbosee.sample.it.inserver;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;

/** Calls the probe workflow inside a JTA transaction of its own. */
@ApplicationScoped
public class TransactionalProbeCaller {
  @Inject ContextProbes probes;
  @Resource TransactionSynchronizationRegistry transactions;

  @Transactional
  public String probe() {
    return "caller-tx=" + (transactions.getTransactionKey() != null) + " " + probes.probe("none");
  }
}
