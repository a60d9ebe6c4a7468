package io.dbosee.internal.engine;

import io.dbosee.DBOSInterruptedException;
import io.dbosee.DBOSWorkflowCancelledException;
import io.dbosee.internal.engine.db.SystemDatabase;
import java.time.Instant;

/**
 * Ends a workflow at its next durable operation when it was cancelled, passed its deadline, was
 * taken over by another server, or is being parked.
 */
final class Cancellation {
  private final EngineServices services;
  private final SystemDatabase db;

  Cancellation(EngineServices services) {
    this.services = services;
    this.db = services.db;
  }

  /**
   * Ends the workflow at this durable operation if it was cancelled or its deadline has passed
   * (then it is recorded as CANCELLED first). Costs no database access while neither happened.
   */
  void checkNotCancelled(WorkflowContext context) {
    if (context.parking()) {
      throw ParkSignal.PARK;
    }
    String movedTo = context.root().running.movedTo;
    if (movedTo == null) {
      movedTo = context.running.movedTo;
    }
    if (movedTo != null) {
      throw new DBOSInterruptedException(
          context.workflowId,
          "Workflow '"
              + context.workflowId
              + "' was taken over by server '"
              + movedTo
              + "' while this server could not renew its lease; it stops here and goes on"
              + " there.");
    }
    if (context.running.cancelled()) {
      throw new DBOSWorkflowCancelledException(context.workflowId);
    }
    if (context.deadline != Long.MAX_VALUE && services.now() >= context.deadline) {
      throw expired(context);
    }
  }

  /** Records a workflow whose deadline passed as CANCELLED, and says so. */
  DBOSWorkflowCancelledException expired(WorkflowContext context) {
    db.cancelExpired(context.workflowId, services.now());
    context.running.cancel();
    return new DBOSWorkflowCancelledException(
        context.workflowId,
        "Workflow '"
            + context.workflowId
            + "' passed its deadline ("
            + Instant.ofEpochMilli(context.deadline)
            + ") and was cancelled; resume it to let it finish.");
  }
}
