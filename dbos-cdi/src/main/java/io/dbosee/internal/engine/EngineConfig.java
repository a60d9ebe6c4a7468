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
 * @param maxHeldWaits how many durable waits may keep their thread at once (each for at most the
 *     {@link #threadHold}); beyond that a wait parks at once, so that a burst of workflows waiting
 *     together holds this many threads instead of one each; 0: every wait that can park parks at
 *     once
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
    String applicationName,
    int maxHeldWaits) {

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

  /** The default {@link #maxHeldWaits}. */
  public static final int DEFAULT_MAX_HELD_WAITS = 16;

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
    if (maxHeldWaits < 0) {
      throw new IllegalArgumentException(
          "maxHeldWaits must be zero (every wait parks at once) or more, got " + maxHeldWaits);
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
        null,
        DEFAULT_MAX_HELD_WAITS);
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
    return toBuilder().threadHold(hold).build();
  }

  /** This configuration with another {@link #failoverLease}. */
  public EngineConfig withFailoverLease(Duration lease) {
    return toBuilder().failoverLease(lease).build();
  }

  /** This configuration with another {@link #executorId}. */
  public EngineConfig withExecutorId(String id) {
    return toBuilder().executorId(id).build();
  }

  /** This configuration with another {@link #startOutageWait}. */
  public EngineConfig withStartOutageWait(Duration wait) {
    return toBuilder().startOutageWait(wait).build();
  }

  /** This configuration with another {@link #queueServerConcurrency}. */
  public EngineConfig withQueueServerConcurrency(int limit) {
    return toBuilder().queueServerConcurrency(limit).build();
  }

  /** This configuration with another {@link #migrateSchema}. */
  public EngineConfig withMigrateSchema(boolean migrate) {
    return toBuilder().migrateSchema(migrate).build();
  }

  /** This configuration with another {@link #applicationName}. */
  public EngineConfig withApplicationName(String name) {
    return toBuilder().applicationName(name).build();
  }

  /** This configuration with another {@link #maxHeldWaits}. */
  public EngineConfig withMaxHeldWaits(int max) {
    return toBuilder().maxHeldWaits(max).build();
  }

  /** A builder holding this configuration's values, to change some of them. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Collects the values of a configuration to change; {@link #build} validates them. The withers
   * use it, so that adding a setting touches one constructor call instead of one per wither.
   */
  public static final class Builder {
    private String executorId;
    private String applicationVersion;
    private String schema;
    private Duration resultPollInterval;
    private Duration threadHold;
    private Duration failoverLease;
    private int queueServerConcurrency;
    private Duration startOutageWait;
    private boolean migrateSchema;
    private String applicationName;
    private int maxHeldWaits;

    private Builder(EngineConfig from) {
      executorId = from.executorId;
      applicationVersion = from.applicationVersion;
      schema = from.schema;
      resultPollInterval = from.resultPollInterval;
      threadHold = from.threadHold;
      failoverLease = from.failoverLease;
      queueServerConcurrency = from.queueServerConcurrency;
      startOutageWait = from.startOutageWait;
      migrateSchema = from.migrateSchema;
      applicationName = from.applicationName;
      maxHeldWaits = from.maxHeldWaits;
    }

    public Builder executorId(String id) {
      executorId = id;
      return this;
    }

    public Builder resultPollInterval(Duration interval) {
      resultPollInterval = interval;
      return this;
    }

    public Builder threadHold(Duration hold) {
      threadHold = hold;
      return this;
    }

    public Builder failoverLease(Duration lease) {
      failoverLease = lease;
      return this;
    }

    public Builder queueServerConcurrency(int limit) {
      queueServerConcurrency = limit;
      return this;
    }

    public Builder startOutageWait(Duration wait) {
      startOutageWait = wait;
      return this;
    }

    public Builder migrateSchema(boolean migrate) {
      migrateSchema = migrate;
      return this;
    }

    public Builder applicationName(String name) {
      applicationName = name;
      return this;
    }

    public Builder maxHeldWaits(int max) {
      maxHeldWaits = max;
      return this;
    }

    /** The configuration; throws {@link IllegalArgumentException} for a value out of range. */
    public EngineConfig build() {
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
          applicationName,
          maxHeldWaits);
    }
  }

  private static void requireText(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
  }
}
