package io.dbosee.internal.engine;

import io.dbosee.DBOSNotLaunchedException;
import io.dbosee.internal.engine.db.QueueDatabase;
import io.dbosee.internal.engine.db.SystemDatabase;
import io.dbosee.internal.engine.db.WorkflowRow;
import io.dbosee.internal.errors.ErrorCode;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Starts again this server's PENDING workflows (at launch, and after taking over a dead server's),
 * and stops an execution here whose workflow was cancelled or taken over elsewhere.
 */
final class Recovery {
  private static final System.Logger LOG = System.getLogger(Recovery.class.getName());

  private final EngineServices services;
  private final EngineConfig config;
  private final SystemDatabase db;
  private final Executor executor;
  private final EngineLifecycle lifecycle;
  private final WorkflowRegistry registry;
  private final ThreadHandoffs threads;
  private final Map<String, RunningWorkflow> active;
  private final QueueRegistry queues;
  private final QueueDatabase queueDb;
  private final WorkflowParking parking;
  private final WorkflowDispatch dispatch;

  Recovery(
      EngineServices services,
      QueueRegistry queues,
      QueueDatabase queueDb,
      WorkflowParking parking,
      WorkflowDispatch dispatch) {
    this.services = services;
    this.config = services.config;
    this.db = services.db;
    this.executor = services.executor;
    this.lifecycle = services.lifecycle;
    this.registry = services.registry;
    this.threads = services.threads;
    this.active = services.active;
    this.queues = queues;
    this.queueDb = queueDb;
    this.parking = parking;
    this.dispatch = dispatch;
  }

  /**
   * Starts again, on the executor, every PENDING workflow of this executor and application version
   * that is not already running here; queued ones are put back on their queue, so that its limits
   * still hold.
   *
   * @return the ids of the workflows started or put back on their queue
   */
  List<String> recoverPendingWorkflows() {
    if (!lifecycle.isRunning()) {
      throw new DBOSNotLaunchedException("Recovery needs a launched engine; call launch() first.");
    }
    List<String> started =
        new ArrayList<>(
            services.claimed.requeue(
                active.keySet(),
                spared ->
                    queueDb.requeue(
                        config.executorId(), config.applicationVersion(), spared, services.now())));
    if (!started.isEmpty()) {
      LOG.log(
          Level.INFO,
          "Put {0} queued workflow(s) back on their queue: {1}",
          started.size(),
          started);
      queues.wake();
    }
    for (WorkflowRow row : db.pendingWorkflows(config.executorId(), config.applicationVersion())) {
      if (active.containsKey(row.workflowId()) || row.queueName() != null) {
        continue;
      }
      WorkflowDefinition definition = registry.get(row.className(), row.name());
      if (definition == null) {
        LOG.log(
            Level.WARNING,
            ErrorCode.UNREGISTERED_WORKFLOW.message(
                "Cannot recover workflow ''{0}'': no workflow {1}/{2} is registered"
                    + " in this application (renamed or removed?). It stays PENDING for a server"
                    + " that has it; deploy the workflow again under that class and name to finish"
                    + " it, or cancel or delete it."),
            row.workflowId(),
            row.className(),
            row.name());
        continue;
      }
      Object[] arguments = dispatch.readArguments(row, definition);
      if (arguments == null) {
        continue;
      }
      try {
        executor.execute(
            () ->
                dispatch.invokeRecorded(
                    row.workflowId(), definition, arguments, row.inputs(), null));
      } catch (RejectedExecutionException e) {
        LOG.log(
            Level.WARNING,
            "The executor refused to recover workflow ''{0}''; it stays PENDING: {1}",
            row.workflowId(),
            e.toString());
        continue;
      }
      started.add(row.workflowId());
      EngineMetrics metrics = services.metrics();
      if (metrics != null) {
        metrics.workflowRecovered(row.name());
      }
    }
    if (!started.isEmpty()) {
      LOG.log(Level.INFO, "Recovering {0} pending workflow(s): {1}", started.size(), started);
    }
    return started;
  }

  /** Recovers the workflows just taken over from a dead server (and any other of this one's). */
  void recoverTakenOver() {
    if (lifecycle.isRunning()) {
      recoverPendingWorkflows();
    }
  }

  /**
   * Stops an execution here of a workflow whose row names another server: that server took it over
   * while this one could not renew its lease. It ends at its next step without recording more.
   */
  void checkOwner(String workflowId, String executorId) {
    if (executorId == null || executorId.equals(config.executorId())) {
      return;
    }
    WorkflowContext context = threads.context();
    RunningWorkflow running = active.get(workflowId);
    if (running == null && context != null && context.workflowId.equals(workflowId)) {
      running = context.running; // a child: not in the map under its parent's entry
    }
    if (running != null) {
      running.movedTo = executorId;
      parking.parked().wake(running);
    }
  }

  /** Stops an execution of a workflow just recorded as cancelled, if one runs or waits here. */
  void cancelRunning(String workflowId) {
    RunningWorkflow running = active.get(workflowId);
    if (running != null) {
      running.cancel();
      parking.parked().wake(running); // its replay finds it CANCELLED and ends
    }
  }
}
