package io.dbosee.sample.it.inserver;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** Calls the probe workflow from inside a JTA transaction and a request context. */
@Path("/test/probe")
@RequestScoped
public class ContextProbeResource {
  @Inject ContextProbes probes;
  @Inject RequestState requestState;
  @Resource TransactionSynchronizationRegistry transactions;

  @GET
  @Transactional
  public String probe() {
    return "caller-tx="
        + (transactions.getTransactionKey() != null)
        + " "
        + probes.probe(requestState.mark());
  }
}
