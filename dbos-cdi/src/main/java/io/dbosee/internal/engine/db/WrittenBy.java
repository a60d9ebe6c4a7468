package io.dbosee.internal.engine.db;

/**
 * The workflow operation a message, event or stream value is written by: the workflow's own durable
 * operation at {@code functionId}, whose row the same statement records, or a step at that
 * position, under which the value is filed (the step records its own row when it ends).
 */
public record WrittenBy(String workflowId, int functionId, boolean recordsOperation) {

  /** The workflow's durable operation at {@code functionId}: its row is written with the value. */
  public static WrittenBy operation(String workflowId, int functionId) {
    return new WrittenBy(workflowId, functionId, true);
  }

  /** The step running at {@code functionId}: the value is filed there, the step records itself. */
  public static WrittenBy step(String workflowId, int functionId) {
    return new WrittenBy(workflowId, functionId, false);
  }
}
