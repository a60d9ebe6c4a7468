package io.dbosee.internal.cdi;

import io.dbosee.WorkflowQueue;
import io.dbosee.internal.engine.PartitionLimits;
import io.dbosee.internal.engine.QueueDefinition;
import io.dbosee.internal.errors.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Owns the queue keys: each queue's {@code dbos.queue."<name>".*} values (overriding its
 * {@code @WorkflowQueue}, or declaring a queue by configuration alone) and {@code
 * dbos.listen-queues}, the queues this server dequeues from.
 */
final class QueueSettings {
  static final String LISTEN_QUEUES = "dbos.listen-queues";
  static final String QUEUE_PREFIX = "dbos.queue.\"";

  private static final String NON_NEGATIVE = "an integer of at least 0 (0: no limit)";

  private final ConfigValues values;
  private final List<String> problems;

  /** The queues named by {@code dbos.listen-queues}; empty: every declared queue. */
  final Optional<Set<String>> listenQueues;

  QueueSettings(ConfigValues values) {
    this.values = values;
    this.problems = values.problems();
    this.listenQueues =
        values
            .text(LISTEN_QUEUES)
            .map(
                list -> {
                  Set<String> names = new LinkedHashSet<>();
                  for (String name : list.split(",")) {
                    if (!name.isBlank()) {
                      names.add(name.trim());
                    }
                  }
                  return names;
                });
  }

  /**
   * The declared queues: those of the annotations with their configuration overrides, and those
   * declared by configuration alone ({@code dbos.queue."<name>".*} keys). Invalid values are
   * problems.
   */
  List<QueueDefinition> queues(Map<String, WorkflowQueue> annotated) {
    Set<String> names = new TreeSet<>(annotated.keySet());
    for (String key : values.config().getPropertyNames()) {
      if (key.startsWith(QUEUE_PREFIX)) {
        int end = key.indexOf('"', QUEUE_PREFIX.length());
        if (end > QUEUE_PREFIX.length()) {
          names.add(key.substring(QUEUE_PREFIX.length(), end));
        }
      }
    }
    List<QueueDefinition> queues = new ArrayList<>();
    for (String name : names) {
      queue(name, annotated.get(name)).ifPresent(queues::add);
    }
    return queues;
  }

  /** One queue's definition, or empty (and a problem) when its values do not fit together. */
  private Optional<QueueDefinition> queue(String name, WorkflowQueue a) {
    int concurrency = count(name, "concurrency", a == null ? 0 : a.concurrency());
    int workerConcurrency =
        count(name, "worker-concurrency", a == null ? 0 : a.workerConcurrency());
    int rateLimitMax = count(name, "rate-limit-max", a == null ? 0 : a.rateLimitMax());
    double ratePeriod =
        queueValue(
            name,
            "rate-limit-period-seconds",
            Double.class,
            a == null ? 0.0 : a.rateLimitPeriodSeconds(),
            d -> d >= 0 && Double.isFinite(d),
            "a number of seconds, at least 0");
    boolean priorityEnabled = flag(name, "priority-enabled", a != null && a.priorityEnabled());
    boolean partitioned = flag(name, "partitioned", a != null && a.partitioned());
    PartitionLimits partitionLimits = partitionLimits(name, a);
    double polling =
        queueValue(
            name,
            "polling-interval-seconds",
            Double.class,
            a == null ? 1.0 : a.pollingIntervalSeconds(),
            d -> d > 0 && Double.isFinite(d),
            "a positive number of seconds");
    try {
      return Optional.of(
          new QueueDefinition(
              name,
              concurrency,
              workerConcurrency,
              rateLimitMax,
              ConfigValues.seconds(ratePeriod),
              priorityEnabled,
              partitioned,
              polling > 0 ? ConfigValues.seconds(polling) : Duration.ofSeconds(1),
              partitionLimits));
    } catch (IllegalArgumentException e) {
      // Each value may be valid alone and the set still not (worker concurrency above concurrency).
      String detail =
          e.getMessage()
              + ". Correct the @WorkflowQueue declaration or the "
              + QUEUE_PREFIX
              + name
              + "\".* configuration.";
      // The partition limits' checks carry codes of their own.
      boolean coded = Arrays.stream(ErrorCode.values()).anyMatch(code -> code.marks(e));
      problems.add(coded ? detail : ErrorCode.INVALID_QUEUE.message(detail));
      return Optional.empty();
    }
  }

  /**
   * The limits of each partition; their ranges are checked with the queue (by {@link
   * PartitionLimits}), which knows whether the queue is partitioned and its queue-wide limits.
   */
  private PartitionLimits partitionLimits(String name, WorkflowQueue a) {
    int concurrency =
        queueValue(
            name,
            "partition-concurrency",
            Integer.class,
            a == null ? 0 : a.partitionConcurrency(),
            n -> true,
            "an integer");
    int workerConcurrency =
        queueValue(
            name,
            "partition-worker-concurrency",
            Integer.class,
            a == null ? 0 : a.partitionWorkerConcurrency(),
            n -> true,
            "an integer");
    int rateLimitMax =
        queueValue(
            name,
            "partition-rate-limit-max",
            Integer.class,
            a == null ? 0 : a.partitionRateLimitMax(),
            n -> true,
            "an integer");
    double ratePeriod =
        queueValue(
            name,
            "partition-rate-limit-period-seconds",
            Double.class,
            a == null ? 0.0 : a.partitionRateLimitPeriodSeconds(),
            Double::isFinite,
            "a number of seconds");
    return new PartitionLimits(
        concurrency, workerConcurrency, rateLimitMax, ConfigValues.seconds(ratePeriod));
  }

  private int count(String queue, String property, int declared) {
    return queueValue(queue, property, Integer.class, declared, n -> n >= 0, NON_NEGATIVE);
  }

  private boolean flag(String queue, String property, boolean declared) {
    return queueValue(queue, property, Boolean.class, declared, b -> true, "true or false");
  }

  private <T> T queueValue(
      String queue,
      String property,
      Class<T> type,
      T declared,
      Function<T, Boolean> valid,
      String allowed) {
    String key = QUEUE_PREFIX + queue + "\"." + property;
    Optional<T> value = values.optional(key, type, valid, allowed);
    if (value.isPresent()) {
      return value.get();
    }
    if (!valid.apply(declared)) {
      problems.add(
          ErrorCode.INVALID_QUEUE.message(
              "@WorkflowQueue(name = \""
                  + queue
                  + "\") sets "
                  + property
                  + " to "
                  + declared
                  + ", but it must be "
                  + allowed
                  + "."));
    }
    return declared;
  }
}
