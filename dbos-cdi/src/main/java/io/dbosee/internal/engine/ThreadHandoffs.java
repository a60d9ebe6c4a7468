package io.dbosee.internal.engine;

import io.dbosee.internal.engine.db.SystemDatabase;
import java.time.Duration;

/**
 * Everything the engine keeps on a thread, in one object: the workflow running on it, and what one
 * call hands to the next one on the same thread. A thread's hand-offs are read and written only by
 * that thread. Each engine has its own, so that two engines in one JVM (tests, benchmarks) never
 * see each other's.
 */
final class ThreadHandoffs {

  /** One thread's state. Every field but {@link #context} is used up by the call that reads it. */
  static final class OnThread {
    /** The workflow execution running on this thread (the innermost child), or null. */
    WorkflowContext context;

    /** A start or enqueue call in progress: the next workflow call is started, not run. */
    PendingStart pendingStart;

    /** The id for the next workflow started on this thread ({@code withWorkflowId}), or null. */
    private String assignedId;

    /** The timeout for the next workflow started on this thread, or null. */
    private Duration assignedTimeout;

    /** Set on executor threads the engine dispatched, so the workflow runs there without a hop. */
    boolean dispatched;

    /** A dequeued workflow's row as its claim left it, so that starting it writes nothing more. */
    SystemDatabase.InitResult claimed;

    /** Set on the thread that resumes a parked workflow: its launch adopts the parked execution. */
    RunningWorkflow resuming;

    String takeAssignedId() {
      String id = assignedId;
      assignedId = null;
      return id;
    }

    Duration takeTimeout() {
      Duration timeout = assignedTimeout;
      assignedTimeout = null;
      return timeout;
    }

    boolean takeDispatched() {
      boolean was = dispatched;
      dispatched = false;
      return was;
    }

    SystemDatabase.InitResult takeClaimed() {
      SystemDatabase.InitResult init = claimed;
      claimed = null;
      return init;
    }

    RunningWorkflow takeResuming() {
      RunningWorkflow running = resuming;
      resuming = null;
      return running;
    }

    /** Clears what a dispatched workflow call left unused (it failed before taking it). */
    void clearDispatch() {
      dispatched = false;
      claimed = null;
      resuming = null;
    }
  }

  private final ThreadLocal<OnThread> local = ThreadLocal.withInitial(OnThread::new);

  /** This thread's hand-offs. */
  OnThread here() {
    return local.get();
  }

  /** The workflow execution running on this thread, or null. */
  WorkflowContext context() {
    return local.get().context;
  }

  /** Makes the next workflow started on this thread use {@code workflowId}. */
  ThreadScope assignWorkflowId(String workflowId) {
    OnThread thread = local.get();
    String previous = thread.assignedId;
    thread.assignedId = workflowId;
    return () -> thread.assignedId = previous;
  }

  /** Makes the next workflow started on this thread end once {@code timeout} passes. */
  ThreadScope assignTimeout(Duration timeout) {
    OnThread thread = local.get();
    Duration previous = thread.assignedTimeout;
    thread.assignedTimeout = timeout;
    return () -> thread.assignedTimeout = previous;
  }
}
