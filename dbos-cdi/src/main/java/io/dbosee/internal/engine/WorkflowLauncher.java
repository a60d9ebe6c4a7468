package io.dbosee.internal.engine;

import static java.util.concurrent.TimeUnit.SECONDS;

import io.dbosee.DBOSConflictingWorkflowException;
import io.dbosee.DBOSNotLaunchedException;
import io.dbosee.internal.engine.db.SystemDatabase;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Runs top-level workflow executions on the right thread: the caller's when nothing on it must be
 * kept from the workflow, the executor's otherwise; once per workflow id in this JVM (a second call
 * joins the first); and decides what happens to one that stopped: parked, put aside after an
 * outage, handed on after its caller's interrupt, or finished.
 */
final class WorkflowLauncher {
  private static final System.Logger LOG = System.getLogger(WorkflowLauncher.class.getName());

  private final SystemDatabase db;
  private final Executor executor;
  private final ExecutionHooks hooks;
  private final EngineLifecycle lifecycle;
  private final ThreadHandoffs threads;
  private final Map<String, RunningWorkflow> active;
  private final WorkflowExecution execution;
  private final WorkflowParking parking;
  private final WorkflowOutcomes outcomes;

  /** Threads running top-level workflows, interrupted when the engine stops. */
  private final Set<Thread> workflowThreads = ConcurrentHashMap.newKeySet();

  WorkflowLauncher(
      EngineServices services,
      WorkflowExecution execution,
      WorkflowParking parking,
      WorkflowOutcomes outcomes) {
    this.db = services.db;
    this.executor = services.executor;
    this.hooks = services.hooks;
    this.lifecycle = services.lifecycle;
    this.threads = services.threads;
    this.active = services.active;
    this.execution = execution;
    this.parking = parking;
    this.outcomes = outcomes;
  }

  /** Interrupts the threads running top-level workflows: the engine stops. */
  void interruptAll() {
    for (Thread thread : workflowThreads) {
      thread.interrupt();
    }
  }

  Object runTopLevel(ExecutionRequest request, Placement placement) throws Exception {
    RunningWorkflow running = launch(request, placement);
    return WorkflowOutcomes.await(request.workflowId(), running.outcome(), Long.MAX_VALUE, null);
  }

  /** Which thread runs a top-level execution. */
  enum Placement {
    /** The executor, in the background (a start, or a caller whose thread must be kept apart). */
    EXECUTOR,
    /** An executor thread the engine dispatched for it (recovery, a queue, a resumption). */
    DISPATCHED,
    /**
     * The thread that called it, if the hooks find nothing on it to keep from the workflow (a
     * request context, a transaction); the executor otherwise.
     */
    CALLER
  }

  /**
   * Runs a top-level execution where {@code placement} says, unless one of the same workflow
   * already runs here: then that one is returned.
   *
   * @throws ParkSignal on a dispatched thread, when the execution parked or was put aside: the
   *     dispatcher has nothing to wait for
   */
  RunningWorkflow launch(ExecutionRequest given, Placement placement) {
    ExecutionRequest request = given;
    WorkflowDefinition definition = request.definition();
    String workflowId = request.workflowId();
    RunningWorkflow resumed = threads.takeResuming();
    RunningWorkflow mine;
    if (resumed != null && active.get(workflowId) == resumed) {
      mine = resumed; // a parked execution, resumed: it is in the map already
    } else {
      mine = new RunningWorkflow(definition, request.inputs() != null);
      RunningWorkflow running;
      while ((running = active.putIfAbsent(workflowId, mine)) != null) {
        requireSameDefinition(workflowId, definition, running);
        if (placement != Placement.DISPATCHED
            || !running.cancelled()
            || !awaitLeaving(workflowId, running)) {
          return running;
        }
      }
      if (placement == Placement.EXECUTOR && request.init() != null && !request.init().inserted()) {
        request = readAgain(request);
      }
    }
    if (placement == Placement.DISPATCHED) {
      if (runHere(request, mine, false)) {
        throw ParkSignal.PARK;
      }
      return mine;
    }
    if (placement == Placement.CALLER) {
      ExecutionHooks.CallerScope scope = enterCallerThread();
      if (scope != null) {
        try (scope) {
          runHere(request, mine, true);
        }
        return mine; // finished, or parked or put aside: the caller waits for its outcome
      }
    }
    return runOnExecutor(request, mine);
  }

  /**
   * Hands the execution to the executor, which runs it in the background: submitted before its
   * start is written (when the request has none yet), the executor's thread gets going while this
   * one writes it.
   */
  private RunningWorkflow runOnExecutor(ExecutionRequest request, RunningWorkflow mine) {
    String workflowId = request.workflowId();
    // Not ahead by an interrupted caller, whose thread may not wait for a connection.
    CompletableFuture<SystemDatabase.InitResult> started =
        request.init() == null && !Thread.currentThread().isInterrupted()
            ? new CompletableFuture<>()
            : null;
    try {
      ExecutionRequest ahead = started == null ? request : request.startedAhead(started);
      Thread caller = Thread.currentThread();
      executor.execute(
          () -> {
            // Run by the executor inside execute() on its caller's thread (a caller-runs policy),
            // the task writes the start itself: the caller would write it only after this returns.
            boolean inline =
                started != null && Thread.currentThread() == caller && started.cancel(false);
            runHere(inline ? request : ahead, mine, false);
          });
    } catch (RejectedExecutionException e) {
      active.remove(workflowId, mine);
      mine.outcome().cancel(false);
      throw new DBOSNotLaunchedException(
          "The managed executor refused workflow '"
              + workflowId
              + "' ("
              + e.getMessage()
              + "); the application is probably stopping."
              + (request.init() == null
                  ? " Nothing was recorded."
                  : " It is recorded as PENDING and resumes when the application starts again."));
    }
    if (started != null && !started.isDone()) {
      execution.startAhead(request, started);
    }
    return mine;
  }

  /**
   * Waits until a cancelled execution has left this engine. A dispatched one (a resume right after
   * the cancel, a claim of the workflow put back on its queue) runs after it, as its row then says,
   * rather than join it and end with it.
   */
  private static boolean awaitLeaving(String workflowId, RunningWorkflow cancelled) {
    try {
      // It leaves the map of active executions before its outcome completes.
      cancelled.outcome().handle((result, failure) -> null).get(LEAVING_WAIT_SECONDS, SECONDS);
      return true;
    } catch (TimeoutException e) {
      LOG.log(
          Level.WARNING,
          "Workflow ''{0}'' was resumed or dispatched while its cancelled execution here had not"
              + " ended after {1} s; it is left to that execution, and stays as its row says"
              + " (resume it again once it has ended, or a recovery runs it)",
          workflowId,
          LEAVING_WAIT_SECONDS);
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      return true; // not thrown by handle(...): it completed
    }
  }

  /** How long a dispatched execution waits for a cancelled one of its workflow to end. */
  private static final long LEAVING_WAIT_SECONDS = 30;

  /**
   * A background start that found its workflow's row already there read it before it held the id
   * here: the execution that held it may have finished since (its final status is written before it
   * leaves {@link #active}), and running on the row as read would run the body a second time. Read
   * now, the row tells what counts.
   */
  private ExecutionRequest readAgain(ExecutionRequest request) {
    SystemDatabase.InitResult init = request.init();
    return db.readWorkflow(request.workflowId())
        .map(
            row ->
                new ExecutionRequest(
                    request.definition(),
                    request.workflowId(),
                    request.inputs(),
                    request.body(),
                    request.timeoutMs(),
                    new SystemDatabase.InitResult(row, false, init.mayHaveOperations())))
        .orElse(request);
  }

  /**
   * The calling thread, set up to run the workflow it calls, or null when the workflow must run on
   * the executor: the caller was interrupted already (it waits for nothing, and the workflow goes
   * on), or the hooks found something on the thread to keep from the workflow.
   */
  private ExecutionHooks.CallerScope enterCallerThread() {
    if (Thread.currentThread().isInterrupted()) {
      return null;
    }
    try {
      return hooks.enterCallerThread();
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "The caller's thread could not run a workflow; the executor runs it", e);
      return null;
    }
  }

  /**
   * Runs an execution on this thread until it ends, parks, or is put aside to resume by replay.
   *
   * @param onCaller whether this is the thread that called the workflow (its hooks' scope is set up
   *     by the caller); otherwise an executor thread, wrapped in {@link
   *     ExecutionHooks#aroundWorkflow}
   * @return true when it parked or was put aside: its outcome comes later
   */
  private boolean runHere(ExecutionRequest request, RunningWorkflow mine, boolean onCaller) {
    String workflowId = request.workflowId();
    Thread thread = Thread.currentThread();
    workflowThreads.add(thread);
    Object result = null;
    Throwable failure = null;
    boolean interrupted;
    try {
      result =
          onCaller
              ? execution.execute(request, null, mine)
              : hooks.aroundWorkflow(() -> execution.execute(request, null, mine));
    } catch (Throwable t) {
      failure = t;
    } finally {
      workflowThreads.remove(thread);
      // An interrupt meant for this workflow must not leak into the pool's next task.
      interrupted = Thread.interrupted();
    }
    // On its caller's thread, an interrupt that neither a stop nor a cancellation sent is the
    // caller's own: the caller keeps it, and the workflow goes on without it. (An interrupted
    // sleep or wait in the body clears the thread's flag: its exception tells.)
    boolean callersInterrupt =
        onCaller
            && lifecycle.isRunning()
            && !mine.cancelled()
            && (interrupted || Failures.byInterrupt(failure));
    try {
      if (failure == ParkSignal.PARK) {
        if (parking.parkUnwound(mine)) {
          return true;
        }
        failure = Failures.stoppedWhileWaiting(workflowId);
      } else if (failure != null
          && (parking.retryAfterOutage(workflowId, mine, failure)
              || (callersInterrupt
                  && parking.resumeAfterCallersInterrupt(workflowId, mine, failure)))) {
        return true;
      }
      // Leave the map before completing: a call made after this one returned must read the
      // recorded outcome, not join a finished execution.
      active.remove(workflowId, mine);
      complete(mine.outcome(), result, failure);
      outcomes.signalFinished(
          workflowId, failure == null ? new WorkflowOutcomes.Succeeded(result) : null);
      return false;
    } finally {
      if (callersInterrupt) {
        thread.interrupt();
      }
    }
  }

  static void complete(CompletableFuture<Object> outcome, Object result, Throwable failure) {
    if (failure == null) {
      outcome.complete(result);
    } else {
      outcome.completeExceptionally(failure);
    }
  }

  /** Waits for the execution of the same workflow already running here. */
  Object join(String workflowId, WorkflowDefinition definition, RunningWorkflow running)
      throws Exception {
    requireSameDefinition(workflowId, definition, running);
    try {
      return WorkflowOutcomes.await(workflowId, running.outcome(), Long.MAX_VALUE, null);
    } catch (ParkSignal parked) {
      // A child parked with its parent: its outcome will be recorded when they resume.
      return outcomes.awaitOutcome(workflowId, definition, Long.MAX_VALUE, null, false);
    }
  }

  private static void requireSameDefinition(
      String workflowId, WorkflowDefinition definition, RunningWorkflow running) {
    if (!running.definition().equals(definition)) {
      throw new DBOSConflictingWorkflowException(
          workflowId,
          "Workflow id '"
              + workflowId
              + "' is already running as "
              + running.definition().key()
              + ", so it cannot be used for "
              + definition.key()
              + ". Use a different id for a different workflow.");
    }
  }
}
