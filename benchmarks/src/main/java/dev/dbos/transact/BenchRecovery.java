package dev.dbos.transact;

import dev.dbos.transact.workflow.WorkflowHandle;
import java.util.List;

/**
 * Reaches the DBOS Java SDK's own recovery (what {@code launch()} runs for this executor's PENDING
 * workflows), which its public API does not expose apart from a restart. It lives in the SDK's
 * package for that reason only; the benchmark calls nothing else that is not public.
 */
public final class BenchRecovery {
  private BenchRecovery() {}

  public static List<WorkflowHandle<?, ?>> recoverPending(DBOS dbos, String executorId) {
    return dbos.getDbosExecutor().recoverPendingWorkflows(List.of(executorId));
  }
}
