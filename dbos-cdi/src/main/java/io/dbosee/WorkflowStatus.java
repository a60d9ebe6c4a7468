package io.dbosee;

import java.time.Duration;
import java.time.Instant;

/**
 * What the system database records of one workflow, as {@link DBOS#getWorkflowStatus} and {@link
 * DBOS#listWorkflows} return it.
 *
 * <pre>{@code
 * dbos.getWorkflowStatus(id).ifPresent(s -> LOG.info(s.name() + " is " + s.state()));
 * }</pre>
 *
 * <p>Pitfalls: {@code input}, {@code output} and {@code error} are the recorded JSON text (in the
 * {@code serialization} format), not Java objects, so that any workflow can be listed, also one
 * this application does not declare; read a typed result with {@link DBOS#retrieveWorkflow}. They
 * are null when the listing was asked not to load them.
 *
 * @param workflowId the workflow's id
 * @param state its status
 * @param name the workflow name
 * @param className the class that declares it
 * @param executorId the server that runs or ran it
 * @param applicationVersion the application version it belongs to
 * @param recoveryAttempts how many times it was started
 * @param parentWorkflowId the workflow that started it as a child, or null
 * @param createdAt when it was first started (or enqueued)
 * @param updatedAt when its status last changed
 * @param configName the instance name, or null
 * @param queueName the queue it was enqueued on, or null
 * @param input the recorded arguments ({@code {"positionalArgs": [...], "namedArgs": {}}}), or null
 * @param output the recorded result as JSON, or null
 * @param error the recorded exception as JSON ({@code {"name", "message", ...}}), or null
 * @param serialization the format of input, output and error ({@code portable_json})
 * @param timeout how long it may run, or null for no limit
 * @param deadline when it is cancelled if still running, or null
 * @param dequeuedAt when a queue started it, or null
 * @param completedAt when it finished, or null
 * @param deduplicationId its queue deduplication id while active, or null
 * @param priority its queue priority
 * @param partitionKey its queue partition, or null
 * @param forkedFrom the workflow it was forked from, or null
 * @param authenticatedUser the user recorded with it, or null
 * @param applicationName the application it belongs to ({@code dbos.application-name} of the server
 *     that started or dequeued it), or null when unclaimed
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
    Instant updatedAt,
    String configName,
    String queueName,
    String input,
    String output,
    String error,
    String serialization,
    Duration timeout,
    Instant deadline,
    Instant dequeuedAt,
    Instant completedAt,
    String deduplicationId,
    int priority,
    String partitionKey,
    String forkedFrom,
    String authenticatedUser,
    String applicationName) {}
