package io.dbosee.internal.engine;

import io.dbosee.DBOSQueueDuplicatedException;
import io.dbosee.internal.engine.db.DebounceDatabase;
import io.dbosee.internal.engine.db.QueueDatabase;
import io.dbosee.internal.engine.db.QueueEntry;
import java.util.Objects;

/**
 * Debounces workflow calls the way the DBOS SDKs' {@code Debouncer} does, on the same rows, so that
 * their {@code DebouncerClient} and this engine collapse calls into the same workflow: the
 * debounced workflow is a DELAYED row on a queue, its deduplication id {@code
 * <class>.<workflow>-<key>}, {@code is_debounced} true; a call pushes its delay back by the period
 * (never past {@code debounce_deadline_epoch_ms}, set from the timeout by the first call) and
 * replaces its inputs. When no such row waits, the call enqueues one. The queue starts it when the
 * delay passes, on whichever server dequeues it, so a crash between the calls and the start loses
 * nothing.
 */
final class Debouncing {
  /**
   * How often a call tries again when the key's holder is the same debounced workflow but no longer
   * DELAYED (it is being started by a writer that keeps the key until then): a few tries, then the
   * conflict is reported rather than spinning.
   */
  private static final int MAX_TRIES = 50;

  private final EngineServices services;
  private final QueueRegistry queues;
  private final QueueDatabase queueDb;
  private final DebounceDatabase db;

  Debouncing(
      EngineServices services, QueueRegistry queues, QueueDatabase queueDb, DebounceDatabase db) {
    this.services = services;
    this.queues = queues;
    this.queueDb = queueDb;
    this.db = db;
  }

  /**
   * Debounces {@code request} (its inputs serialized, its id the one to use if a new workflow is
   * enqueued) by {@code spec} on {@code queue}.
   *
   * @return the id of the workflow the call went into: the waiting one it pushed back, or the one
   *     it enqueued
   * @throws DBOSQueueDuplicatedException if the key is held on the queue by another workflow (not
   *     debounced, of another workflow name or class, or of another application)
   */
  String debounce(DebounceSpec spec, QueueDefinition queue, ExecutionRequest request) {
    WorkflowDefinition definition = request.definition();
    String className = definition.className() == null ? "" : definition.className();
    // As the SDKs spell it, so that their clients and this engine find the same row.
    String deduplicationId = className + "." + definition.name() + "-" + spec.key();
    String serialization = services.serializer.name();
    for (int tries = 1; ; tries++) {
      long now = services.now();
      long delayUntil = now + spec.period().toMillis();
      DebounceDatabase.Bounce bounce =
          db.bounce(
              new DebounceDatabase.Call(
                  definition.name(),
                  className,
                  queue.name(),
                  deduplicationId,
                  delayUntil,
                  request.inputs(),
                  serialization),
              now);
      if (bounce.bouncedId() != null) {
        return bounce.bouncedId();
      }
      if (bounce.holderId() != null) {
        if (!sameDebouncedWorkflow(bounce, definition.name(), className)
            || heldByAnotherApplication(bounce)
            || tries >= MAX_TRIES) {
          throw new DBOSQueueDuplicatedException(
              request.workflowId(), queue.name(), deduplicationId);
        }
        continue; // it is leaving DELAYED: the next try finds the key free
      }
      Long deadline = spec.timeout() == null ? null : now + spec.timeout().toMillis();
      QueueEntry entry =
          new QueueEntry(
              queue.name(),
              deduplicationId,
              0,
              null,
              deadline == null ? delayUntil : Math.min(delayUntil, deadline),
              true,
              deadline);
      switch (queueDb.enqueue(request.row(services.config, serialization, null, now), entry)) {
        case ENQUEUED -> {
          queues.enqueued(queue, true);
          return request.workflowId();
        }
        case EXISTS -> {
          // An id given with withWorkflowId that a workflow has already: as a start would, the
          // call returns that workflow.
          WorkflowExecution.requireSameWorkflow(
              services.db.readWorkflow(request.workflowId()).orElseThrow(), definition);
          return request.workflowId();
        }
        case DUPLICATED -> {
          // Another call (here or on another server) enqueued first: push that one back.
        }
      }
    }
  }

  /**
   * Whether another application's workflow holds the key: its promotion is not this one's to wait
   * for, so trying again would only spin (as the SDKs reason).
   */
  private boolean heldByAnotherApplication(DebounceDatabase.Bounce holder) {
    String own = services.config.applicationName();
    String holders = holder.holderApplicationName();
    return own != null && holders != null && !holders.equals(own);
  }

  private static boolean sameDebouncedWorkflow(
      DebounceDatabase.Bounce holder, String name, String className) {
    String holderClass = holder.holderClassName() == null ? "" : holder.holderClassName();
    return holder.holderDebounced()
        && Objects.equals(name, holder.holderName())
        && className.equals(holderClass);
  }
}
