package io.dbosee.internal.engine;

import io.dbosee.DBOSUnknownQueueException;
import io.dbosee.internal.engine.db.QueueDatabase;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The queues workflows can be enqueued on, which of them this server runs, and the runner that
 * dequeues them.
 */
final class QueueRegistry {
  /**
   * The queue every DBOS SDK listens to, whatever the application declares: the DBOS clients and
   * tools put the workflows they resume or fork on it.
   */
  static final String INTERNAL_QUEUE = "_dbos_internal_queue";

  /** Every queue workflows can be enqueued on, and whether this server runs its workflows. */
  private final Map<String, QueueDefinition> queues = new ConcurrentHashMap<>();

  private final Set<String> listenedQueues = ConcurrentHashMap.newKeySet();
  private volatile QueueRunner queueRunner;

  /**
   * Declares a queue; call before the engine launches.
   *
   * @param listen whether this server starts the queue's workflows (otherwise it only enqueues)
   */
  void register(QueueDefinition queue, boolean listen) {
    Objects.requireNonNull(queue, "queue");
    if (queue.name().equals(INTERNAL_QUEUE)) {
      throw new IllegalArgumentException(
          "The queue name '"
              + INTERNAL_QUEUE
              + "' is reserved for the workflows that DBOS clients resume and fork; choose"
              + " another name.");
    }
    QueueDefinition previous = queues.putIfAbsent(queue.name(), queue);
    if (previous != null && !previous.equals(queue)) {
      throw new IllegalArgumentException(
          "Queue '"
              + queue.name()
              + "' is declared twice, differently: "
              + previous
              + ", "
              + queue);
    }
    if (listen) {
      listenedQueues.add(queue.name());
    }
  }

  /** The queue of that name, if declared. */
  Optional<QueueDefinition> queue(String name) {
    return Optional.ofNullable(queues.get(name));
  }

  /** The names of the declared queues (not the internal one). */
  Set<String> queueNames() {
    Set<String> names = new HashSet<>(queues.keySet());
    names.remove(INTERNAL_QUEUE);
    return Set.copyOf(names);
  }

  /** The declared queues (not the internal one). */
  List<QueueDefinition> declared() {
    return queues.values().stream().filter(q -> !q.name().equals(INTERNAL_QUEUE)).toList();
  }

  QueueDefinition requireQueue(StartSpec spec) {
    QueueDefinition queue = queues.get(spec.queueName());
    if (queue == null) {
      throw new DBOSUnknownQueueException(spec.queueName(), new TreeSet<>(queueNames()));
    }
    if (queue.partitioned() && spec.partitionKey() == null) {
      throw new IllegalArgumentException(
          "Queue '"
              + queue.name()
              + "' is partitioned: every enqueue needs a partition key"
              + " (EnqueueOptions.withPartitionKey).");
    }
    if (!queue.partitioned() && spec.partitionKey() != null) {
      throw new IllegalArgumentException(
          "Queue '"
              + queue.name()
              + "' is not partitioned, so the partition key '"
              + spec.partitionKey()
              + "' cannot apply: remove it, or declare the queue partitioned.");
    }
    if (spec.priority() != 0 && !queue.priorityEnabled()) {
      throw new IllegalArgumentException(
          "Queue '"
              + queue.name()
              + "' does not have priorities enabled, so priority "
              + spec.priority()
              + " cannot apply: remove it, or declare the queue with priorityEnabled.");
    }
    return queue;
  }

  /**
   * Asks this server's queues for a dispatch round: for work whose row was just changed by another
   * component (a claim skips rows locked at that moment), or put back on its queue.
   */
  void wake() {
    QueueRunner runner = queueRunner;
    if (runner != null) {
      runner.requestRound();
    }
  }

  void finished(QueueDefinition queue) {
    QueueRunner runner = queueRunner;
    if (runner != null) {
      runner.finished(queue);
    }
  }

  /**
   * Starts dequeueing the queues this server listens to (the internal one always), with {@code
   * start} running each claimed workflow; at launch.
   */
  void start(
      QueueDatabase queueDb,
      EngineServices services,
      NotificationHub hub,
      Consumer<QueueDatabase.Claimed> start) {
    // The DBOS clients and tools resume and fork workflows onto this queue.
    queues.putIfAbsent(INTERNAL_QUEUE, QueueDefinition.unlimited(INTERNAL_QUEUE));
    listenedQueues.add(INTERNAL_QUEUE);
    List<QueueDefinition> listened =
        queues.values().stream().filter(q -> listenedQueues.contains(q.name())).toList();
    if (!listened.isEmpty()) {
      queueRunner = new QueueRunner(services, queueDb, listened, start, hub);
      queueRunner.start();
    }
  }

  /** This server's queue runner, or null when it listens to no queue (or has not launched). */
  QueueRunner runner() {
    return queueRunner;
  }

  void stop() {
    QueueRunner runner = queueRunner;
    if (runner != null) {
      runner.stop();
    }
  }

  /** Tells this server's runner a workflow was just enqueued on {@code queue}, if it runs it. */
  void enqueued(QueueDefinition queue, boolean delayed) {
    QueueRunner runner = queueRunner;
    if (runner != null && listenedQueues.contains(queue.name())) {
      runner.enqueued(queue.name(), delayed);
    }
  }
}
