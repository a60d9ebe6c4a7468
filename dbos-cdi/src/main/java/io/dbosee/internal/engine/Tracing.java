package io.dbosee.internal.engine;

import io.dbosee.internal.engine.db.TraceContexts;
import java.lang.System.Logger.Level;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * The engine's side of an enabled {@link ExecutionObserver}: it stores the starting caller's
 * context with each workflow and hands it to the workflow's executions. A failure to store or read
 * a context is logged and costs the trace, never the workflow.
 */
final class Tracing {
  private static final System.Logger LOG = System.getLogger(Tracing.class.getName());

  private final ExecutionObserver observer;
  private final TraceContexts contexts;

  Tracing(ExecutionObserver observer, TraceContexts contexts) {
    this.observer = observer;
    this.contexts = contexts;
  }

  /**
   * Makes sure the table of contexts exists; at launch.
   *
   * @param mayCreate whether a missing table is created, or refused
   */
  void prepare(boolean mayCreate) {
    contexts.createTable(mayCreate);
  }

  /** On the starting caller's thread, before {@code workflowId} is recorded. */
  void started(String workflowId) {
    String context = observer.propagationContext();
    if (context == null) {
      return;
    }
    try {
      contexts.save(workflowId, context);
    } catch (RuntimeException e) {
      LOG.log(
          Level.WARNING,
          "Workflow ''{0}'' runs without its caller''s trace: {1}",
          workflowId,
          e.getMessage());
    }
  }

  /**
   * Runs one execution of a workflow's body under an observation.
   *
   * @param topLevel whether it runs on its own (its caller's context is read from the database),
   *     rather than inline in its parent
   * @param statusOf the status an execution that threw ends in
   */
  Object workflow(
      String workflowId,
      String name,
      boolean topLevel,
      Function<Throwable, String> statusOf,
      Callable<Object> body)
      throws Exception {
    String propagated = topLevel ? load(workflowId) : null;
    ExecutionObserver.Observation observation =
        observer.workflowStarted(workflowId, name, propagated);
    Object result;
    try {
      result = body.call();
    } catch (Throwable t) {
      String status = statusOf.apply(t);
      observation.finished(status, t);
      if (topLevel && propagated != null && !"PENDING".equals(status)) {
        forget(workflowId);
      }
      throw t;
    }
    observation.finished("SUCCESS", null);
    if (topLevel && propagated != null) {
      forget(workflowId);
    }
    return result;
  }

  ExecutionObserver.Observation step(String workflowId, int functionId, String name) {
    return observer.stepStarted(workflowId, functionId, name);
  }

  private String load(String workflowId) {
    try {
      return contexts.load(workflowId).orElse(null);
    } catch (RuntimeException e) {
      LOG.log(
          Level.WARNING,
          "Workflow ''{0}'' runs without its caller''s trace: {1}",
          workflowId,
          e.getMessage());
      return null;
    }
  }

  private void forget(String workflowId) {
    try {
      contexts.delete(workflowId);
    } catch (RuntimeException e) {
      LOG.log(
          Level.DEBUG,
          "Could not delete the trace context of finished workflow ''{0}'': {1}",
          workflowId,
          e.getMessage());
    }
  }
}
