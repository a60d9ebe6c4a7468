package io.dbosee.internal.engine;

import io.dbosee.internal.engine.db.RecordedOperation;

/**
 * One durable operation of a workflow: its position, and what an earlier execution recorded there
 * (null: nothing yet, so it runs). Taken from {@link DurableOperations}.
 */
record Operation(WorkflowContext context, int functionId, RecordedOperation recorded) {

  String workflowId() {
    return context.workflowId;
  }

  /** Whether an earlier execution recorded it: it is replayed, not run. */
  boolean replayed() {
    return recorded != null;
  }
}
