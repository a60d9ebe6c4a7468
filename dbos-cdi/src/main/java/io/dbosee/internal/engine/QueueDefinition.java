package io.dbosee.internal.engine;

import io.dbosee.internal.engine.db.QueueCatalog;
import io.dbosee.internal.engine.db.QueueDatabase;
import java.time.Duration;
import java.util.Objects;

/**
 * A queue's limits, validated on construction. A limit of 0 means none. As in the DBOS SDKs, the
 * queue-wide limits hold for the whole queue, across its partitions on a partitioned queue; the
 * {@code partitionLimits} hold for each partition key.
 *
 * @param name the name recorded in {@code workflow_status.queue_name}
 * @param concurrency workflows of the queue running at once across all servers and partitions
 * @param workerConcurrency workflows of the queue running at once on one server
 * @param rateLimitMax starts of the queue allowed per {@code rateLimitPeriod}
 * @param rateLimitPeriod the rate limit's window
 * @param priorityEnabled whether enqueues may give a priority
 * @param partitioned whether every enqueue gives a partition key
 * @param pollingInterval how often a server looks for work it was not notified of
 * @param partitionLimits the limits of each partition (only on a partitioned queue)
 */
public record QueueDefinition(
    String name,
    int concurrency,
    int workerConcurrency,
    int rateLimitMax,
    Duration rateLimitPeriod,
    boolean priorityEnabled,
    boolean partitioned,
    Duration pollingInterval,
    PartitionLimits partitionLimits) {

  /** A queue without partition limits. */
  public QueueDefinition(
      String name,
      int concurrency,
      int workerConcurrency,
      int rateLimitMax,
      Duration rateLimitPeriod,
      boolean priorityEnabled,
      boolean partitioned,
      Duration pollingInterval) {
    this(
        name,
        concurrency,
        workerConcurrency,
        rateLimitMax,
        rateLimitPeriod,
        priorityEnabled,
        partitioned,
        pollingInterval,
        PartitionLimits.NONE);
  }

  public QueueDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(partitionLimits, "partitionLimits");
    Objects.requireNonNull(rateLimitPeriod, "rateLimitPeriod");
    Objects.requireNonNull(pollingInterval, "pollingInterval");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a queue name must not be blank");
    }
    if (concurrency < 0 || workerConcurrency < 0 || rateLimitMax < 0) {
      throw new IllegalArgumentException(
          "queue '"
              + name
              + "': concurrency, worker concurrency and rate limit must be 0 (no limit) or more");
    }
    if (concurrency > 0 && workerConcurrency > concurrency) {
      throw new IllegalArgumentException(
          "queue '"
              + name
              + "': worker concurrency "
              + workerConcurrency
              + " exceeds the global concurrency "
              + concurrency
              + "; lower it, or raise the concurrency");
    }
    if (rateLimitMax > 0 && (rateLimitPeriod.isZero() || rateLimitPeriod.isNegative())) {
      throw new IllegalArgumentException(
          "queue '"
              + name
              + "': a rate limit of "
              + rateLimitMax
              + " starts needs a positive period (rate-limit-period-seconds)");
    }
    if (rateLimitMax == 0 && !rateLimitPeriod.isZero()) {
      throw new IllegalArgumentException(
          "queue '"
              + name
              + "': a rate limit period is set without rate-limit-max; set both or neither");
    }
    if (pollingInterval.isZero() || pollingInterval.isNegative()) {
      throw new IllegalArgumentException(
          "queue '" + name + "': the polling interval must be positive, got " + pollingInterval);
    }
    // The fields are not assigned yet in a compact constructor: pass the values.
    partitionLimits.check(name, partitioned, concurrency, workerConcurrency);
  }

  /** A queue with no limits, polled every second. */
  public static QueueDefinition unlimited(String name) {
    return new QueueDefinition(name, 0, 0, 0, Duration.ZERO, false, false, Duration.ofSeconds(1));
  }

  public QueueDefinition withConcurrency(int concurrency) {
    return new QueueDefinition(
        name,
        concurrency,
        workerConcurrency,
        rateLimitMax,
        rateLimitPeriod,
        priorityEnabled,
        partitioned,
        pollingInterval,
        partitionLimits);
  }

  public QueueDefinition withWorkerConcurrency(int workerConcurrency) {
    return new QueueDefinition(
        name,
        concurrency,
        workerConcurrency,
        rateLimitMax,
        rateLimitPeriod,
        priorityEnabled,
        partitioned,
        pollingInterval,
        partitionLimits);
  }

  public QueueDefinition withRateLimit(int max, Duration period) {
    return new QueueDefinition(
        name,
        concurrency,
        workerConcurrency,
        max,
        period,
        priorityEnabled,
        partitioned,
        pollingInterval,
        partitionLimits);
  }

  public QueueDefinition withPriorityEnabled(boolean priorityEnabled) {
    return new QueueDefinition(
        name,
        concurrency,
        workerConcurrency,
        rateLimitMax,
        rateLimitPeriod,
        priorityEnabled,
        partitioned,
        pollingInterval,
        partitionLimits);
  }

  public QueueDefinition withPartitioned(boolean partitioned) {
    return new QueueDefinition(
        name,
        concurrency,
        workerConcurrency,
        rateLimitMax,
        rateLimitPeriod,
        priorityEnabled,
        partitioned,
        pollingInterval,
        partitionLimits);
  }

  public QueueDefinition withPollingInterval(Duration pollingInterval) {
    return new QueueDefinition(
        name,
        concurrency,
        workerConcurrency,
        rateLimitMax,
        rateLimitPeriod,
        priorityEnabled,
        partitioned,
        pollingInterval,
        partitionLimits);
  }

  public QueueDefinition withPartitionLimits(PartitionLimits partitionLimits) {
    return new QueueDefinition(
        name,
        concurrency,
        workerConcurrency,
        rateLimitMax,
        rateLimitPeriod,
        priorityEnabled,
        partitioned,
        pollingInterval,
        partitionLimits);
  }

  /** What a claim on this queue keeps: its queue-wide limits, and each partition's. */
  QueueDatabase.QueueLimits claimLimits() {
    return new QueueDatabase.QueueLimits(
        name,
        new QueueDatabase.Limits(
            concurrency, workerConcurrency, rateLimitMax, rateLimitPeriod.toMillis()),
        new QueueDatabase.Limits(
            partitionLimits.concurrency(),
            partitionLimits.workerConcurrency(),
            partitionLimits.rateLimitMax(),
            partitionLimits.rateLimitPeriod().toMillis()));
  }

  /** This queue as its row of the {@code queues} table records it. */
  QueueCatalog.QueueRow row() {
    return new QueueCatalog.QueueRow(
        claimLimits(), priorityEnabled, partitioned, pollingInterval.toMillis());
  }

  /** Whether a finished workflow frees a slot that all servers share (a concurrency limit). */
  boolean sharesSlots() {
    return concurrency > 0 || partitionLimits.concurrency() > 0;
  }

  /** Whether a finished workflow frees a slot at all (any concurrency limit). */
  boolean limitsConcurrency() {
    return sharesSlots() || workerConcurrency > 0 || partitionLimits.workerConcurrency() > 0;
  }
}
