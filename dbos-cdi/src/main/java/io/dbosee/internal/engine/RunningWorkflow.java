package io.dbosee.internal.engine;

import java.util.concurrent.CompletableFuture;

/** An execution in progress here, the workflow it runs, and whether it was cancelled. */
final class RunningWorkflow {
  private final WorkflowDefinition definition;
  private final CompletableFuture<Object> outcome = new CompletableFuture<>();
  private volatile boolean cancelled;

  /** The server that took this workflow over while it ran here, or null. */
  volatile String movedTo;

  /** The thread while it waits durably (a sleep), so a cancellation can wake it. */
  volatile Thread waiting;

  /**
   * Whether it can be resumed by replay from its recorded inputs (a top-level execution; a child
   * parks with its parent). The inputs themselves are read back from its row when it resumes, so
   * that a parked workflow does not keep them in memory.
   */
  final boolean replayable;

  /**
   * Set when a long wait decided to park, while the thread unwinds the workflow: every durable
   * operation reached meanwhile (a body that caught the signal) unwinds too.
   */
  volatile boolean parking;

  /** What the wait that parked is waiting for, registered once the thread has left the body. */
  volatile ParkedWorkflows.Parked pendingPark;

  /** Set while it is parked, so that a cancellation or a take-over wakes it. */
  volatile ParkedWorkflows.Parked parked;

  /** How many times it was put aside because the database could not be reached. */
  int outages;

  /** A child's execution, which parks with its parent. */
  RunningWorkflow(WorkflowDefinition definition) {
    this(definition, false);
  }

  RunningWorkflow(WorkflowDefinition definition, boolean replayable) {
    this.definition = definition;
    this.replayable = replayable;
  }

  WorkflowDefinition definition() {
    return definition;
  }

  CompletableFuture<Object> outcome() {
    return outcome;
  }

  boolean cancelled() {
    return cancelled;
  }

  void cancel() {
    cancelled = true;
    Thread sleeper = waiting;
    if (sleeper != null) {
      sleeper.interrupt();
    }
  }
}
