package io.dbosee.internal.cdi;

import io.dbosee.internal.engine.EngineConfig;
import io.dbosee.internal.engine.db.SystemSchema;
import io.dbosee.internal.errors.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * Owns the keys that configure this server's DBOS runtime as a whole: the system database, the
 * executors, the application version and database, waits, failover, the queues' server-wide limit
 * and the scheduler switch. Read and validated once at deployment; invalid values are collected as
 * deployment problems naming the key, the value and what is allowed. Queues, schedules and
 * per-method overrides have their own classes ({@link QueueSettings}, {@link ScheduleSettings},
 * {@link MethodOverrides}).
 */
final class GlobalSettings {
  static final String DATASOURCE = "dbos.system-database.datasource";
  static final String URL = "dbos.system-database.url";
  static final String USER = "dbos.system-database.user";
  static final String PASSWORD = "dbos.system-database.password";
  static final String SCHEMA = "dbos.system-database.schema";
  static final String POOL_SIZE = "dbos.system-database.pool-size";
  static final String START_OUTAGE_WAIT = "dbos.system-database.start-outage-wait-seconds";
  static final String MIGRATE = "dbos.system-database.migrate";
  static final String EXECUTOR_ID = "dbos.executor-id";
  static final String APPLICATION_VERSION = "dbos.application-version";
  static final String APPLICATION_NAME = "dbos.application-name";
  static final String EXECUTOR_JNDI = "dbos.executor.jndi-name";
  static final String SELF_CALL_CHECK = "dbos.self-call-check";
  static final String APPLICATION_DATASOURCE = "dbos.application-database.datasource";
  static final String APPLICATION_SCHEMA = "dbos.application-database.schema";
  static final String SCHEDULES_ENABLED = "dbos.schedules.enabled";
  static final String SCHEDULES_POLLING = "dbos.schedules.polling-interval-seconds";
  static final String SCHEDULED_EXECUTOR_JNDI = "dbos.scheduled-executor.jndi-name";
  static final String THREAD_FACTORY_JNDI = "dbos.thread-factory.jndi-name";
  static final String THREAD_HOLD = "dbos.waits.thread-hold-seconds";
  static final String MAX_HELD_WAITS = "dbos.waits.max-held-threads";
  static final String FAILOVER_ENABLED = "dbos.failover.enabled";
  static final String FAILOVER_LEASE = "dbos.failover.lease-seconds";
  static final String QUEUE_SERVER_CONCURRENCY = "dbos.queues.server-concurrency";
  static final String OUTBOX_DATASOURCE = "dbos.outbox.datasource";
  static final String OUTBOX_MODE = "dbos.outbox.mode";

  static final String SCHEMA_NAME_RULE =
      "a plain SQL identifier: 1 to 63 ASCII letters, digits and underscores, starting"
          + " with a letter or an underscore and not with 'pg_'";

  static final String DEFAULT_EXECUTOR_JNDI = "java:comp/DefaultManagedExecutorService";
  static final String DEFAULT_SCHEDULED_EXECUTOR_JNDI =
      "java:comp/DefaultManagedScheduledExecutorService";
  static final String DEFAULT_THREAD_FACTORY_JNDI = "java:comp/DefaultManagedThreadFactory";

  enum SelfCallCheck {
    FAIL,
    WARN
  }

  private final ConfigValues values;
  private final Config config;
  private final List<String> problems;

  final Optional<String> datasource;
  final Optional<String> url;
  final Optional<String> user;
  final Optional<String> password;
  final String schema;

  /** Whether startup migrates the schema; false: it runs no DDL and only checks the number. */
  final boolean migrate;

  final int poolSize;
  final String executorId;
  final Optional<String> applicationVersion;

  /** The application this server acts for on a shared system database; null: none. */
  final String applicationName;

  final String executorJndiName;

  /** Where the URL mode's pool finds the server's managed thread factory. */
  final String threadFactoryJndiName;

  final SelfCallCheck selfCallCheck;
  final Optional<String> applicationDatasource;
  final String applicationSchema;
  final boolean schedulesEnabled;
  final Duration schedulesPollingInterval;
  final String scheduledExecutorJndiName;

  /** How long a durable wait keeps its thread before the workflow parks; null: always. */
  final Duration threadHold;

  final int maxHeldWaits;

  /** How long this server's lease lasts without renewal; null: no failover. */
  final Duration failoverLease;

  final int queueServerConcurrency;

  /** How long a start or enqueue outside a workflow waits for an unreachable system database. */
  final Duration startOutageWait;

  /**
   * The JNDI name of the transactional DataSource through which starts, enqueues and sends inside a
   * JTA transaction reach the system database (the transactional outbox); empty: none.
   */
  final Optional<String> outboxDatasource;

  /** Whether starts, enqueues and sends inside a JTA transaction commit on their own (opt-out). */
  final boolean outboxSeparate;

  GlobalSettings(ConfigValues values) {
    this.values = values;
    this.config = values.config();
    this.problems = values.problems();
    this.datasource = values.text(DATASOURCE);
    this.url = values.text(URL);
    this.user = values.text(USER);
    this.password = config.getOptionalValue(PASSWORD, String.class);
    this.schema = schemaName(SCHEMA);
    this.migrate = values.value(MIGRATE, Boolean.class, true, b -> true, "true or false");
    this.poolSize =
        values.value(POOL_SIZE, Integer.class, 10, n -> n >= 1, "an integer of at least 1");
    this.executorId =
        values.value(EXECUTOR_ID, String.class, "local", s -> !s.isBlank(), "not blank");
    this.applicationVersion = values.text(APPLICATION_VERSION);
    this.applicationName = applicationName();
    this.executorJndiName = values.text(EXECUTOR_JNDI).orElse(DEFAULT_EXECUTOR_JNDI);
    this.threadFactoryJndiName =
        values.text(THREAD_FACTORY_JNDI).orElse(DEFAULT_THREAD_FACTORY_JNDI);
    this.selfCallCheck = selfCallCheck();
    this.applicationDatasource = values.text(APPLICATION_DATASOURCE);
    this.applicationSchema = schemaName(APPLICATION_SCHEMA);
    this.schedulesEnabled =
        values.value(SCHEDULES_ENABLED, Boolean.class, true, b -> true, "true or false");
    this.schedulesPollingInterval =
        ConfigValues.seconds(
            values.value(
                SCHEDULES_POLLING,
                Double.class,
                1.0,
                d -> d > 0 && Double.isFinite(d),
                "a positive number of seconds"));
    this.scheduledExecutorJndiName =
        values.text(SCHEDULED_EXECUTOR_JNDI).orElse(DEFAULT_SCHEDULED_EXECUTOR_JNDI);
    this.threadHold = threadHold();
    this.maxHeldWaits =
        values.value(
            MAX_HELD_WAITS,
            Integer.class,
            EngineConfig.DEFAULT_MAX_HELD_WAITS,
            n -> n >= 0,
            "an integer, 0 (every wait parks at once) or more ("
                + EngineConfig.DEFAULT_MAX_HELD_WAITS
                + " by default)");
    this.failoverLease = failoverLease();
    this.queueServerConcurrency = queueServerConcurrency();
    this.startOutageWait = startOutageWait();
    this.outboxDatasource = values.text(OUTBOX_DATASOURCE);
    this.outboxSeparate = outboxSeparate();
    checkOneSystemDatabase();
  }

  private String schemaName(String key) {
    return values.value(key, String.class, "dbos", GlobalSettings::isSchemaName, SCHEMA_NAME_RULE);
  }

  /**
   * The application name, trimmed. Set but empty (MicroProfile Config reads an empty value as
   * unset, so the raw value is looked at) or longer than the limit is a deployment problem: a name
   * that is meant but lost would let this application run every other's work.
   */
  private String applicationName() {
    String raw = config.getConfigValue(APPLICATION_NAME).getRawValue();
    if (raw == null) {
      return null;
    }
    String name = raw.trim();
    if (name.isEmpty() || name.length() > EngineConfig.MAX_APPLICATION_NAME_LENGTH) {
      problems.add(
          ErrorCode.INVALID_APPLICATION_NAME.message(
              "The configuration value of "
                  + APPLICATION_NAME
                  + " ('"
                  + (name.length() > 200 ? name.substring(0, 200) + "..." : name)
                  + "', "
                  + name.length()
                  + " characters) is invalid: it must be 1 to "
                  + EngineConfig.MAX_APPLICATION_NAME_LENGTH
                  + " characters (leading and trailing spaces are ignored). Name this"
                  + " application, or remove the key to claim no application."));
      return null;
    }
    return name;
  }

  private SelfCallCheck selfCallCheck() {
    String check =
        values.value(
            SELF_CALL_CHECK, String.class, "fail", s -> parseCheck(s) != null, "'fail' or 'warn'");
    SelfCallCheck parsed = parseCheck(check);
    return parsed == null ? SelfCallCheck.FAIL : parsed;
  }

  private Duration threadHold() {
    double hold =
        values.value(
            THREAD_HOLD,
            Double.class,
            1.0,
            d -> Double.isFinite(d) && (d >= 0 || d == -1),
            "a number of seconds, 0 or more (or -1: waits never give their thread back)");
    return hold < 0 ? null : ConfigValues.seconds(hold);
  }

  private Duration failoverLease() {
    boolean failover =
        values.value(FAILOVER_ENABLED, Boolean.class, true, b -> true, "true or false");
    double lease =
        values.value(
            FAILOVER_LEASE,
            Double.class,
            30.0,
            d -> Double.isFinite(d) && d >= 0.01,
            "a number of seconds, at least 0.01 (30 by default)");
    return failover ? ConfigValues.seconds(lease) : null;
  }

  private int queueServerConcurrency() {
    return values.value(
        QUEUE_SERVER_CONCURRENCY,
        Integer.class,
        EngineConfig.DEFAULT_QUEUE_SERVER_CONCURRENCY,
        n -> n >= 0,
        "an integer, 0 (no limit) or more ("
            + EngineConfig.DEFAULT_QUEUE_SERVER_CONCURRENCY
            + " by default)");
  }

  private Duration startOutageWait() {
    return ConfigValues.seconds(
        values.value(
            START_OUTAGE_WAIT,
            Double.class,
            (double) EngineConfig.DEFAULT_START_OUTAGE_WAIT.toSeconds(),
            d -> Double.isFinite(d) && d >= 0,
            "a number of seconds, 0 (fail at once) or more ("
                + EngineConfig.DEFAULT_START_OUTAGE_WAIT.toSeconds()
                + " by default)"));
  }

  /**
   * {@code separate}: calls inside a transaction commit on their own, as before the outbox. With an
   * outbox DataSource as well, which one the user meant is a guess.
   */
  private boolean outboxSeparate() {
    String mode =
        values.value(
            OUTBOX_MODE,
            String.class,
            "atomic",
            m -> m.trim().equalsIgnoreCase("atomic") || m.trim().equalsIgnoreCase("separate"),
            "'atomic' (the default: starts, enqueues and sends inside a JTA transaction commit"
                + " with it) or 'separate' (they commit on their own, at once)");
    boolean separate = mode.trim().equalsIgnoreCase("separate");
    if (separate && outboxDatasource.isPresent()) {
      problems.add(
          ErrorCode.INVALID_CONFIG.message(
              OUTBOX_MODE
                  + "=separate and "
                  + OUTBOX_DATASOURCE
                  + "="
                  + outboxDatasource.get()
                  + " are both set, but an outbox DataSource is only used by calls that commit"
                  + " with the caller's transaction. Remove "
                  + OUTBOX_MODE
                  + " for atomic calls through that DataSource, or remove "
                  + OUTBOX_DATASOURCE
                  + " to let them commit on their own."));
    }
    return separate;
  }

  /** A container DataSource or a URL: with both, which one the user meant is a guess. */
  private void checkOneSystemDatabase() {
    if (datasource.isPresent() && url.isPresent()) {
      problems.add(
          ErrorCode.NO_SYSTEM_DATABASE.message(
              "Both "
                  + DATASOURCE
                  + " and "
                  + URL
                  + " are set; set only one: the JNDI name of a"
                  + " container DataSource, or a JDBC URL (with "
                  + USER
                  + " and "
                  + PASSWORD
                  + ")."));
    }
  }

  /** The engine's own rule, so that deployment refuses exactly what migration would. */
  static boolean isSchemaName(String name) {
    try {
      SystemSchema.quote(name);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static SelfCallCheck parseCheck(String s) {
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "fail" -> SelfCallCheck.FAIL;
      case "warn" -> SelfCallCheck.WARN;
      default -> null;
    };
  }
}
