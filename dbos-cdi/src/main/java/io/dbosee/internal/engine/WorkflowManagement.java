package io.dbosee.internal.engine;

import io.dbosee.DBOSNonExistentWorkflowException;
import io.dbosee.ForkOptions;
import io.dbosee.ListWorkflowsInput;
import io.dbosee.StepInfo;
import io.dbosee.StepOptions;
import io.dbosee.WorkflowHandle;
import io.dbosee.WorkflowState;
import io.dbosee.WorkflowStatus;
import io.dbosee.internal.engine.db.ManagementDatabase;
import io.dbosee.internal.engine.db.SystemDatabase;
import io.dbosee.internal.engine.db.SystemSchema;
import io.dbosee.internal.engine.db.WorkflowRow;
import java.lang.System.Logger.Level;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * What operators do to workflows: list them and their steps, cancel, resume, fork, delete,
 * garbage-collect, cancel the old ones, recover another executor's. Called inside a workflow, each
 * call is a step of it (recorded under a {@code DBOS.*} name), so a replay returns what the first
 * run saw and does not act twice.
 */
public final class WorkflowManagement {
  private static final System.Logger LOG = System.getLogger(WorkflowManagement.class.getName());
  private static final ClassLoader LOADER = WorkflowManagement.class.getClassLoader();

  private final EngineServices services;
  private final EngineConfig config;
  private final EngineLifecycle lifecycle;
  private final SystemDatabase systemDb;
  private final ManagementDatabase db;
  private final StepRunner steps;
  private final WorkflowStarts starts;
  private final WorkflowDispatch dispatch;
  private final Recovery recovery;
  private final QueueRegistry queues;

  WorkflowManagement(
      EngineServices services,
      DataSource dataSource,
      StepRunner steps,
      WorkflowStarts starts,
      WorkflowDispatch dispatch,
      Recovery recovery,
      QueueRegistry queues) {
    this.services = services;
    this.config = services.config;
    this.lifecycle = services.lifecycle;
    this.systemDb = services.db;
    this.db = new ManagementDatabase(dataSource, config.schema(), config.applicationName());
    this.steps = steps;
    this.starts = starts;
    this.dispatch = dispatch;
    this.recovery = recovery;
    this.queues = queues;
  }

  /**
   * Cancels a workflow that has not finished: it is recorded as CANCELLED at once (an enqueued one
   * will not start), and if it runs here it stops at its next step or durable wait; callers waiting
   * for its result get {@link DBOSWorkflowCancelledException}. Its completed steps stay recorded,
   * so {@link #resumeWorkflow} continues from the last one. Called in a workflow, it is a step.
   *
   * @throws DBOSNonExistentWorkflowException if no workflow has that id
   */
  public void cancelWorkflow(String workflowId) {
    StorableText.require(workflowId, "workflowId");
    step(
        "DBOS.cancelWorkflow",
        Void.class,
        () -> {
          if (systemDb.cancelWorkflow(workflowId, services.now()).isEmpty()) {
            throw new DBOSNonExistentWorkflowException(workflowId);
          }
          recovery.cancelRunning(workflowId);
          return null;
        });
  }

  /**
   * Runs a CANCELLED, ERROR or MAX_RECOVERY_ATTEMPTS_EXCEEDED workflow again from its last
   * completed step, on this server (or on its queue, if it was enqueued). A workflow in another
   * state is left as it is. Called in a workflow, it is a step.
   *
   * @return a handle to the workflow
   * @throws DBOSNonExistentWorkflowException if no workflow has that id
   */
  public WorkflowHandle<Object, Exception> resumeWorkflow(String workflowId) {
    StorableText.require(workflowId, "workflowId");
    step(
        "DBOS.resumeWorkflow",
        Void.class,
        () -> {
          lifecycle.requireRunning();
          Optional<WorkflowRow> resumed =
              systemDb.resumeWorkflow(
                  workflowId, config.executorId(), config.applicationVersion(), services.now());
          if (resumed.isEmpty()) {
            systemDb
                .readWorkflow(workflowId)
                .orElseThrow(() -> new DBOSNonExistentWorkflowException(workflowId));
            return null; // running, queued or finished: nothing to resume
          }
          WorkflowRow row = resumed.get();
          if (row.queueName() != null) {
            queues.wake();
            return null;
          }
          dispatch.runPending(row);
          return null;
        });
    return starts.retrieveWorkflow(workflowId);
  }

  /** The workflows {@code input} selects. */
  public List<WorkflowStatus> listWorkflows(ListWorkflowsInput input) {
    Objects.requireNonNull(input, "input (ListWorkflowsInput.ALL for every workflow)");
    return Arrays.asList(
        step(
            "DBOS.listWorkflows",
            WorkflowStatus[].class,
            () -> db.listWorkflows(input, false).toArray(WorkflowStatus[]::new)));
  }

  /** The workflows on a queue that have not finished (ENQUEUED, DELAYED or PENDING by default). */
  public List<WorkflowStatus> listQueuedWorkflows(ListWorkflowsInput input) {
    Objects.requireNonNull(input, "input (ListWorkflowsInput.ALL for every queued workflow)");
    return Arrays.asList(
        step(
            "DBOS.listQueuedWorkflows",
            WorkflowStatus[].class,
            () -> db.listWorkflows(input, true).toArray(WorkflowStatus[]::new)));
  }

  /**
   * How many workflows of each status {@code input} selects, its statuses and paging left aside (a
   * plain read, as the status is: the operations console's counts).
   */
  public Map<WorkflowState, Long> countByStatus(ListWorkflowsInput input) {
    Objects.requireNonNull(input, "input (ListWorkflowsInput.ALL for every workflow)");
    return db.countByStatus(input);
  }

  /** The workflow's full status, empty when no workflow has that id (not a step: a plain read). */
  public Optional<WorkflowStatus> workflowStatus(String workflowId) {
    StorableText.require(workflowId, "workflowId");
    return db.workflowStatus(workflowId);
  }

  /**
   * Every operation the workflow recorded, in order.
   *
   * @throws DBOSNonExistentWorkflowException if no workflow has that id
   */
  public List<StepInfo> listWorkflowSteps(String workflowId) {
    StorableText.require(workflowId, "workflowId");
    return Arrays.asList(
        step(
            "DBOS.listWorkflowSteps",
            StepInfo[].class,
            () -> db.listSteps(workflowId).toArray(StepInfo[]::new)));
  }

  /**
   * Starts a new workflow that replays the original's operations before position {@code startStep}
   * and runs the rest: on this server at once when it belongs to this server's version, otherwise
   * (PENDING for this executor id) when a server of its version with this executor id recovers it.
   *
   * @throws DBOSNonExistentWorkflowException if no workflow has {@code workflowId}
   * @throws io.dbosee.DBOSConflictingWorkflowException if the new id is taken
   */
  public WorkflowHandle<Object, Exception> forkWorkflow(
      String workflowId, int startStep, ForkOptions options) {
    StorableText.require(workflowId, "workflowId");
    Objects.requireNonNull(options, "options (ForkOptions.DEFAULT for the defaults)");
    StorableText.optional(options.newWorkflowId(), "the new workflow id");
    if (startStep < 0) {
      throw new IllegalArgumentException(
          "startStep must be 0 or more (the position of the first operation to run again, as"
              + " listWorkflowSteps numbers them), got "
              + startStep);
    }
    String forked =
        step(
            "DBOS.forkWorkflow",
            String.class,
            () -> {
              String newId =
                  options.newWorkflowId() != null
                      ? options.newWorkflowId()
                      : UUID.randomUUID().toString();
              WorkflowRow row =
                  db.fork(
                      workflowId,
                      startStep,
                      newId,
                      options.applicationVersion(),
                      config.executorId(),
                      services.now());
              if (row.applicationVersion().equals(config.applicationVersion())) {
                dispatch.runPending(row);
              } else {
                LOG.log(
                    Level.INFO,
                    "Forked workflow ''{0}'' to ''{1}'' for application version {2}; this server"
                        + " runs {3}, so it starts when a server of that version with executor id"
                        + " {4} recovers it.",
                    workflowId,
                    newId,
                    row.applicationVersion(),
                    config.applicationVersion(),
                    config.executorId());
              }
              return newId;
            });
    return starts.retrieveWorkflow(forked);
  }

  /**
   * Deletes a workflow and what it recorded; with {@code deleteChildren} also the workflows it
   * started, at any depth. Nothing happens when no workflow has that id.
   *
   * @return the ids deleted
   */
  public List<String> deleteWorkflow(String workflowId, boolean deleteChildren) {
    StorableText.require(workflowId, "workflowId");
    return Arrays.asList(
        step(
            "DBOS.deleteWorkflow",
            String[].class,
            () -> db.delete(workflowId, deleteChildren).toArray(String[]::new)));
  }

  /**
   * Deletes finished workflows created before {@code cutoff} and/or older than the newest {@code
   * keepRows}; unfinished ones are kept.
   *
   * @return how many were deleted
   */
  public int garbageCollect(Instant cutoff, Integer keepRows) {
    if (cutoff == null && keepRows == null) {
      throw new IllegalArgumentException(
          "garbageCollect needs a cutoff time, a number of rows to keep, or both; got neither");
    }
    if (keepRows != null && keepRows < 0) {
      throw new IllegalArgumentException("keepRows must be 0 or more, got " + keepRows);
    }
    return step("DBOS.garbageCollect", Integer.class, () -> db.garbageCollect(cutoff, keepRows));
  }

  /**
   * Cancels every workflow created before {@code cutoff} that has not finished (PENDING, ENQUEUED
   * or DELAYED).
   *
   * @return the ids cancelled
   */
  public List<String> cancelWorkflowsCreatedBefore(Instant cutoff) {
    Objects.requireNonNull(cutoff, "cutoff");
    return Arrays.asList(
        step(
            "DBOS.globalTimeout",
            String[].class,
            () -> {
              List<String> cancelled = new ArrayList<>();
              for (WorkflowStatus status :
                  db.listWorkflows(
                      ListWorkflowsInput.ALL
                          .withStatuses(
                              WorkflowState.PENDING, WorkflowState.ENQUEUED, WorkflowState.DELAYED)
                          .withEndTime(cutoff)
                          .withLoadInput(false)
                          .withLoadOutput(false),
                      false)) {
                cancelWorkflow(status.workflowId());
                cancelled.add(status.workflowId());
              }
              return cancelled.toArray(String[]::new);
            }));
  }

  /**
   * Takes over the PENDING workflows of {@code executorIds} (servers that are gone for good) that
   * belong to this server's application version, and recovers them here with this server's own.
   *
   * @return the ids started or put back on their queue
   */
  public List<String> recoverPendingWorkflows(List<String> executorIds) {
    Objects.requireNonNull(executorIds, "executorIds");
    List<String> taken =
        db.takeOver(
            List.copyOf(executorIds),
            config.executorId(),
            config.applicationVersion(),
            services.now());
    if (!taken.isEmpty()) {
      LOG.log(
          Level.INFO,
          "Took over {0} pending workflow(s) of executor(s) {1}: {2}",
          taken.size(),
          executorIds,
          taken);
    }
    return recovery.recoverPendingWorkflows();
  }

  /**
   * Why this server is not ready to run workflows, or empty when it is: the engine is not running,
   * the system database cannot be reached, or its schema is not migrated to this version.
   */
  public Optional<String> readinessProblem() {
    if (!lifecycle.isRunning()) {
      return Optional.of("the DBOS engine is not running");
    }
    int version;
    try {
      version = db.migrationVersion(5);
    } catch (RuntimeException e) {
      return Optional.of(e.getMessage());
    }
    if (version < SystemSchema.LATEST_VERSION) {
      return Optional.of(
          "the system database schema is at migration "
              + version
              + ", this server needs "
              + SystemSchema.LATEST_VERSION);
    }
    return Optional.empty();
  }

  private <T> T step(String name, Type type, Invocation call) {
    try {
      @SuppressWarnings("unchecked")
      T result =
          (T) steps.runStep(new StepDefinition(name, StepOptions.DEFAULT, type, LOADER), call);
      return result;
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
