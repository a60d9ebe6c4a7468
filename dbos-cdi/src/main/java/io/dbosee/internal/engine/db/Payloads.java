package io.dbosee.internal.engine.db;

/**
 * Where a workflow's payloads (its inputs, output and error) are read from, for every statement
 * that reads them: the one definition of the two shapes. Writers at migration 41 left them in the
 * status row ({@code workflow_status.inputs, output, error}); current writers (since migration 109)
 * put them in {@code workflow_input} and {@code workflow_output} and leave the row's columns NULL.
 * A read joins both tables ({@link #joins}, aliases {@code wi} and {@code wo}) and takes each
 * payload from its table when that has it, else from the row.
 *
 * <p>The payload tables have no foreign key to the status row, so another DBOS SDK's retention (or
 * a manual delete) can remove their rows while the status row stays. {@link #outcomeMissing} tells
 * that apart from a workflow that returned null.
 */
final class Payloads {
  /**
   * The conflict clause of an insert into {@code workflow_input} by the statement that has just
   * inserted the workflow's status row: a row already there is a leftover of a deleted workflow
   * with the same id (another SDK deleted its status row first), and must not pass for the new
   * workflow's inputs.
   */
  static final String REPLACE_LEFTOVER_INPUTS =
      " ON CONFLICT (workflow_uuid) DO UPDATE SET inputs = EXCLUDED.inputs,"
          + " retention_timestamp = EXCLUDED.retention_timestamp";

  private Payloads() {}

  /** Joins {@code workflow_input} as {@code wi} to the workflow rows of {@code alias}. */
  static String inputJoin(String quotedSchema, String alias) {
    return " LEFT JOIN "
        + quotedSchema
        + ".workflow_input wi ON wi.workflow_uuid = "
        + alias
        + ".workflow_uuid";
  }

  /** Joins {@code workflow_output} as {@code wo} to the workflow rows of {@code alias}. */
  static String outputJoin(String quotedSchema, String alias) {
    return " LEFT JOIN "
        + quotedSchema
        + ".workflow_output wo ON wo.workflow_uuid = "
        + alias
        + ".workflow_uuid";
  }

  /** Both joins: what {@link #columns} reads through. */
  static String joins(String quotedSchema, String alias) {
    return inputJoin(quotedSchema, alias) + outputJoin(quotedSchema, alias);
  }

  /** Column {@code inputs}, through {@link #inputJoin}. */
  static String inputs(String alias) {
    return "COALESCE(wi.inputs, " + alias + ".inputs) AS inputs";
  }

  /** Columns {@code output} and {@code error}, through {@link #outputJoin}. */
  static String outcome(String alias) {
    return "COALESCE(wo.output, "
        + alias
        + ".output) AS output, COALESCE(wo.error, "
        + alias
        + ".error) AS error";
  }

  /**
   * Column {@code outcome_missing}, through both joins: true for a SUCCESS or ERROR workflow whose
   * output and error are recorded nowhere. A workflow that returned null has a {@code
   * workflow_output} row (output NULL, or {@code 'null'}) or, written at 41, its inputs in its
   * status row: a writer at 41 kept every payload there, so a row with none of its own was written
   * in the current shape and has its outcome only in {@code workflow_output}.
   */
  static String outcomeMissing(String alias) {
    return "("
        + alias
        + ".status IN ('SUCCESS', 'ERROR') AND wo.workflow_uuid IS NULL AND "
        + alias
        + ".inputs IS NULL AND "
        + alias
        + ".output IS NULL AND "
        + alias
        + ".error IS NULL) AS outcome_missing";
  }

  /**
   * Every payload column {@link SystemDatabase#workflowRow} reads, through {@link #joins}: {@code
   * inputs, output, error, outcome_missing}.
   */
  static String columns(String alias) {
    return inputs(alias) + ", " + outcome(alias) + ", " + outcomeMissing(alias);
  }
}
