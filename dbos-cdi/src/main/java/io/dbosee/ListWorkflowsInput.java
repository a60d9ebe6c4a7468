package io.dbosee;

import io.dbosee.internal.engine.StorableText;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Which workflows {@link DBOS#listWorkflows} returns: immutable, every filter optional (null or
 * empty: no filter), validated on construction. Filters combine with AND.
 *
 * <pre>{@code
 * List<WorkflowStatus> failed = dbos.listWorkflows(ListWorkflowsInput.ALL
 *     .withStatuses(WorkflowState.ERROR)
 *     .withStartTime(Instant.now().minus(Duration.ofDays(1)))
 *     .withSortDescending(true)
 *     .withLimit(50));
 * }</pre>
 *
 * <p>When several applications share the system database ({@code dbos.application-name}), a listing
 * shows this application's workflows and the unclaimed ones (written by clients that name no
 * application), as the DBOS SDKs list them; {@code withApplicationNames} shows those applications'
 * (and the unclaimed) instead, {@code withAllApplications(true)} every one. A listing by workflow
 * id is not narrowed to this application unless it names applications: an id is an address.
 *
 * <p>Pitfall: without a limit every matching row is read; on a busy system database set one, and
 * leave out inputs and outputs ({@code withLoadInput(false)}, {@code withLoadOutput(false)}) when
 * only statuses are needed.
 *
 * @param workflowIds only these ids
 * @param statuses only these statuses
 * @param name only workflows of this name
 * @param queueName only workflows enqueued on this queue
 * @param executorId only workflows of this executor
 * @param applicationVersion only workflows of this application version
 * @param parentWorkflowId only children of this workflow
 * @param workflowIdPrefix only ids that start with this
 * @param startTime only workflows created at or after this
 * @param endTime only workflows created at or before this
 * @param limit at most this many (null: all)
 * @param offset skip this many first (null: none)
 * @param sortDescending newest first (default: oldest first)
 * @param loadInput read the recorded arguments
 * @param loadOutput read the recorded result and error
 * @param applicationNames only workflows of these applications and unclaimed ones (empty: of this
 *     application and unclaimed ones, or every workflow when this server names no application)
 * @param allApplications every application's workflows; not together with {@code applicationNames}
 */
public record ListWorkflowsInput(
    List<String> workflowIds,
    List<WorkflowState> statuses,
    String name,
    String queueName,
    String executorId,
    String applicationVersion,
    String parentWorkflowId,
    String workflowIdPrefix,
    Instant startTime,
    Instant endTime,
    Integer limit,
    Integer offset,
    boolean sortDescending,
    boolean loadInput,
    boolean loadOutput,
    List<String> applicationNames,
    boolean allApplications) {

  /**
   * Every workflow of this application (and every unclaimed one), oldest first, inputs and outputs
   * loaded; with {@code withAllApplications(true)} every workflow there is.
   */
  public static final ListWorkflowsInput ALL =
      new ListWorkflowsInput(
          List.of(), List.of(), null, null, null, null, null, null, null, null, null, null, false,
          true, true, List.of(), false);

  public ListWorkflowsInput {
    workflowIds = workflowIds == null ? List.of() : List.copyOf(workflowIds);
    statuses = statuses == null ? List.of() : List.copyOf(statuses);
    applicationNames = applicationNames == null ? List.of() : List.copyOf(applicationNames);
    applicationNames.forEach(n -> StorableText.require(n, "an application name filter"));
    if (allApplications && !applicationNames.isEmpty()) {
      throw new IllegalArgumentException(
          "Either name the applications whose workflows to list ("
              + applicationNames
              + ") or list all applications' workflows, not both");
    }
    // A filter is a bound parameter: quotes, % and _ mean themselves. NUL cannot be sent at all.
    workflowIds.forEach(id -> StorableText.require(id, "a workflow id filter"));
    StorableText.optional(name, "the name filter");
    StorableText.optional(queueName, "the queue name filter");
    StorableText.optional(executorId, "the executor id filter");
    StorableText.optional(applicationVersion, "the application version filter");
    StorableText.optional(parentWorkflowId, "the parent workflow id filter");
    StorableText.optional(workflowIdPrefix, "the workflow id prefix filter");
    if (limit != null && limit < 0) {
      throw new IllegalArgumentException("limit must be 0 or more (or null for all), got " + limit);
    }
    if (offset != null && offset < 0) {
      throw new IllegalArgumentException("offset must be 0 or more (or null), got " + offset);
    }
    if (startTime != null && endTime != null && startTime.isAfter(endTime)) {
      throw new IllegalArgumentException(
          "startTime (" + startTime + ") must not be after endTime (" + endTime + ")");
    }
  }

  public ListWorkflowsInput withWorkflowIds(String... workflowIds) {
    return new ListWorkflowsInput(
        List.of(workflowIds),
        statuses,
        name,
        queueName,
        executorId,
        applicationVersion,
        parentWorkflowId,
        workflowIdPrefix,
        startTime,
        endTime,
        limit,
        offset,
        sortDescending,
        loadInput,
        loadOutput,
        applicationNames,
        allApplications);
  }

  public ListWorkflowsInput withStatuses(WorkflowState... statuses) {
    return withStatuses(List.of(statuses));
  }

  public ListWorkflowsInput withStatuses(List<WorkflowState> statuses) {
    return new ListWorkflowsInput(
        workflowIds,
        Objects.requireNonNull(statuses, "statuses"),
        name,
        queueName,
        executorId,
        applicationVersion,
        parentWorkflowId,
        workflowIdPrefix,
        startTime,
        endTime,
        limit,
        offset,
        sortDescending,
        loadInput,
        loadOutput,
        applicationNames,
        allApplications);
  }

  public ListWorkflowsInput withName(String name) {
    return new ListWorkflowsInput(
        workflowIds,
        statuses,
        name,
        queueName,
        executorId,
        applicationVersion,
        parentWorkflowId,
        workflowIdPrefix,
        startTime,
        endTime,
        limit,
        offset,
        sortDescending,
        loadInput,
        loadOutput,
        applicationNames,
        allApplications);
  }

  public ListWorkflowsInput withQueueName(String queueName) {
    return new ListWorkflowsInput(
        workflowIds,
        statuses,
        name,
        queueName,
        executorId,
        applicationVersion,
        parentWorkflowId,
        workflowIdPrefix,
        startTime,
        endTime,
        limit,
        offset,
        sortDescending,
        loadInput,
        loadOutput,
        applicationNames,
        allApplications);
  }

  public ListWorkflowsInput withExecutorId(String executorId) {
    return new ListWorkflowsInput(
        workflowIds,
        statuses,
        name,
        queueName,
        executorId,
        applicationVersion,
        parentWorkflowId,
        workflowIdPrefix,
        startTime,
        endTime,
        limit,
        offset,
        sortDescending,
        loadInput,
        loadOutput,
        applicationNames,
        allApplications);
  }

  public ListWorkflowsInput withApplicationVersion(String applicationVersion) {
    return new ListWorkflowsInput(
        workflowIds,
        statuses,
        name,
        queueName,
        executorId,
        applicationVersion,
        parentWorkflowId,
        workflowIdPrefix,
        startTime,
        endTime,
        limit,
        offset,
        sortDescending,
        loadInput,
        loadOutput,
        applicationNames,
        allApplications);
  }

  public ListWorkflowsInput withParentWorkflowId(String parentWorkflowId) {
    return new ListWorkflowsInput(
        workflowIds,
        statuses,
        name,
        queueName,
        executorId,
        applicationVersion,
        parentWorkflowId,
        workflowIdPrefix,
        startTime,
        endTime,
        limit,
        offset,
        sortDescending,
        loadInput,
        loadOutput,
        applicationNames,
        allApplications);
  }

  public ListWorkflowsInput withWorkflowIdPrefix(String workflowIdPrefix) {
    return new ListWorkflowsInput(
        workflowIds,
        statuses,
        name,
        queueName,
        executorId,
        applicationVersion,
        parentWorkflowId,
        workflowIdPrefix,
        startTime,
        endTime,
        limit,
        offset,
        sortDescending,
        loadInput,
        loadOutput,
        applicationNames,
        allApplications);
  }

  public ListWorkflowsInput withStartTime(Instant startTime) {
    return new ListWorkflowsInput(
        workflowIds,
        statuses,
        name,
        queueName,
        executorId,
        applicationVersion,
        parentWorkflowId,
        workflowIdPrefix,
        startTime,
        endTime,
        limit,
        offset,
        sortDescending,
        loadInput,
        loadOutput,
        applicationNames,
        allApplications);
  }

  public ListWorkflowsInput withEndTime(Instant endTime) {
    return new ListWorkflowsInput(
        workflowIds,
        statuses,
        name,
        queueName,
        executorId,
        applicationVersion,
        parentWorkflowId,
        workflowIdPrefix,
        startTime,
        endTime,
        limit,
        offset,
        sortDescending,
        loadInput,
        loadOutput,
        applicationNames,
        allApplications);
  }

  public ListWorkflowsInput withLimit(Integer limit) {
    return new ListWorkflowsInput(
        workflowIds,
        statuses,
        name,
        queueName,
        executorId,
        applicationVersion,
        parentWorkflowId,
        workflowIdPrefix,
        startTime,
        endTime,
        limit,
        offset,
        sortDescending,
        loadInput,
        loadOutput,
        applicationNames,
        allApplications);
  }

  public ListWorkflowsInput withOffset(Integer offset) {
    return new ListWorkflowsInput(
        workflowIds,
        statuses,
        name,
        queueName,
        executorId,
        applicationVersion,
        parentWorkflowId,
        workflowIdPrefix,
        startTime,
        endTime,
        limit,
        offset,
        sortDescending,
        loadInput,
        loadOutput,
        applicationNames,
        allApplications);
  }

  public ListWorkflowsInput withSortDescending(boolean sortDescending) {
    return new ListWorkflowsInput(
        workflowIds,
        statuses,
        name,
        queueName,
        executorId,
        applicationVersion,
        parentWorkflowId,
        workflowIdPrefix,
        startTime,
        endTime,
        limit,
        offset,
        sortDescending,
        loadInput,
        loadOutput,
        applicationNames,
        allApplications);
  }

  public ListWorkflowsInput withLoadInput(boolean loadInput) {
    return new ListWorkflowsInput(
        workflowIds,
        statuses,
        name,
        queueName,
        executorId,
        applicationVersion,
        parentWorkflowId,
        workflowIdPrefix,
        startTime,
        endTime,
        limit,
        offset,
        sortDescending,
        loadInput,
        loadOutput,
        applicationNames,
        allApplications);
  }

  public ListWorkflowsInput withLoadOutput(boolean loadOutput) {
    return new ListWorkflowsInput(
        workflowIds,
        statuses,
        name,
        queueName,
        executorId,
        applicationVersion,
        parentWorkflowId,
        workflowIdPrefix,
        startTime,
        endTime,
        limit,
        offset,
        sortDescending,
        loadInput,
        loadOutput,
        applicationNames,
        allApplications);
  }

  /**
   * Only the workflows of these applications ({@code dbos.application-name} of the servers that
   * wrote them) and the unclaimed ones; none: this application's again.
   */
  public ListWorkflowsInput withApplicationNames(String... applicationNames) {
    return new ListWorkflowsInput(
        workflowIds,
        statuses,
        name,
        queueName,
        executorId,
        applicationVersion,
        parentWorkflowId,
        workflowIdPrefix,
        startTime,
        endTime,
        limit,
        offset,
        sortDescending,
        loadInput,
        loadOutput,
        List.of(applicationNames),
        allApplications);
  }

  /** With {@code true}, every application's workflows, not only this application's. */
  public ListWorkflowsInput withAllApplications(boolean allApplications) {
    return new ListWorkflowsInput(
        workflowIds,
        statuses,
        name,
        queueName,
        executorId,
        applicationVersion,
        parentWorkflowId,
        workflowIdPrefix,
        startTime,
        endTime,
        limit,
        offset,
        sortDescending,
        loadInput,
        loadOutput,
        applicationNames,
        allApplications);
  }
}
