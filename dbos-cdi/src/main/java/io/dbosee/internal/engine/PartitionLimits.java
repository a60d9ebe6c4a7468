package io.dbosee.internal.engine;

import io.dbosee.internal.errors.ErrorCode;
import java.time.Duration;
import java.util.Objects;

/**
 * The limits a partitioned queue keeps for each partition key, as the DBOS SDKs define them ({@code
 * partition_concurrency}, {@code partition_worker_concurrency}, {@code partition_rate_limit_max}
 * per {@code partition_rate_limit_period_sec}). A limit of 0 means none.
 *
 * @param concurrency workflows of one partition running at once across all servers
 * @param workerConcurrency workflows of one partition running at once on one server
 * @param rateLimitMax starts of one partition allowed per {@code rateLimitPeriod}
 * @param rateLimitPeriod the partition rate limit's window
 */
public record PartitionLimits(
    int concurrency, int workerConcurrency, int rateLimitMax, Duration rateLimitPeriod) {

  /** No limit per partition. */
  public static final PartitionLimits NONE = new PartitionLimits(0, 0, 0, Duration.ZERO);

  public PartitionLimits {
    Objects.requireNonNull(rateLimitPeriod, "rateLimitPeriod");
  }

  public PartitionLimits withConcurrency(int concurrency) {
    return new PartitionLimits(concurrency, workerConcurrency, rateLimitMax, rateLimitPeriod);
  }

  public PartitionLimits withWorkerConcurrency(int workerConcurrency) {
    return new PartitionLimits(concurrency, workerConcurrency, rateLimitMax, rateLimitPeriod);
  }

  public PartitionLimits withRateLimit(int max, Duration period) {
    return new PartitionLimits(concurrency, workerConcurrency, max, period);
  }

  /** Whether any limit is set. */
  public boolean any() {
    return concurrency != 0
        || workerConcurrency != 0
        || rateLimitMax != 0
        || !rateLimitPeriod.isZero();
  }

  /**
   * Checks these limits on queue {@code name}, whose queue-wide values are already checked: each is
   * 0 or more, the rate limit has both its parts or neither, none exceeds the limit that contains
   * it (the SDKs' rules), and the queue is partitioned.
   */
  void check(String name, boolean partitioned, int queueConcurrency, int queueWorkerConcurrency) {
    if (any() && !partitioned) {
      throw new IllegalArgumentException(
          ErrorCode.PARTITION_LIMIT_UNPARTITIONED.message(
              "queue '"
                  + name
                  + "' is not partitioned, so its partition limits ("
                  + describe()
                  + ") cannot apply; declare it partitioned (partitioned = true), or move the"
                  + " limits to the queue-wide concurrency, worker-concurrency and rate limit"));
    }
    requireNotNegative(name, "partition-concurrency", concurrency);
    requireNotNegative(name, "partition-worker-concurrency", workerConcurrency);
    requireNotNegative(name, "partition-rate-limit-max", rateLimitMax);
    if (rateLimitMax > 0 && (rateLimitPeriod.isZero() || rateLimitPeriod.isNegative())) {
      throw invalid(
          name,
          "a partition rate limit of "
              + rateLimitMax
              + " starts needs a positive period; set partition-rate-limit-period-seconds above"
              + " 0 (it is "
              + seconds(rateLimitPeriod)
              + ")");
    }
    if (rateLimitMax == 0 && !rateLimitPeriod.isZero()) {
      throw invalid(
          name,
          "partition-rate-limit-period-seconds is "
              + seconds(rateLimitPeriod)
              + " but partition-rate-limit-max is not set; set both (a max of 1 or more and a"
              + " positive period) or neither");
    }
    requireAtMost(
        name,
        "partition-worker-concurrency",
        workerConcurrency,
        "partition-concurrency",
        concurrency);
    requireAtMost(
        name,
        "partition-worker-concurrency",
        workerConcurrency,
        "worker-concurrency",
        queueWorkerConcurrency);
    requireAtMost(name, "partition-concurrency", concurrency, "concurrency", queueConcurrency);
    requireAtMost(
        name, "partition-worker-concurrency", workerConcurrency, "concurrency", queueConcurrency);
  }

  private static void requireNotNegative(String queue, String key, int value) {
    if (value < 0) {
      throw invalid(queue, key + " is " + value + "; it must be 1 or more, or 0 for no limit");
    }
  }

  private static void requireAtMost(
      String queue, String key, int value, String containingKey, int containing) {
    if (value > 0 && containing > 0 && value > containing) {
      throw invalid(
          queue,
          key
              + " "
              + value
              + " exceeds "
              + containingKey
              + " "
              + containing
              + ", which already caps it; lower it to "
              + containing
              + " or less, or raise "
              + containingKey);
    }
  }

  private static IllegalArgumentException invalid(String queue, String detail) {
    return new IllegalArgumentException(
        ErrorCode.INVALID_PARTITION_LIMIT.message("queue '" + queue + "': " + detail));
  }

  private static String seconds(Duration d) {
    return d.toNanos() / 1e9 + " s";
  }

  private String describe() {
    StringBuilder b = new StringBuilder();
    if (concurrency != 0) {
      b.append("partition-concurrency ").append(concurrency);
    }
    if (workerConcurrency != 0) {
      b.append(b.isEmpty() ? "" : ", ")
          .append("partition-worker-concurrency ")
          .append(workerConcurrency);
    }
    if (rateLimitMax != 0 || !rateLimitPeriod.isZero()) {
      b.append(b.isEmpty() ? "" : ", ")
          .append("partition rate limit ")
          .append(rateLimitMax)
          .append(" per ")
          .append(seconds(rateLimitPeriod));
    }
    return b.toString();
  }
}
