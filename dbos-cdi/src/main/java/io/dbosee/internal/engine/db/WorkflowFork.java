package io.dbosee.internal.engine.db;

import io.dbosee.DBOSConflictingWorkflowException;
import io.dbosee.DBOSNonExistentWorkflowException;
import io.dbosee.internal.errors.ErrorCode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A fork: a copy of a workflow as a new PENDING workflow, with the operations (and the events and
 * stream values they wrote) recorded before the fork's step, so that running it replays those and
 * runs the rest. Its inputs, from wherever the original has them ({@link Payloads}), go to {@code
 * workflow_input}, as current writers put them. All in one transaction: a fork that fails writes
 * nothing.
 */
final class WorkflowFork {

  /**
   * What to fork.
   *
   * @param workflowId the original
   * @param startStep the position of the first operation the fork runs again
   * @param newId the fork's id
   * @param applicationVersion the fork's version; null: the original's
   * @param executorId the server that runs the fork
   * @param now epoch milliseconds
   */
  record Request(
      String workflowId,
      int startStep,
      String newId,
      String applicationVersion,
      String executorId,
      long now) {}

  private final Connection c;
  private final String schema;
  private final Request request;

  private WorkflowFork(Connection c, String schema, Request request) {
    this.c = c;
    this.schema = schema;
    this.request = request;
  }

  /**
   * Writes the fork on {@code c} (an open connection, in auto-commit) and returns its row.
   *
   * @throws DBOSNonExistentWorkflowException if no workflow has the original's id
   * @throws DBOSConflictingWorkflowException if a workflow has the new id already
   * @throws IllegalStateException ({@link ErrorCode#MISSING_PAYLOAD}) if the original's inputs are
   *     recorded nowhere any more
   */
  static WorkflowRow write(Connection c, String schema, Request request) throws SQLException {
    c.setAutoCommit(false);
    try {
      WorkflowRow row = new WorkflowFork(c, schema, request).copy();
      c.commit();
      return row;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  private WorkflowRow copy() throws SQLException {
    insertStatusRow();
    // No workflow had the new id until now, so rows under it in the tables without a foreign key
    // are what a delete left behind: they must not pass for the fork's steps or outcome.
    for (String table : new String[] {"operation_outputs", "workflow_output"}) {
      update("DELETE FROM " + table(table) + " WHERE workflow_uuid = ?", request.newId());
    }
    copyInputs();
    update(
        "INSERT INTO "
            + table("operation_outputs")
            + " (workflow_uuid, function_id, function_name, output, error, child_workflow_id,"
            + " started_at_epoch_ms, completed_at_epoch_ms, serialization, retention_timestamp,"
            + " application_name)"
            + " SELECT ?, function_id, function_name, output, error, child_workflow_id,"
            + " started_at_epoch_ms, completed_at_epoch_ms, serialization, ?, application_name"
            + " FROM "
            + table("operation_outputs")
            + " WHERE workflow_uuid = ? AND function_id < ?",
        request.newId(),
        request.now(),
        request.workflowId(),
        request.startStep());
    copyBeforeStart("workflow_events_history", "function_id, key, value, serialization");
    copyBeforeStart("streams", "key, value, \"offset\", function_id, serialization");
    // The events as they stood at the fork point: the last value each key had then.
    update(
        "INSERT INTO "
            + table("workflow_events")
            + " (workflow_uuid, key, value, serialization)"
            + " SELECT DISTINCT ON (key) workflow_uuid, key, value, serialization FROM "
            + table("workflow_events_history")
            + " WHERE workflow_uuid = ? ORDER BY key, function_id DESC",
        request.newId());
    update(
        "UPDATE "
            + table("workflow_status")
            + " SET was_forked_from = true WHERE workflow_uuid = ?",
        request.workflowId());
    return readRow();
  }

  /** The fork's row, a copy of the original's; refused when the new id is taken. */
  private void insertStatusRow() throws SQLException {
    int inserted =
        update(
            "INSERT INTO "
                + table("workflow_status")
                + " (workflow_uuid, status, name, class_name, config_name, authenticated_user,"
                + " assumed_role, authenticated_roles, executor_id, application_version,"
                + " application_id, serialization, workflow_timeout_ms, recovery_attempts,"
                + " created_at, updated_at, forked_from, priority, application_name)"
                + " SELECT ?, 'PENDING', name, class_name, config_name, authenticated_user,"
                + " assumed_role, authenticated_roles, ?, COALESCE(?, application_version),"
                + " application_id, serialization, workflow_timeout_ms, 0, ?, ?,"
                // A fork belongs to the original's application, as in the SDKs.
                + " workflow_uuid, 0, application_name FROM "
                + table("workflow_status")
                + " WHERE workflow_uuid = ? ON CONFLICT (workflow_uuid) DO NOTHING",
            request.newId(),
            request.executorId(),
            request.applicationVersion(),
            request.now(),
            request.now(),
            request.workflowId());
    if (inserted == 1) {
      return;
    }
    if (!exists(request.workflowId())) {
      throw new DBOSNonExistentWorkflowException(request.workflowId());
    }
    throw new DBOSConflictingWorkflowException(
        request.newId(),
        "Cannot fork workflow '"
            + request.workflowId()
            + "' to id '"
            + request.newId()
            + "': a workflow with that id exists. Choose another id, or none for a new UUID.");
  }

  /**
   * Writes the original's inputs, from its workflow_input row or else its status row, as the fork's
   * workflow_input row.
   *
   * @throws IllegalStateException ({@link ErrorCode#MISSING_PAYLOAD}) if neither has them
   */
  private void copyInputs() throws SQLException {
    int copied =
        update(
            "INSERT INTO "
                + table("workflow_input")
                + " (workflow_uuid, inputs, retention_timestamp) SELECT ?, p.inputs, ? FROM"
                + " (SELECT "
                + Payloads.inputs("ws")
                + " FROM "
                + table("workflow_status")
                + " ws"
                + Payloads.inputJoin(quotedSchema(), "ws")
                + " WHERE ws.workflow_uuid = ?) p WHERE p.inputs IS NOT NULL"
                + " ON CONFLICT (workflow_uuid) DO UPDATE SET inputs = EXCLUDED.inputs,"
                + " retention_timestamp = EXCLUDED.retention_timestamp",
            request.newId(),
            request.now(),
            request.workflowId());
    if (copied == 0) {
      throw ErrorCode.MISSING_PAYLOAD.illegalState(
          "Cannot fork workflow '"
              + request.workflowId()
              + "': its inputs are no longer recorded ("
              + table("workflow_input")
              + " has no row for it and its workflow_status row has none). A DBOS SDK's"
              + " retention, or a manual delete, removed them while the status row stayed; a fork"
              + " cannot run without them. Start the workflow again with its arguments instead."
              + " Nothing was written.");
    }
  }

  /** Copies the original's rows of {@code table} written before the fork's step. */
  private void copyBeforeStart(String table, String columns) throws SQLException {
    update(
        "INSERT INTO "
            + table(table)
            + " (workflow_uuid, "
            + columns
            + ") SELECT ?, "
            + columns
            + " FROM "
            + table(table)
            + " WHERE workflow_uuid = ? AND function_id < ?",
        request.newId(),
        request.workflowId(),
        request.startStep());
  }

  private boolean exists(String workflowId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT 1 FROM " + table("workflow_status") + " WHERE workflow_uuid = ?")) {
      ps.setString(1, workflowId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private WorkflowRow readRow() throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT "
                + SystemDatabase.rowColumns("ws")
                + " FROM "
                + table("workflow_status")
                + " ws"
                + SystemDatabase.payloadJoins(quotedSchema(), "ws")
                + " WHERE ws.workflow_uuid = ?")) {
      ps.setString(1, request.newId());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException("forked row vanished");
        }
        return SystemDatabase.workflowRow(rs);
      }
    }
  }

  /** Runs {@code sql} with {@code parameters} (strings, integers, longs) bound in order. */
  private int update(String sql, Object... parameters) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        ps.setObject(i + 1, parameters[i]);
      }
      return ps.executeUpdate();
    }
  }

  private String quotedSchema() {
    return "\"" + schema + "\"";
  }

  private String table(String name) {
    return quotedSchema() + "." + name;
  }
}
