package io.dbosee.internal.engine;

import java.util.Map;

/**
 * Counts what the engine does for the hosting layer, for example into OpenTelemetry metrics. The
 * engine knows nothing of the metrics library; it reports events as they happen, and hands over
 * {@link Readings} that the metrics library reads when it collects (queue depths, parked
 * workflows).
 *
 * <p>A second interface beside {@link ExecutionObserver} rather than more methods on it: an enabled
 * observer makes the engine store a trace context per workflow, which metrics need not pay for, and
 * most of these events (a dequeue, a schedule tick, a checkpoint commit) are not an execution on
 * the current thread.
 *
 * <p>With {@link #NONE}, the default, the engine calls nothing here: each event costs one null
 * check. Methods are called on the engine's own threads, concurrently, and must be cheap (a counter
 * increment, a histogram record) and never throw.
 */
public interface EngineMetrics {

  /** Counts nothing. */
  EngineMetrics NONE = new EngineMetrics() {};

  /** What the metrics read when they are collected, rather than counted as events. */
  interface Readings {
    /** The workflows parked in this engine now (waiting without a thread). */
    int parkedWorkflows();

    /** The ENQUEUED workflows of each declared queue, read from the system database (one query). */
    Map<String, Long> queueDepths();
  }

  /** Whether the engine should call this at all. */
  default boolean enabled() {
    return false;
  }

  /** At launch: what the metrics may read from then on, at their collection times. */
  default void readFrom(Readings readings) {}

  /**
   * A workflow's first execution begins here: a start, a child, or a queued workflow's first
   * dequeue.
   */
  default void workflowStarted(String workflowName) {}

  /** Recovery starts again a PENDING workflow that an earlier run of this server left. */
  default void workflowRecovered(String workflowName) {}

  /**
   * A workflow's execution here ended it.
   *
   * @param status SUCCESS, ERROR or CANCELLED (an execution that only stopped, to go on later, is
   *     not reported)
   * @param durationMillis from the workflow's creation (its start or enqueue) to now
   */
  default void workflowEnded(String workflowName, String status, long durationMillis) {}

  /**
   * A step ran (its attempts, retries included; not the replay of a recorded outcome).
   *
   * @param status SUCCESS, ERROR, CANCELLED, or PENDING when the server stops under it
   */
  default void stepEnded(String stepName, String status, long durationNanos) {}

  /**
   * This server dequeued a workflow.
   *
   * @param waitMillis from its enqueue to its dequeue
   */
  default void dequeued(String queueName, long waitMillis) {}

  /** This server started a tick of a schedule (another server did not start it first). */
  default void scheduleTicked(String scheduleName) {}

  /** One commit wrote {@code checkpoints} step checkpoints together. */
  default void checkpointsCommitted(int checkpoints) {}
}
