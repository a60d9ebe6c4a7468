package io.dbosee.internal.engine;

import io.dbosee.DBOSNotLaunchedException;

/** Whether the engine accepts workflows: not yet, now, or no more. */
final class EngineLifecycle {
  private enum State {
    CREATED,
    RUNNING,
    STOPPED
  }

  private volatile State state = State.CREATED;

  boolean isRunning() {
    return state == State.RUNNING;
  }

  boolean isCreated() {
    return state == State.CREATED;
  }

  boolean isStopped() {
    return state == State.STOPPED;
  }

  void running() {
    state = State.RUNNING;
  }

  void stopped() {
    state = State.STOPPED;
  }

  /** Refuses a workflow call unless the engine runs. */
  void requireRunning(WorkflowDefinition definition) {
    if (state != State.RUNNING) {
      throw new DBOSNotLaunchedException(
          "Cannot run "
              + definition
              + ": the DBOS engine is "
              + (state == State.CREATED ? "not started yet" : "stopped")
              + ". Workflows can be called once the application has started.");
    }
  }

  /** Refuses any other call that needs a running engine. */
  void requireRunning() {
    if (state != State.RUNNING) {
      throw new DBOSNotLaunchedException(
          "The DBOS engine is " + (state == State.CREATED ? "not started yet" : "stopped") + ".");
    }
  }
}
