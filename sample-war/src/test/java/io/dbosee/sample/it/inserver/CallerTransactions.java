package io.dbosee.sample.it.inserver;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/** Callers that hold a JTA transaction while they call a transaction step. */
@ApplicationScoped
public class CallerTransactions {
  @Inject TransactionProbes probes;

  /** Writes, calls a transaction step, then fails: its own writes roll back. */
  @Transactional
  public String insertThenFail(String key) {
    probes.insertProbeRow(key, "caller");
    String inner = probes.insertRow(key, "own unit");
    throw new IllegalStateException("caller rolled back after: " + inner);
  }

  /** Outside a workflow: calls a transaction step, then fails. */
  @Transactional
  public String callThenFail(String key) {
    String inner = probes.outsideInsert(key);
    throw new IllegalStateException("caller rolled back after: " + inner);
  }
}
