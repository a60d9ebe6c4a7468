package io.dbosee.internal.engine;

import io.dbosee.internal.engine.db.SystemDatabase;
import java.time.Duration;

/**
 * Everything the engine keeps on a thread, in one object: the workflow running on it, and what one
 * call hands to the next one on the same thread. A thread's hand-offs are read and written only by
 * that thread. Each engine has its own, so that two engines in one JVM (tests, benchmarks) never
 * see each other's.
 *
 * <p>A thread has an entry only while something is kept on it: a server's pooled thread that kept
 * one would hold the application's classes after the application is undeployed (Payara reports it
 * as a leak). So reads create nothing, and whoever writes through {@link #here} calls {@link
 * #releaseIfIdle} in a {@code finally} once the value is restored.
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

    /** Whether nothing is kept: the entry can go. */
    private boolean idle() {
      return context == null
          && pendingStart == null
          && assignedId == null
          && assignedTimeout == null
          && !dispatched
          && claimed == null
          && resuming == null;
    }
  }

  private final ThreadLocal<OnThread> local = new ThreadLocal<>();

  /**
   * This thread's hand-offs, created if it has none, to write to: call {@link #releaseIfIdle} in a
   * {@code finally} once done.
   */
  OnThread here() {
    OnThread thread = local.get();
    if (thread == null) {
      thread = new OnThread();
      local.set(thread);
    }
    return thread;
  }

  /** Removes this thread's entry if nothing is kept on it any more. */
  void releaseIfIdle() {
    OnThread thread = local.get();
    if (thread != null && thread.idle()) {
      local.remove();
    }
  }

  /** Whether this thread has an entry: never once the engine's calls on it have returned. */
  boolean holdsThisThread() {
    return local.get() != null;
  }

  /** The workflow execution running on this thread, or null. */
  WorkflowContext context() {
    OnThread thread = local.get();
    return thread == null ? null : thread.context;
  }

  /** Whether a start or enqueue on this thread waits for the call that it starts. */
  boolean startPending() {
    OnThread thread = local.get();
    return thread != null && thread.pendingStart != null;
  }

  /** The parked execution this thread resumes (see {@link OnThread#resuming}), or null. */
  RunningWorkflow takeResuming() {
    OnThread thread = local.get();
    return thread == null ? null : thread.takeResuming();
  }

  /** Clears what a dispatched workflow call left unused, and the entry if that was all. */
  void clearDispatch() {
    OnThread thread = local.get();
    if (thread != null) {
      thread.clearDispatch();
      releaseIfIdle();
    }
  }

  /** Makes the next workflow started on this thread use {@code workflowId}. */
  ThreadScope assignWorkflowId(String workflowId) {
    OnThread thread = here();
    String previous = thread.assignedId;
    thread.assignedId = workflowId;
    // here() again: the entry may have been released (and replaced) meanwhile.
    return () -> {
      here().assignedId = previous;
      releaseIfIdle();
    };
  }

  /** Makes the next workflow started on this thread end once {@code timeout} passes. */
  ThreadScope assignTimeout(Duration timeout) {
    OnThread thread = here();
    Duration previous = thread.assignedTimeout;
    thread.assignedTimeout = timeout;
    return () -> {
      here().assignedTimeout = previous;
      releaseIfIdle();
    };
  }
}
