package io.dbosee.internal.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * The engine's settings, validated on construction.
 *
 * @param executorId this server's id in {@code workflow_status.executor_id}
 * @param applicationVersion recorded with every workflow; recovery only takes its own version
 * @param schema the system database schema
 * @param resultPollInterval how often a caller polls for the result of a workflow that another
 *     server runs
 * @param threadHold how long a workflow's durable wait (sleep, recv, getEvent) keeps its thread
 *     before the workflow is unwound and parked, to be resumed by replay when it is woken; null:
 *     waits always keep their thread
 * @param failoverLease how long this server's lease lasts without a renewal: once it has expired, a
 *     live server of the same application version takes over its PENDING workflows; null: no lease
 *     is taken, and nothing is taken over
 * @param queueServerConcurrency how many workflows of the queues that declare no worker concurrency
 *     this server runs at once (parked ones included); the others stay ENQUEUED, where any server
 *     can take them; 0: no limit
 * @param startOutageWait how long a start or enqueue made outside a workflow tries again while the
 *     system database cannot be reached, before it throws; zero: it throws at once
 * @param migrateSchema whether {@link DBOSEngine#launch()} creates or migrates the system database
 *     schema (and this library's own tables in it); false: it runs no DDL, and refuses to start
 *     unless the schema is at {@link io.dbosee.internal.engine.db.SystemSchema#LATEST_VERSION} or
 *     above and has every table this configuration uses, for a database user that may not run DDL
 * @param applicationName the application this engine acts for when several share one system
 *     database ({@code application_name}): it claims the rows it writes and dequeues, and recovers,
 *     dequeues and promotes only its own and unclaimed rows; null: no name, every row
 */
public record EngineConfig(
    String executorId,
    String applicationVersion,
    String schema,
    Duration resultPollInterval,
    Duration threadHold,
    Duration failoverLease,
    int queueServerConcurrency,
    Duration startOutageWait,
    boolean migrateSchema,
    String applicationName) {

  /** The default {@link #threadHold}. */
  public static final Duration DEFAULT_THREAD_HOLD = Duration.ofSeconds(1);

  /** The default {@link #failoverLease}. */
  public static final Duration DEFAULT_FAILOVER_LEASE = Duration.ofSeconds(30);

  /**
   * The default {@link #queueServerConcurrency}: the executor threads the project's server
   * configuration gives Liberty, so that claimed workflows do not wait in the executor's queue
   * where no other server can take them.
   */
  public static final int DEFAULT_QUEUE_SERVER_CONCURRENCY = 64;

  /**
   * The default {@link #startOutageWait}: longer than a database restart or a failover of a managed
   * PostgreSQL, short enough that a caller hears of a longer outage.
   */
  public static final Duration DEFAULT_START_OUTAGE_WAIT = Duration.ofSeconds(30);

  /** The longest {@link #applicationName}, in characters. */
  public static final int MAX_APPLICATION_NAME_LENGTH = 128;

  public EngineConfig {
    requireText(executorId, "executorId");
    requireText(applicationVersion, "applicationVersion");
    requireText(schema, "schema");
    Objects.requireNonNull(resultPollInterval, "resultPollInterval");
    if (resultPollInterval.isZero() || resultPollInterval.isNegative()) {
      throw new IllegalArgumentException(
          "resultPollInterval must be positive, got " + resultPollInterval);
    }
    if (threadHold != null && threadHold.isNegative()) {
      throw new IllegalArgumentException(
          "threadHold must be zero or more (or null: never release), got " + threadHold);
    }
    if (failoverLease != null && failoverLease.toMillis() < 3) {
      throw new IllegalArgumentException(
          "failoverLease must be at least 3 ms (or null: no failover), got " + failoverLease);
    }
    if (queueServerConcurrency < 0) {
      throw new IllegalArgumentException(
          "queueServerConcurrency must be zero (no limit) or more, got " + queueServerConcurrency);
    }
    Objects.requireNonNull(startOutageWait, "startOutageWait");
    if (startOutageWait.isNegative()) {
      throw new IllegalArgumentException(
          "startOutageWait must be zero (throw at once) or more, got " + startOutageWait);
    }
    if (applicationName != null
        && (applicationName.isBlank() || applicationName.length() > MAX_APPLICATION_NAME_LENGTH)) {
      throw new IllegalArgumentException(
          "applicationName must be null or 1 to "
              + MAX_APPLICATION_NAME_LENGTH
              + " characters, not blank, got '"
              + applicationName
              + "'");
    }
  }

  /** A configuration that migrates the schema at launch and names no application. */
  public EngineConfig(
      String executorId,
      String applicationVersion,
      String schema,
      Duration resultPollInterval,
      Duration threadHold,
      Duration failoverLease,
      int queueServerConcurrency,
      Duration startOutageWait) {
    this(
        executorId,
        applicationVersion,
        schema,
        resultPollInterval,
        threadHold,
        failoverLease,
        queueServerConcurrency,
        startOutageWait,
        true,
        null);
  }

  public EngineConfig(
      String executorId,
      String applicationVersion,
      String schema,
      Duration resultPollInterval,
      Duration threadHold,
      Duration failoverLease) {
    this(
        executorId,
        applicationVersion,
        schema,
        resultPollInterval,
        threadHold,
        failoverLease,
        DEFAULT_QUEUE_SERVER_CONCURRENCY,
        DEFAULT_START_OUTAGE_WAIT);
  }

  public EngineConfig(
      String executorId, String applicationVersion, String schema, Duration resultPollInterval) {
    this(
        executorId,
        applicationVersion,
        schema,
        resultPollInterval,
        DEFAULT_THREAD_HOLD,
        DEFAULT_FAILOVER_LEASE,
        DEFAULT_QUEUE_SERVER_CONCURRENCY,
        DEFAULT_START_OUTAGE_WAIT);
  }

  public EngineConfig(String executorId, String applicationVersion, String schema) {
    this(executorId, applicationVersion, schema, Duration.ofMillis(100));
  }

  /** This configuration with another {@link #threadHold}. */
  public EngineConfig withThreadHold(Duration hold) {
    return new EngineConfig(
        executorId,
        applicationVersion,
        schema,
        resultPollInterval,
        hold,
        failoverLease,
        queueServerConcurrency,
        startOutageWait,
        migrateSchema,
        applicationName);
  }

  /** This configuration with another {@link #failoverLease}. */
  public EngineConfig withFailoverLease(Duration lease) {
    return new EngineConfig(
        executorId,
        applicationVersion,
        schema,
        resultPollInterval,
        threadHold,
        lease,
        queueServerConcurrency,
        startOutageWait,
        migrateSchema,
        applicationName);
  }

  /** This configuration with another {@link #executorId}. */
  public EngineConfig withExecutorId(String id) {
    return new EngineConfig(
        id,
        applicationVersion,
        schema,
        resultPollInterval,
        threadHold,
        failoverLease,
        queueServerConcurrency,
        startOutageWait,
        migrateSchema,
        applicationName);
  }

  /** This configuration with another {@link #startOutageWait}. */
  public EngineConfig withStartOutageWait(Duration wait) {
    return new EngineConfig(
        executorId,
        applicationVersion,
        schema,
        resultPollInterval,
        threadHold,
        failoverLease,
        queueServerConcurrency,
        wait,
        migrateSchema,
        applicationName);
  }

  /** This configuration with another {@link #queueServerConcurrency}. */
  public EngineConfig withQueueServerConcurrency(int limit) {
    return new EngineConfig(
        executorId,
        applicationVersion,
        schema,
        resultPollInterval,
        threadHold,
        failoverLease,
        limit,
        startOutageWait,
        migrateSchema,
        applicationName);
  }

  /** This configuration with another {@link #migrateSchema}. */
  public EngineConfig withMigrateSchema(boolean migrate) {
    return new EngineConfig(
        executorId,
        applicationVersion,
        schema,
        resultPollInterval,
        threadHold,
        failoverLease,
        queueServerConcurrency,
        startOutageWait,
        migrate,
        applicationName);
  }

  /** This configuration with another {@link #applicationName}. */
  public EngineConfig withApplicationName(String name) {
    return new EngineConfig(
        executorId,
        applicationVersion,
        schema,
        resultPollInterval,
        threadHold,
        failoverLease,
        queueServerConcurrency,
        startOutageWait,
        migrateSchema,
        name);
  }

  private static void requireText(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
  }
}
