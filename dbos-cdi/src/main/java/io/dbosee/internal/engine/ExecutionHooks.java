package io.dbosee.internal.engine;

import java.util.concurrent.Callable;

/**
 * What the hosting layer puts around every workflow body the engine runs, for example a CDI request
 * context of the workflow's own, and whether a caller's thread may run the workflow it calls.
 */
@FunctionalInterface
public interface ExecutionHooks {
  ExecutionHooks NONE = Callable::call;

  /** Runs {@code body}, a workflow started on an executor thread, in the workflow's context. */
  <T> T aroundWorkflow(Callable<T> body) throws Exception;

  /**
   * Prepares the calling thread to run the workflow it calls, as {@link #aroundWorkflow} prepares
   * an executor thread, if nothing on the thread must be kept from the workflow; closing the scope
   * undoes it. Returns null when the thread carries something a workflow must not share (a request
   * context, a transaction): the workflow then runs on the executor while the caller waits. By
   * default a thread carries nothing to keep apart.
   */
  default CallerScope enterCallerThread() {
    return CallerScope.NOTHING;
  }

  /** What {@link #enterCallerThread()} set up on the caller's thread. */
  @FunctionalInterface
  interface CallerScope extends AutoCloseable {
    CallerScope NOTHING = () -> {};

    @Override
    void close();
  }
}
