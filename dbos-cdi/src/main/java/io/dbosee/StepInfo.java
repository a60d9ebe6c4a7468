package io.dbosee;

import java.time.Instant;

/**
 * One operation a workflow recorded, as {@link DBOS#listWorkflowSteps} returns it: a step, a child
 * workflow start, a sleep, a send, a receive, an event or a stream write.
 *
 * <pre>{@code
 * for (StepInfo step : dbos.listWorkflowSteps(id)) {
 *   LOG.info(step.functionId() + " " + step.functionName() + " " + step.duration());
 * }
 * }</pre>
 *
 * <p>Pitfall: {@code output} and {@code error} are the recorded JSON text, not Java objects.
 *
 * @param functionId its position in the workflow, 0, 1, 2, … in call order (the number {@link
 *     DBOS#forkWorkflow} takes)
 * @param functionName the step's name ({@code DBOS.sleep}, {@code DBOS.send}, … for the built-in
 *     operations)
 * @param output the recorded result as JSON, or null
 * @param error the recorded exception as JSON, or null
 * @param childWorkflowId the child workflow started there, or null
 * @param startedAt when it started, or null if not recorded
 * @param completedAt when it finished, or null if not recorded
 * @param serialization the format of output and error
 */
public record StepInfo(
    int functionId,
    String functionName,
    String output,
    String error,
    String childWorkflowId,
    Instant startedAt,
    Instant completedAt,
    String serialization) {}
