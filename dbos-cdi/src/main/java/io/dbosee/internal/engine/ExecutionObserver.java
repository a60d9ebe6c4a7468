package io.dbosee.internal.engine;

/**
 * Watches workflow and step executions for the hosting layer, for example to turn them into tracing
 * spans. The engine knows nothing of the tracing library: what it propagates from the caller that
 * starts a workflow to the workflow's executions (on other threads, after a queue, or after a
 * restart) is an opaque string the observer makes and reads.
 *
 * <p>With {@link #NONE}, the default, the engine calls nothing here and stores nothing: the step
 * path costs one null check.
 *
 * <p>Pitfalls: {@link #workflowStarted} and {@link #stepStarted} are called on the thread that then
 * runs the body, and the returned {@link Observation} is finished on that same thread once the body
 * is over, in last-started-first-finished order; an observer may therefore make its span the
 * thread's current one until then. No method may throw.
 */
public interface ExecutionObserver {

  /** Observes nothing. */
  ExecutionObserver NONE = new ExecutionObserver() {};

  /** One execution in progress. */
  @FunctionalInterface
  interface Observation {

    /** Finishes nothing. */
    Observation NONE = (status, error) -> {};

    /**
     * The execution is over.
     *
     * @param status the {@link io.dbosee.WorkflowState} name it ended in: SUCCESS, ERROR,
     *     CANCELLED, or PENDING when it stopped without finishing (it parked during a long wait, or
     *     the server is stopping) and another execution will continue it
     * @param error what it failed with, or null
     */
    void finished(String status, Throwable error);
  }

  /** Whether the engine should call this observer at all. */
  default boolean enabled() {
    return false;
  }

  /**
   * On the thread of a caller that starts a workflow: the caller's context to propagate to the
   * workflow's executions, or null when there is none. It is stored durably with the workflow.
   */
  default String propagationContext() {
    return null;
  }

  /**
   * A workflow execution starts running its body on this thread (a first run, a recovery, a
   * dequeued or resumed run).
   *
   * @param propagated the context {@link #propagationContext} gave when the workflow was started,
   *     or null: none was stored, or the workflow is a child running inline in its parent, whose
   *     execution is this thread's current context
   */
  default Observation workflowStarted(String workflowId, String workflowName, String propagated) {
    return Observation.NONE;
  }

  /**
   * A step of a workflow runs on this thread (not when its recorded outcome is replayed).
   *
   * @param stepId the step's function id within its workflow
   */
  default Observation stepStarted(String workflowId, int stepId, String stepName) {
    return Observation.NONE;
  }
}
