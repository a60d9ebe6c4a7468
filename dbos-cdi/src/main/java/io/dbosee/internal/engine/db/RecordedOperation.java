package io.dbosee.internal.engine.db;

/**
 * One row of {@code operation_outputs}: what a workflow recorded at one position.
 *
 * @param functionId the position in the workflow (0, 1, 2, … in call order)
 * @param functionName the step, child workflow or operation recorded there
 * @param output the serialized result, or null
 * @param error the serialized exception, or null
 * @param childWorkflowId the child workflow started there, or null
 * @param serialization the format of output and error
 */
public record RecordedOperation(
    int functionId,
    String functionName,
    String output,
    String error,
    String childWorkflowId,
    String serialization) {}
