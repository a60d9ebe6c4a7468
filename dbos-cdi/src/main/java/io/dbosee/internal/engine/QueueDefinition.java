package io.dbosee.internal.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * A queue's limits, validated on construction. A limit of 0 means none.
 *
 * @param name the name recorded in {@code workflow_status.queue_name}
 * @param concurrency workflows of the queue running at once across all servers (per partition)
 * @param workerConcurrency workflows of the queue running at once on one server (per partition)
 * @param rateLimitMax starts allowed per {@code rateLimitPeriod} (per partition)
 * @param rateLimitPeriod the rate limit's window
 * @param priorityEnabled whether enqueues may give a priority
 * @param partitioned whether every enqueue gives a partition key, limits applying per partition
 * @param pollingInterval how often a server looks for work it was not notified of
 */
public record QueueDefinition(
    String name,
    int concurrency,
    int workerConcurrency,
    int rateLimitMax,
    Duration rateLimitPeriod,
    boolean priorityEnabled,
    boolean partitioned,
    Duration pollingInterval) {

  public QueueDefinition {
    Objects.requireNonNull(name, "name");
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
        pollingInterval);
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
        pollingInterval);
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
        pollingInterval);
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
        pollingInterval);
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
        pollingInterval);
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
        pollingInterval);
  }

  /** Whether starting a workflow needs to count the ones running (a concurrency limit is set). */
  boolean limitsConcurrency() {
    return concurrency > 0 || workerConcurrency > 0;
  }

  boolean limitsRate() {
    return rateLimitMax > 0;
  }
}
