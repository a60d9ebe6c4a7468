package io.dbosee.internal.cdi;

/**
 * The deployment problems this library reports, each with a stable id so that users can search for
 * it. Every message says what is wrong, where, and how to fix it.
 */
enum Problems {
  NOT_PUBLIC("DBOS-CDI-001"),
  STATIC_METHOD("DBOS-CDI-002"),
  FINAL_METHOD("DBOS-CDI-003"),
  WRONG_SCOPE("DBOS-CDI-004"),
  DUPLICATE_WORKFLOW("DBOS-CDI-005"),
  WORKFLOW_AND_STEP("DBOS-CDI-006"),
  INCOMPATIBLE_TRANSACTIONAL("DBOS-CDI-007"),
  INVALID_CONFIG("DBOS-CDI-008"),
  SELF_CALL("DBOS-CDI-009"),
  NO_SYSTEM_DATABASE("DBOS-CDI-010"),
  NO_EXECUTOR("DBOS-CDI-011"),
  SHARED_WORKFLOW_METHOD("DBOS-CDI-012"),
  FINAL_CLASS("DBOS-CDI-013"),
  STARTUP_FAILED("DBOS-CDI-014"),
  CLASS_LEVEL("DBOS-CDI-015"),
  TRANSACTION_AND_TRANSACTIONAL("DBOS-CDI-016"),
  NO_TRANSACTION_SUPPORT("DBOS-CDI-017"),
  NO_APPLICATION_DATABASE("DBOS-CDI-018"),
  CONFLICTING_QUEUE("DBOS-CDI-020"),
  UNKNOWN_QUEUE("DBOS-CDI-021"),
  INVALID_QUEUE("DBOS-CDI-022"),
  INVALID_CRON("DBOS-CDI-030"),
  SCHEDULED_SIGNATURE("DBOS-CDI-031"),
  INVALID_TIME_ZONE("DBOS-CDI-032"),
  DUPLICATE_SCHEDULE("DBOS-CDI-033"),
  RESERVED_QUEUE("DBOS-CDI-050");

  private final String id;

  Problems(String id) {
    this.id = id;
  }

  String message(String text) {
    return "[" + id + "] " + text;
  }

  IllegalStateException exception(String text) {
    return new IllegalStateException(message(text));
  }

  IllegalStateException exception(String text, Throwable cause) {
    return new IllegalStateException(message(text), cause);
  }
}
