package io.dbosee.internal.engine.db;

/**
 * A workflow's row as its start (or enqueue) writes it: which workflow, who runs it, its recorded
 * inputs, its parent, and its timeout.
 *
 * @param executorId the server that starts it (or enqueued it)
 * @param parentWorkflowId the workflow that started it, or null
 * @param timeoutMs how long it may run before it is cancelled, or null for no limit
 * @param createdAt when it was started, epoch ms
 */
public record NewWorkflow(
    String workflowId,
    String name,
    String className,
    String executorId,
    String applicationVersion,
    String inputs,
    String serialization,
    String parentWorkflowId,
    Long timeoutMs,
    long createdAt) {}
