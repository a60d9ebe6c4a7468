package io.dbosee.internal.cdi;

import io.dbosee.QueueName;
import io.dbosee.WorkflowQueue;
import io.dbosee.internal.engine.DBOSEngine;
import io.dbosee.internal.engine.QueueDefinition;
import io.dbosee.internal.errors.ErrorCode;
import jakarta.enterprise.inject.spi.AnnotatedType;
import jakarta.enterprise.inject.spi.InjectionPoint;
import java.lang.annotation.Annotation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Owns the application's queues from discovery to deployment: the {@code @WorkflowQueue}
 * declarations, the {@code @QueueName} injection points, and at deployment the queue definitions
 * (configuration applied) and the queues this server listens to. A queue that is named but not
 * declared fails the deployment, since an enqueue on it could never run.
 */
final class QueuePreparation {
  private static final Logger LOG = Logger.getLogger(QueuePreparation.class.getName());

  private final List<String> definitionErrors;

  private final Map<String, WorkflowQueue> declaredQueues = new HashMap<>();
  private final Map<String, Class<?>> queueDeclarers = new HashMap<>();

  /** Queue names injected with @QueueName, and where. */
  private final Map<String, String> injectedQueues = new HashMap<>();

  private List<QueueDefinition> queues = List.of();
  private Set<String> listenedQueues = Set.of();

  QueuePreparation(List<String> definitionErrors) {
    this.definitionErrors = definitionErrors;
  }

  /**
   * Records a type's {@code @WorkflowQueue} declarations; the same queue declared twice must agree.
   */
  <T> void declare(AnnotatedType<T> annotated) {
    Class<T> type = annotated.getJavaClass();
    for (WorkflowQueue queue : annotated.getAnnotations(WorkflowQueue.class)) {
      WorkflowQueue previous = declaredQueues.putIfAbsent(queue.name(), queue);
      if (previous == null) {
        queueDeclarers.put(queue.name(), type);
      } else if (!previous.equals(queue)) {
        definitionErrors.add(
            ErrorCode.CONFLICTING_QUEUE.message(
                "Queue '"
                    + queue.name()
                    + "' is declared differently on "
                    + queueDeclarers.get(queue.name()).getName()
                    + " and "
                    + type.getName()
                    + ". Declare each queue once (or identically), and set per-environment"
                    + " values through dbos.queue.\""
                    + queue.name()
                    + "\".* configuration."));
      }
    }
  }

  /** Remembers a {@code @QueueName} injection point, checked once the queues are known. */
  void injected(InjectionPoint point) {
    for (Annotation qualifier : point.getQualifiers()) {
      if (qualifier instanceof QueueName name) {
        injectedQueues.putIfAbsent(name.value(), String.valueOf(point.getMember()));
      }
    }
  }

  /**
   * Builds the queue definitions and checks every name that refers to a queue; returns the names of
   * the declared queues, which schedules may refer to.
   */
  Set<String> prepare(QueueSettings queueSettings, List<String> problems) {
    queues = queueSettings.queues(declaredQueues);
    if (queues.stream().anyMatch(q -> q.name().equals(DBOSEngine.INTERNAL_QUEUE))) {
      problems.add(
          ErrorCode.RESERVED_QUEUE.message(
              "The queue name '"
                  + DBOSEngine.INTERNAL_QUEUE
                  + "' is reserved: the DBOS clients resume and fork workflows onto it, and every"
                  + " server listens to it. Declare your queue under another name."));
      queues = queues.stream().filter(q -> !q.name().equals(DBOSEngine.INTERNAL_QUEUE)).toList();
    }
    queues.forEach(QueuePreparation::warnIfPartitionedWithoutPartitionLimits);
    Set<String> queueNames = new TreeSet<>();
    queues.forEach(q -> queueNames.add(q.name()));
    listenedQueues = queueSettings.listenQueues.orElse(queueNames);
    checkListened(queueNames, problems);
    checkInjected(queueNames, problems);
    return queueNames;
  }

  /**
   * A partitioned queue without partition limits limits nothing per key; most likely it was
   * declared when the queue-wide limits of a partitioned queue held for each key, which they no
   * longer do (the DBOS SDKs' meaning). Valid, so a warning, with both ways out.
   */
  private static void warnIfPartitionedWithoutPartitionLimits(QueueDefinition queue) {
    if (!queue.partitioned() || queue.partitionLimits().any()) {
      return;
    }
    StringBuilder wide = new StringBuilder();
    if (queue.concurrency() > 0) {
      wide.append("concurrency ").append(queue.concurrency());
    }
    if (queue.workerConcurrency() > 0) {
      wide.append(wide.isEmpty() ? "" : ", ")
          .append("worker-concurrency ")
          .append(queue.workerConcurrency());
    }
    if (queue.rateLimitMax() > 0) {
      wide.append(wide.isEmpty() ? "" : ", ")
          .append("rate-limit-max ")
          .append(queue.rateLimitMax());
    }
    LOG.log(
        Level.WARNING,
        ErrorCode.PARTITIONED_WITHOUT_PARTITION_LIMITS.message(
            "Queue '"
                + queue.name()
                + "' is partitioned but sets no partition limit, so its partition keys limit"
                + " nothing"
                + (wide.isEmpty()
                    ? ""
                    : "; its "
                        + wide
                        + " hold(s) for the whole queue, all keys together, as in the DBOS SDKs"
                        + " (they held for each key before partition limits existed here)")
                + ". For a limit per key, set partitionConcurrency, partitionWorkerConcurrency or"
                + " partitionRateLimitMax/partitionRateLimitPeriodSeconds (dbos.queue.\""
                + queue.name()
                + "\".partition-*); otherwise declare the queue not partitioned."));
  }

  private void checkListened(Set<String> queueNames, List<String> problems) {
    for (String name : listenedQueues) {
      if (!queueNames.contains(name)) {
        problems.add(
            ErrorCode.UNKNOWN_QUEUE.message(
                QueueSettings.LISTEN_QUEUES
                    + " names queue '"
                    + name
                    + "', which is not declared (declared: "
                    + queueNames
                    + "). Declare it with @WorkflowQueue or dbos.queue.\""
                    + name
                    + "\".* configuration, or remove it from "
                    + QueueSettings.LISTEN_QUEUES
                    + "."));
      }
    }
  }

  private void checkInjected(Set<String> queueNames, List<String> problems) {
    for (Map.Entry<String, String> injected : injectedQueues.entrySet()) {
      if (!queueNames.contains(injected.getKey())) {
        problems.add(
            ErrorCode.UNKNOWN_QUEUE.message(
                injected.getValue()
                    + " injects @QueueName(\""
                    + injected.getKey()
                    + "\"), but no such queue is declared (declared: "
                    + queueNames
                    + "). Declare it with @WorkflowQueue(name = \""
                    + injected.getKey()
                    + "\") on a bean class or with dbos.queue.\""
                    + injected.getKey()
                    + "\".* configuration, or correct the name."));
      }
    }
  }

  List<QueueDefinition> queues() {
    return queues;
  }

  boolean listens(String queueName) {
    return listenedQueues.contains(queueName);
  }
}
