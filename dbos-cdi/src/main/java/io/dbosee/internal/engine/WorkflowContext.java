package io.dbosee.internal.engine;

import io.dbosee.internal.engine.db.RecordedOperation;
import java.util.Map;

/**
 * The state of one workflow execution on the thread that runs it. Confined to that thread: a
 * workflow body, its steps and its inline children all run on it.
 */
final class WorkflowContext {
  final String workflowId;
  final WorkflowDefinition definition;
  final WorkflowContext parent;

  /** The execution's shared state: another thread may cancel it. */
  final RunningWorkflow running;

  /** When the workflow is cancelled if still running, epoch ms; Long.MAX_VALUE for never. */
  final long deadline;

  /** What an earlier execution recorded, by position; empty for a workflow started afresh. */
  private final Map<Integer, RecordedOperation> recorded;

  /** Whether an earlier execution of this workflow may have run steps (not started afresh). */
  final boolean ranBefore;

  private int nextFunctionId;

  /** The position of the step running now (outside steps: the last one that ran). */
  private int stepFunctionId;

  private int stepDepth;
  private RuntimeException failure;

  /**
   * When the workflow's row was last read ({@link System#nanoTime()}): by its start, just before
   * this context, then by the checkpoints that read it (see {@link #statusReadDue}).
   */
  private long statusReadAt = System.nanoTime();

  WorkflowContext(
      String workflowId,
      WorkflowDefinition definition,
      WorkflowContext parent,
      Map<Integer, RecordedOperation> recorded,
      boolean ranBefore,
      RunningWorkflow running,
      long deadline) {
    this.workflowId = workflowId;
    this.definition = definition;
    this.parent = parent;
    this.recorded = recorded;
    this.running = running;
    this.deadline = deadline;
    this.ranBefore = ranBefore;
  }

  /**
   * The position of the next durable operation. Positions are only taken outside steps, so a step
   * that calls other steps does not shift the numbering a replay relies on.
   */
  int nextFunctionId() {
    return nextFunctionId++;
  }

  RecordedOperation recorded(int functionId) {
    return recorded.get(functionId);
  }

  boolean inStep() {
    return stepDepth > 0;
  }

  void enterStep() {
    stepDepth++;
  }

  /** Enters the step recorded at {@code functionId}; events set inside it are filed there. */
  void enterStep(int functionId) {
    stepFunctionId = functionId;
    stepDepth++;
  }

  int stepFunctionId() {
    return stepFunctionId;
  }

  void exitStep() {
    stepDepth--;
  }

  /**
   * Whether the next checkpoint should read the workflow's row, to see a cancellation or a
   * take-over made on another server: once {@code intervalNanos} have passed since it was last
   * read. Returning true counts as that read.
   */
  boolean statusReadDue(long intervalNanos) {
    long now = System.nanoTime();
    if (now - statusReadAt < intervalNanos) {
      return false;
    }
    statusReadAt = now;
    return true;
  }

  /**
   * Marks the execution as failed by the engine (a determinism violation), so that it ends in ERROR
   * even if the body catches the exception and goes on.
   */
  void fail(RuntimeException engineFailure) {
    if (failure == null) {
      failure = engineFailure;
    }
  }

  RuntimeException failure() {
    return failure;
  }

  /** The top-level workflow this execution belongs to (itself, unless it is a child). */
  WorkflowContext root() {
    WorkflowContext root = this;
    while (root.parent != null) {
      root = root.parent;
    }
    return root;
  }

  /** Whether the workflow (or the one it is a child of) is being parked. */
  boolean parking() {
    return root().running.parking;
  }
}
