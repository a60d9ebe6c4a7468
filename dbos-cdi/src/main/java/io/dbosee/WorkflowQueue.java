package io.dbosee;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a queue, on any bean class of the application (repeatable). Every value can be
 * overridden, and queues can be declared outright, in MicroProfile Config: {@code
 * dbos.queue."<name>".concurrency}, {@code worker-concurrency}, {@code rate-limit-max}, {@code
 * rate-limit-period-seconds}, {@code priority-enabled}, {@code partitioned}, {@code
 * partition-concurrency}, {@code partition-worker-concurrency}, {@code partition-rate-limit-max},
 * {@code partition-rate-limit-period-seconds}, {@code polling-interval-seconds}.
 *
 * <pre>{@code
 * @WorkflowQueue(name = "payments", concurrency = 10, rateLimitMax = 50, rateLimitPeriodSeconds = 60)
 * @ApplicationScoped
 * public class Payments { ... dbos.queue("payments").enqueue(() -> self.pay(id)); ... }
 * }</pre>
 *
 * <p>Pitfalls: limits are enforced by this library's servers; a DBOS SDK of another language
 * dequeuing the same queue from the same database does not take part in them. Declaring one name
 * twice with different values is a deployment error.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(WorkflowQueue.List.class)
public @interface WorkflowQueue {

  /** The queue's name, as recorded in {@code workflow_status.queue_name}. */
  String name();

  /**
   * At most this many of the queue's workflows run at once across all servers, and across all
   * partitions on a partitioned queue (the DBOS SDKs' global concurrency); 0 means no limit.
   */
  int concurrency() default 0;

  /**
   * At most this many of the queue's workflows (of all its partitions) run at once on each server;
   * 0 means no limit.
   */
  int workerConcurrency() default 0;

  /**
   * At most this many of the queue's workflows (of all its partitions) start per {@link
   * #rateLimitPeriodSeconds()}; 0 means no limit.
   */
  int rateLimitMax() default 0;

  /** The window of the rate limit, in seconds. */
  double rateLimitPeriodSeconds() default 0;

  /** Whether enqueues may give a priority ({@link EnqueueOptions#withPriority}). */
  boolean priorityEnabled() default false;

  /**
   * Whether the queue is partitioned: every enqueue gives a partition key, and the partition limits
   * below apply to each key separately (the queue-wide limits above still apply to the whole
   * queue).
   */
  boolean partitioned() default false;

  /**
   * On a partitioned queue, at most this many workflows of one partition key run at once across all
   * servers (the DBOS SDKs' {@code partitionConcurrency}); 0 means no limit.
   */
  int partitionConcurrency() default 0;

  /**
   * On a partitioned queue, at most this many workflows of one partition key run at once on each
   * server (the DBOS SDKs' {@code partitionWorkerConcurrency}); 0 means no limit.
   */
  int partitionWorkerConcurrency() default 0;

  /**
   * On a partitioned queue, at most this many workflows of one partition key start per {@link
   * #partitionRateLimitPeriodSeconds()} (the DBOS SDKs' {@code partitionRateLimit}); 0 means no
   * limit.
   */
  int partitionRateLimitMax() default 0;

  /** The window of the partition rate limit, in seconds. */
  double partitionRateLimitPeriodSeconds() default 0;

  /**
   * How often, in seconds, a server looks for work it was not notified of (workflows enqueued by
   * another DBOS SDK or by SQL, delays and rate-limit windows that ended). Enqueues made by this
   * library wake the servers at once.
   */
  double pollingIntervalSeconds() default 1.0;

  /** Holds repeated {@link WorkflowQueue} declarations. */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE)
  @interface List {
    WorkflowQueue[] value();
  }
}
