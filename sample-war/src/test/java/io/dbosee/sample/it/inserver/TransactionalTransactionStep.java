package io.dbosee.sample.it.inserver;

import io.dbosee.Transaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

/** Misuse: a transaction step that is also @Transactional must not deploy. */
@ApplicationScoped
public class TransactionalTransactionStep {
  @Transaction
  @Transactional
  public void save() {}
}
