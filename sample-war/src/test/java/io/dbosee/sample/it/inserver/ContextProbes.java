package io.dbosee.sample.it.inserver;

import io.dbosee.DBOS;
import io.dbosee.Workflow;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionSynchronizationRegistry;

/** Test-only workflow that reports what context its body runs in. */
@ApplicationScoped
public class ContextProbes {
  @Inject DBOS dbos;
  @Inject RequestState requestState;
  @Resource TransactionSynchronizationRegistry transactions;

  /** What the body sees: a JTA transaction or not, its request-scoped state, its thread. */
  @Workflow
  public String probe(String callerRequestMark) {
    return "tx="
        + (transactions.getTransactionKey() != null)
        + " request-mark="
        + requestState.mark()
        + " caller-mark-visible="
        + callerRequestMark.equals(requestState.mark())
        + " id="
        + dbos.workflowId().orElse("none")
        + " thread="
        + Thread.currentThread().getName();
  }
}
