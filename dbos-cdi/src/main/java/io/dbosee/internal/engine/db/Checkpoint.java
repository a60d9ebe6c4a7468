package io.dbosee.internal.engine.db;

/**
 * One operation's outcome to record at its position in a workflow: a step's output or error, a
 * child workflow's id, a sleep's wake-up time, a value read. {@code readStatus}: whether to read
 * the workflow's status and runner with it (see {@link CheckpointCommits}).
 *
 * @param output the serialized output, or null (with an error, a child, or nothing read)
 * @param error the serialized error, or null
 * @param childWorkflowId the child workflow started at this position, or null
 * @param serialization the format of {@code output} and {@code error}
 */
public record Checkpoint(
    String workflowId,
    int functionId,
    String functionName,
    String output,
    String error,
    String childWorkflowId,
    String serialization,
    long startedAt,
    long completedAt,
    boolean readStatus) {}
