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
   * A top-level execution's recorded inputs, with which it is resumed after it parked; null for a
   * child (it parks with its parent).
   */
  final String inputs;

  /**
   * Set when a long wait decided to park, while the thread unwinds the workflow: every durable
   * operation reached meanwhile (a body that caught the signal) unwinds too.
   */
  volatile boolean parking;

  /** What the wait that parked is waiting for, registered once the thread has left the body. */
  volatile ParkedWorkflows.Parked pendingPark;

  /** How many times it was put aside because the database could not be reached. */
  int outages;

  RunningWorkflow(WorkflowDefinition definition) {
    this(definition, null);
  }

  RunningWorkflow(WorkflowDefinition definition, String inputs) {
    this.definition = definition;
    this.inputs = inputs;
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
