package io.dbosee.internal.errors;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Owns every error code of the library, at deployment and at run time, with a one-line title: the
 * one place to look a code up, and the one place a message gets its {@code [DBOS-CDI-nnn]} prefix,
 * so that users can search logs and the documentation ({@code docs/reference/errors.md}, kept in
 * step by a test) for it.
 *
 * <pre>{@code
 * problems.add(ErrorCode.NOT_PUBLIC.message(where + " is annotated @Step but is not public. ..."));
 * throw ErrorCode.STARTUP_FAILED.illegalState("DBOS could not prepare the system database: ...", e);
 * throw ErrorCode.PAYLOAD_TOO_LARGE.exception(DBOSSerializationException::new, text, null);
 * }</pre>
 *
 * <p>A code is never reused for another situation, and one situation has one code wherever it is
 * reported. The text after the prefix says what is wrong, where, and what to do.
 */
public enum ErrorCode {
  // Deployment: durable methods and their beans.
  NOT_PUBLIC("DBOS-CDI-001", "a @Workflow, @Step or @Transaction method is not public"),
  STATIC_METHOD("DBOS-CDI-002", "a @Workflow, @Step or @Transaction method is static"),
  FINAL_METHOD("DBOS-CDI-003", "a @Workflow, @Step or @Transaction method is final"),
  WRONG_SCOPE("DBOS-CDI-004", "@Workflow methods on a bean that is not @ApplicationScoped"),
  DUPLICATE_WORKFLOW("DBOS-CDI-005", "two workflows of one class share a name"),
  WORKFLOW_AND_STEP("DBOS-CDI-006", "a method has more than one of @Workflow, @Step, @Transaction"),
  INCOMPATIBLE_TRANSACTIONAL(
      "DBOS-CDI-007", "a @Transactional incompatible with a workflow or step"),
  INVALID_CONFIG("DBOS-CDI-008", "an invalid configuration value"),
  SELF_CALL("DBOS-CDI-009", "a workflow calls its own durable method through 'this'"),
  NO_SYSTEM_DATABASE("DBOS-CDI-010", "no (or two) system databases configured, or none bound"),
  NO_EXECUTOR("DBOS-CDI-011", "no managed (scheduled) executor at the configured JNDI name"),
  SHARED_WORKFLOW_METHOD(
      "DBOS-CDI-012", "one inherited workflow method shared by two bean classes"),
  FINAL_CLASS("DBOS-CDI-013", "a class with durable methods is final"),
  STARTUP_FAILED("DBOS-CDI-014", "the system database or the schedules could not be prepared"),
  CLASS_LEVEL("DBOS-CDI-015", "@Workflow, @Step or @Transaction on a class instead of its methods"),
  TRANSACTION_AND_TRANSACTIONAL("DBOS-CDI-016", "@Transaction together with @Transactional"),
  NO_TRANSACTION_SUPPORT(
      "DBOS-CDI-017", "transaction steps without the dbos-jpa-datasource module"),
  NO_APPLICATION_DATABASE("DBOS-CDI-018", "@Transaction methods without an application database"),

  // Deployment: queues and schedules.
  CONFLICTING_QUEUE("DBOS-CDI-020", "one queue declared twice with different values"),
  UNKNOWN_QUEUE("DBOS-CDI-021", "a queue is named but not declared"),
  INVALID_QUEUE("DBOS-CDI-022", "a queue's limits are invalid or inconsistent"),
  INVALID_CRON("DBOS-CDI-030", "an invalid cron expression on a @Scheduled workflow"),
  SCHEDULED_SIGNATURE(
      "DBOS-CDI-031", "a @Scheduled method that is not a (Instant, Instant) workflow"),
  INVALID_TIME_ZONE("DBOS-CDI-032", "an unknown time zone on a @Scheduled workflow"),
  DUPLICATE_SCHEDULE("DBOS-CDI-033", "two @Scheduled workflows with one schedule name"),

  // Start of the web application: the admin endpoints.
  INVALID_ADMIN_PATH("DBOS-CDI-040", "dbos.admin.path is not a plain path"),
  EMPTY_ADMIN_ROLE("DBOS-CDI-041", "dbos.admin.role is empty"),

  RESERVED_QUEUE("DBOS-CDI-050", "a queue named _dbos_internal_queue, a name DBOS reserves"),

  // Warnings at start: tracing is off.
  AMBIGUOUS_OPENTELEMETRY(
      "DBOS-CDI-060", "several OpenTelemetry beans, so workflows are not traced"),
  UNUSABLE_OPENTELEMETRY("DBOS-CDI-061", "the OpenTelemetry bean cannot be used, so no tracing"),

  // Run time: bad input and code that changed under recorded workflows.
  UNSTORABLE_TEXT(
      "DBOS-CDI-070", "a text value contains a character PostgreSQL cannot store (NUL)"),
  PAYLOAD_TOO_LARGE("DBOS-CDI-071", "a value's JSON is longer than the recording limit"),
  UNREADABLE_STEP_OUTPUT("DBOS-CDI-072", "a recorded step output cannot be read back on replay"),
  UNREADABLE_WORKFLOW_INPUTS("DBOS-CDI-073", "a workflow's recorded inputs cannot be read"),
  UNREGISTERED_WORKFLOW("DBOS-CDI-074", "a pending workflow that no bean of this application has"),
  SCHEDULE_ON_UNDECLARED_QUEUE("DBOS-CDI-075", "a stored schedule enqueues on an undeclared queue"),
  START_OUTAGE("DBOS-CDI-076", "a start or enqueue gave up waiting for the system database"),
  FOREIGN_MIGRATION_NUMBER(
      "DBOS-CDI-077", "the system database is at a number of another DBOS SDK's own history"),
  SCHEMA_NOT_MIGRATED(
      "DBOS-CDI-078",
      "the system database schema is not migrated and migrations at startup are switched off"),
  MIGRATE_COMMAND_FAILED("DBOS-CDI-079", "the migration command could not migrate the schema"),
  MISSING_PAYLOAD(
      "DBOS-CDI-080", "a workflow's recorded inputs or output are gone from the system database"),
  PARTITION_LIMIT_UNPARTITIONED(
      "DBOS-CDI-081", "a partition limit on a queue that is not partitioned"),
  INVALID_PARTITION_LIMIT("DBOS-CDI-082", "a queue's partition limits are invalid or inconsistent"),
  PARTITIONED_WITHOUT_PARTITION_LIMITS(
      "DBOS-CDI-083", "a partitioned queue without partition limits (a warning)"),

  // Run time: debouncing.
  DEBOUNCE_KEY("DBOS-CDI-085", "a debounce key that is null or empty"),
  DEBOUNCE_PERIOD("DBOS-CDI-086", "a debounce period that is zero, negative or too long"),
  DEBOUNCE_TIMEOUT("DBOS-CDI-087", "a debounce timeout that is zero, negative or too long"),
  DEBOUNCE_IN_WORKFLOW("DBOS-CDI-088", "a debounce called in a workflow, outside a step"),
  // Deployment: transaction steps on several application databases.
  UNKNOWN_DATASOURCE("DBOS-CDI-089", "a @Transaction step names a datasource not configured"),
  DATASOURCE_WITHOUT_JNDI_NAME(
      "DBOS-CDI-090", "dbos.datasource.\"<name>\" keys without that datasource's jndi-name"),
  // Deployment: several applications on one system database.
  INVALID_APPLICATION_NAME("DBOS-CDI-091", "an application name that is empty or too long"),
  QUEUE_OF_ANOTHER_APPLICATION(
      "DBOS-CDI-092", "a declared queue's name is registered by another application"),
  FUTURE_RETURN_TYPE(
      "DBOS-CDI-093",
      "a durable method returns a future the library cannot record (a step's, or not a stage)"),
  // The transactional outbox: starts, enqueues and sends inside a caller's JTA transaction.
  OUTBOX_NOT_CONFIGURED(
      "DBOS-CDI-097", "a start, enqueue or send inside a transaction it cannot join"),
  OUTBOX_DATASOURCE_NOT_BOUND(
      "DBOS-CDI-098", "the outbox DataSource is not bound, or set in a server without JTA"),
  OUTBOX_DATASOURCE_ELSEWHERE(
      "DBOS-CDI-099", "the outbox DataSource does not reach the system database, transactionally"),
  RESULT_BEFORE_COMMIT(
      "DBOS-CDI-100", "the status or result of a workflow whose start has not committed yet"),

  // The dbos-jpa-datasource module.
  JPA_RESOURCE_NOT_BOUND("DBOS-JPA-001", "the application DataSource or JTA is not available"),
  JPA_OUTCOME_TABLE_NOT_CREATED("DBOS-JPA-002", "datasource_outputs could not be created"),
  JPA_UNKNOWN_DATASOURCE(
      "DBOS-JPA-003", "a programmatic transaction step names a datasource not configured"),
  JPA_LEGACY_OUTCOME_TABLE(
      "DBOS-JPA-004", "tx_step_outputs is still in use beside datasource_outputs (a warning)");

  private final String code;
  private final String title;

  ErrorCode(String code, String title) {
    this.code = code;
    this.title = title;
  }

  /** The stable id, such as {@code DBOS-CDI-001}. */
  public String code() {
    return code;
  }

  /** What the code is about, in one line (the documentation says what to do). */
  public String title() {
    return title;
  }

  /**
   * {@code detail} prefixed with {@code [<code>] }. Also fit for a {@code java.util.logging}
   * pattern: the prefix holds no braces or quotes.
   */
  public String message(String detail) {
    return "[" + code + "] " + detail;
  }

  /** Whether {@code t}'s message carries this code (it was made by {@link #message}). */
  public boolean marks(Throwable t) {
    return t.getMessage() != null && t.getMessage().startsWith(message(""));
  }

  public IllegalStateException illegalState(String detail) {
    return new IllegalStateException(message(detail));
  }

  public IllegalStateException illegalState(String detail, Throwable cause) {
    return new IllegalStateException(message(detail), cause);
  }

  public IllegalArgumentException illegalArgument(String detail) {
    return new IllegalArgumentException(message(detail));
  }

  /**
   * An exception of the caller's type with the coded message, for the library's own exception
   * types: {@code ErrorCode.START_OUTAGE.exception(DBOSSystemDatabaseException::new, text, e)}.
   */
  public <E extends Throwable> E exception(
      BiFunction<String, Throwable, E> constructor, String detail, Throwable cause) {
    return constructor.apply(message(detail), cause);
  }

  /**
   * The code whose prefix {@code message} starts with, if any: such a message already says what to
   * do, so a caller wrapping it need not add generic advice.
   */
  public static Optional<ErrorCode> prefixOf(String message) {
    return message == null
        ? Optional.empty()
        : Arrays.stream(values()).filter(e -> message.startsWith("[" + e.code + "] ")).findFirst();
  }

  /** The entry of {@code code} ({@code "DBOS-CDI-001"}), if the registry has it. */
  public static Optional<ErrorCode> of(String code) {
    return Arrays.stream(values()).filter(e -> e.code.equals(code)).findFirst();
  }
}
