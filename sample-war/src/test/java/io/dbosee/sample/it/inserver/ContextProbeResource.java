package io.dbosee.sample.it.inserver;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import java.util.concurrent.TimeUnit;

/** Calls the probe workflow from callers with and without a JTA transaction or request context. */
@Path("/test/probe")
@RequestScoped
public class ContextProbeResource {
  @Inject ContextProbes probes;
  @Inject RequestState requestState;
  @Resource TransactionSynchronizationRegistry transactions;

  @Resource ManagedExecutorService executor;
  @Inject TransactionalProbeCaller transactionalCaller;

  @GET
  @Transactional
  public String probe() {
    return "caller-tx="
        + (transactions.getTransactionKey() != null)
        + " "
        + probes.probe(requestState.mark());
  }

  /**
   * Calls the probe workflow from a managed executor's task (no request context there), once
   * directly and once inside a JTA transaction.
   */
  @GET
  @Path("from-task")
  public String fromTask() throws Exception {
    return executor
        .submit(
            () ->
                "caller-thread="
                    + Thread.currentThread().getName()
                    + " | plain: "
                    + probes.probe("none")
                    + " | in-transaction: "
                    + transactionalCaller.probe())
        .get(60, TimeUnit.SECONDS);
  }
}
