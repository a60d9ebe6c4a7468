package io.dbosee.internal.engine.db;

/**
 * The columns of {@code workflow_status} the engine reads back.
 *
 * @param workflowId the id
 * @param status the status column as stored
 * @param name the workflow name
 * @param className the declaring class
 * @param configName the instance name
 * @param executorId the executor that owns it
 * @param applicationVersion the application version
 * @param recoveryAttempts how many times it was started
 * @param inputs the serialized arguments
 * @param output the serialized result
 * @param error the serialized exception
 * @param serialization the format of inputs, output and error
 * @param queueName the queue it was enqueued on, or null
 * @param parentWorkflowId the parent workflow, or null
 * @param createdAt epoch milliseconds
 * @param updatedAt epoch milliseconds
 * @param deadlineEpochMs when it is cancelled if still running (epoch ms), or null
 * @param outcomeMissing whether it ended (SUCCESS or ERROR) but its output and error are recorded
 *     nowhere any more (see {@link Payloads#outcomeMissing}): then {@code output} and {@code error}
 *     are null, and a read that needs them must say so instead of returning null
 */
public record WorkflowRow(
    String workflowId,
    String status,
    String name,
    String className,
    String configName,
    String executorId,
    String applicationVersion,
    long recoveryAttempts,
    String inputs,
    String output,
    String error,
    String serialization,
    String queueName,
    String parentWorkflowId,
    long createdAt,
    long updatedAt,
    Long deadlineEpochMs,
    boolean outcomeMissing) {}
