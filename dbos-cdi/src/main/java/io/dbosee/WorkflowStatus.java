package io.dbosee;

import java.time.Instant;

/**
 * What the system database records of one workflow.
 *
 * @param workflowId the workflow's id
 * @param state its status
 * @param name the workflow name
 * @param className the class that declares it
 * @param executorId the server that runs or ran it
 * @param applicationVersion the application version it belongs to
 * @param recoveryAttempts how many times it was started
 * @param parentWorkflowId the workflow that started it as a child, or null
 * @param createdAt when it was first started
 * @param updatedAt when its status last changed
 */
public record WorkflowStatus(
    String workflowId,
    WorkflowState state,
    String name,
    String className,
    String executorId,
    String applicationVersion,
    long recoveryAttempts,
    String parentWorkflowId,
    Instant createdAt,
    Instant updatedAt) {}
