package io.dbosee.internal.engine;

import io.dbosee.DBOSApplicationDatabaseException;
import io.dbosee.DBOSInterruptedException;
import io.dbosee.DBOSSystemDatabaseException;
import io.dbosee.DBOSWorkflowCancelledException;
import io.dbosee.WorkflowState;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;

/**
 * Tells the failures that stop a workflow (it stays PENDING, to resume from its last checkpoint)
 * from those that end it, and builds the exceptions that say it stopped.
 */
final class Failures {
  private final EngineLifecycle lifecycle;

  Failures(EngineLifecycle lifecycle) {
    this.lifecycle = lifecycle;
  }

  /** Whether a failure means "stopped", not "failed": such outcomes are never recorded. */
  boolean mustStayPending(Throwable t) {
    return !lifecycle.isRunning()
        || Thread.currentThread().isInterrupted()
        || t instanceof InterruptedException
        || t instanceof DBOSInterruptedException
        || t instanceof DBOSSystemDatabaseException
        || t instanceof DBOSApplicationDatabaseException
        || t instanceof VirtualMachineError;
  }

  static DBOSInterruptedException interrupted(String workflowId, Throwable cause) {
    if (cause instanceof DBOSInterruptedException e) {
      return e;
    }
    DBOSInterruptedException e =
        new DBOSInterruptedException(
            workflowId,
            "Workflow '"
                + workflowId
                + "' stopped before finishing ("
                + cause
                + "); it stays PENDING and resumes from its last completed step when the"
                + " application starts again.");
    e.initCause(cause);
    return e;
  }

  /** Whether {@code failure} (null when there was none) is, or was caused by, an interrupt. */
  static boolean byInterrupt(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof InterruptedException
          || t instanceof InterruptedIOException
          || t instanceof ClosedByInterruptException) {
        return true;
      }
    }
    return false;
  }

  static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.toString();
  }

  static boolean isCancellationOf(String workflowId, Throwable t) {
    return t instanceof DBOSWorkflowCancelledException e && e.workflowId().equals(workflowId);
  }

  static DBOSInterruptedException stoppedWhileWaiting(String workflowId) {
    return new DBOSInterruptedException(
        workflowId,
        "Workflow '"
            + workflowId
            + "' was waiting when the application stopped; it stays PENDING and resumes from its"
            + " last completed step when the application starts again.");
  }

  /** The state a workflow execution that threw {@code t} ended in, for its observer. */
  String endStatus(Throwable t) {
    if (t == ParkSignal.PARK || t instanceof DBOSInterruptedException || mustStayPending(t)) {
      return WorkflowState.PENDING.name();
    }
    if (t instanceof DBOSWorkflowCancelledException) {
      return WorkflowState.CANCELLED.name();
    }
    return WorkflowState.ERROR.name();
  }
}
