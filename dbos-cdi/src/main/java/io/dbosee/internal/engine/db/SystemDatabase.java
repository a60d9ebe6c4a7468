package io.dbosee.internal.engine.db;

import io.dbosee.DBOSSystemDatabaseException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import javax.sql.DataSource;

/**
 * The engine's reads and writes of the system database, each one statement in its own
 * auto-committed transaction: a step that is not replayed costs one insert, a workflow's start one
 * upsert and its end one update, and a replay reads every checkpoint in one query.
 *
 * <p>Pitfall: the DataSource must not enlist in JTA transactions (a container DataSource with
 * {@code transactional="false"}), or checkpoints would commit and roll back with application work.
 */
public final class SystemDatabase {
  private final DataSource dataSource;
  private final String schema;
  private final String readOperationsSql;
  private final String readWorkflowSql;
  private final String readRecordedSql;
  private final String pendingWorkflowsSql;

  /** The application this server acts for ({@link ApplicationScope}), or null. */
  private final String applicationName;

  /**
   * The columns of {@code workflow_status} that {@link #workflowRow} reads, besides the payloads;
   * with the payloads as migration 41 kept them in the row ({@code inputs, output, error}), they
   * are what a statement returns before {@link #rowColumns} and {@link #payloadJoins} read the
   * payloads from where they are.
   */
  static final String STATUS_COLUMNS =
      "workflow_uuid, status, name, class_name, config_name, executor_id,"
          + " application_version, recovery_attempts, serialization, queue_name,"
          + " parent_workflow_id, created_at, updated_at, workflow_deadline_epoch_ms";

  /** {@link #STATUS_COLUMNS} and the payload columns as the row holds them. */
  static final String ROW_COLUMNS = STATUS_COLUMNS + ", inputs, output, error";

  /**
   * The select list of a workflow row read from {@code alias} (a relation with {@link
   * #ROW_COLUMNS}) joined by {@link #payloadJoins}: the payloads from where their writer put them
   * ({@link Payloads}).
   */
  static String rowColumns(String alias) {
    return statusColumns(alias) + ", " + Payloads.columns(alias);
  }

  /** {@link #STATUS_COLUMNS}, each read from {@code alias}. */
  static String statusColumns(String alias) {
    StringBuilder columns = new StringBuilder();
    for (String column : STATUS_COLUMNS.split(",\\s*")) {
      columns.append(columns.length() == 0 ? "" : ", ").append(alias).append('.').append(column);
    }
    return columns.toString();
  }

  /** The joins {@link #rowColumns} reads the payloads through. */
  static String payloadJoins(String quotedSchema, String alias) {
    return Payloads.joins(quotedSchema, alias);
  }

  /** Checkpoint batches written at once; each takes one connection while it is written. */
  static final int CHECKPOINT_WRITERS = 2;

  private final CheckpointCommits checkpoints;
  private final CompletionCommits completions;
  private final StartCommits starts;

  /**
   * The outcome of {@link #initWorkflow}: the row as it now stands, and who created it; and, when
   * they were read with the row ({@link #readRecorded}), its recorded operations.
   *
   * @param operations every operation recorded, in position order, or null when not read yet
   */
  public record InitResult(
      WorkflowRow row,
      boolean inserted,
      boolean mayHaveOperations,
      List<RecordedOperation> operations) {

    /** As {@link #initWorkflow} finds it: only a row it did not insert may have operations. */
    public InitResult(WorkflowRow row, boolean inserted) {
      this(row, inserted, !inserted);
    }

    public InitResult(WorkflowRow row, boolean inserted, boolean mayHaveOperations) {
      this(row, inserted, mayHaveOperations, null);
    }
  }

  public SystemDatabase(DataSource dataSource, String schema) {
    this(dataSource, schema, null);
  }

  /**
   * @param applicationName the application this server acts for, or null ({@link ApplicationScope})
   */
  public SystemDatabase(DataSource dataSource, String schema, String applicationName) {
    this.dataSource = dataSource;
    this.schema = schema;
    this.applicationName = applicationName;
    this.checkpoints =
        new CheckpointCommits(
            dataSource, "\"" + schema + "\"", CHECKPOINT_WRITERS, applicationName);
    this.completions = new CompletionCommits(dataSource, "\"" + schema + "\"");
    this.starts = new StartCommits(dataSource, "\"" + schema + "\"", applicationName);
    String s = "\"" + schema + "\"";
    String operationColumns =
        "function_id, function_name, output, error, child_workflow_id, serialization";
    this.readOperationsSql =
        "SELECT "
            + operationColumns
            + " FROM "
            + s
            + ".operation_outputs WHERE workflow_uuid = ? ORDER BY function_id";
    this.readWorkflowSql =
        "SELECT "
            + rowColumns("ws")
            + " FROM "
            + s
            + ".workflow_status ws"
            + payloadJoins(s, "ws")
            + " WHERE ws.workflow_uuid = ?";
    this.readRecordedSql = readWorkflowSql + "; " + readOperationsSql;
    this.pendingWorkflowsSql =
        "SELECT "
            + rowColumns("ws")
            + " FROM "
            + s
            + ".workflow_status ws"
            + payloadJoins(s, "ws")
            + " WHERE ws.status = 'PENDING' AND ws.executor_id = ? AND"
            + " ws.application_version = ? AND "
            // executor_id is "local" by default, the same in every application.
            + ApplicationScope.ownOrUnclaimed("ws")
            + " ORDER BY ws.created_at";
  }

  public String schema() {
    return schema;
  }

  /**
   * Inserts a PENDING row for a new workflow, or finds the existing one; a restart of a PENDING
   * workflow by its own executor counts one more attempt. Returns once the row is committed;
   * concurrent workflows' starts share a commit ({@link StartCommits}).
   *
   * @param deadlineEpochMs when it is cancelled if still running, or null
   */
  public InitResult initWorkflow(NewWorkflow workflow, Long deadlineEpochMs) {
    try {
      return starts.start(new StartCommits.Start(workflow, deadlineEpochMs));
    } catch (SQLException e) {
      throw failure("start workflow '" + workflow.workflowId() + "'", e);
    }
  }

  /**
   * As {@link #initWorkflow(NewWorkflow, Long)}, on {@code c}: in a caller's transaction, the row
   * commits (or rolls back) with it.
   */
  public InitResult initWorkflow(Connection c, NewWorkflow workflow, Long deadlineEpochMs) {
    try {
      return starts.startOn(c, new StartCommits.Start(workflow, deadlineEpochMs));
    } catch (SQLException e) {
      throw failure("start workflow '" + workflow.workflowId() + "'", e);
    }
  }

  /**
   * Records an operation's outcome unless one is already recorded at that position, and returns
   * once it is committed. Concurrent workflows' checkpoints share a commit ({@link
   * CheckpointCommits}).
   *
   * <p>With {@link Checkpoint#readStatus}, the workflow's row is read with it: if it was cancelled
   * or taken over by another server, the listeners of {@link #onCancelledWorkflow} and {@link
   * #onWorkflowOwner} are told before this returns.
   *
   * @return empty when this call recorded it; the row recorded first otherwise (another execution
   *     of the same workflow got there first, and its outcome is the one that counts)
   */
  public Optional<RecordedOperation> recordOperation(Checkpoint checkpoint) {
    try {
      return checkpoints.record(checkpoint);
    } catch (SQLException e) {
      throw failure(
          "checkpoint step #"
              + checkpoint.functionId()
              + " of workflow '"
              + checkpoint.workflowId()
              + "'",
          e);
    }
  }

  /**
   * Tells {@code listener} which server a workflow's row names as its runner when one of its
   * checkpoints finds it is not {@code executorId} (this server): it was taken over.
   */
  public void onWorkflowOwner(String executorId, BiConsumer<String, String> listener) {
    checkpoints.onOwner(executorId, listener);
  }

  /**
   * Tells {@code listener} the id of a running workflow whose checkpoint found it CANCELLED (by
   * another server, or a tool writing the database), so that it stops at its next step. Only
   * checkpoints recorded with {@code readStatus} look.
   */
  public void onCancelledWorkflow(Consumer<String> listener) {
    checkpoints.onCancelled(listener);
  }

  /**
   * Tells {@code listener} how many checkpoints each commit of {@link #recordOperation} wrote
   * together (null: nobody).
   */
  public void onCheckpointsCommitted(IntConsumer listener) {
    checkpoints.onCommitted(listener);
  }

  /**
   * A recorded workflow's row and every operation it recorded, in one round trip (two queries sent
   * together): what a workflow resumed after a wait needs to replay up to where it was.
   */
  public Optional<InitResult> readRecorded(String workflowId) {
    try (Connection c = connection();
        PreparedStatement ps = c.prepareStatement(readRecordedSql)) {
      ps.setString(1, workflowId);
      ps.setString(2, workflowId);
      ps.execute();
      WorkflowRow row;
      try (ResultSet rs = ps.getResultSet()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        row = workflowRow(rs);
      }
      List<RecordedOperation> operations = new ArrayList<>();
      if (!ps.getMoreResults()) {
        throw new SQLException("the driver returned no checkpoints with the workflow's row");
      }
      try (ResultSet rs = ps.getResultSet()) {
        while (rs.next()) {
          operations.add(operation(rs));
        }
      }
      return Optional.of(new InitResult(row, false, true, operations));
    } catch (SQLException e) {
      throw failure("read workflow '" + workflowId + "' and its checkpoints", e);
    }
  }

  /** Every operation a workflow recorded, in position order. */
  public List<RecordedOperation> readOperations(String workflowId) {
    return list(
        readOperationsSql,
        "read the checkpoints of workflow '" + workflowId + "'",
        SystemDatabase::operation,
        workflowId);
  }

  /**
   * Records a workflow's final status, output and error, if it is still PENDING; returns once it is
   * committed. Concurrent workflows' completions share a commit ({@link CompletionCommits}).
   *
   * @return whether the row was PENDING and is now final
   */
  public boolean finishWorkflow(String workflowId, FinalStatus outcome, long now) {
    try {
      return completions.finish(new CompletionCommits.Completion(workflowId, outcome, now));
    } catch (SQLException e) {
      throw failure("record the outcome of workflow '" + workflowId + "'", e);
    }
  }

  /** The workflow's row, if it exists. */
  public Optional<WorkflowRow> readWorkflow(String workflowId) {
    try (Connection c = connection()) {
      return readWorkflow(c, workflowId);
    } catch (SQLException e) {
      throw failure("read workflow '" + workflowId + "'", e);
    }
  }

  /** The workflow's row as {@code c} sees it (in a caller's transaction: with its own writes). */
  public Optional<WorkflowRow> readWorkflow(Connection c, String workflowId) {
    try (PreparedStatement ps = c.prepareStatement(readWorkflowSql)) {
      ps.setString(1, workflowId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(workflowRow(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw failure("read workflow '" + workflowId + "'", e);
    }
  }

  /**
   * Which of {@code workflowIds} are no longer this executor's to run: finished, cancelled (by a
   * client's SQL, say, which notifies nobody) or taken over by another executor.
   */
  public List<String> notRunningHere(Collection<String> workflowIds, String executorId) {
    return idsAmong(
        workflowIds,
        "status <> 'PENDING' OR executor_id IS DISTINCT FROM ?",
        executorId,
        "look at the status of the waiting workflows");
  }

  /** Which of {@code workflowIds} exist and have not finished (neither a result nor an error). */
  public List<String> unfinished(Collection<String> workflowIds) {
    return idsAmong(
        workflowIds,
        "status IN ('PENDING', 'ENQUEUED', 'DELAYED')",
        null,
        "look at the status of the workflows whose results are awaited");
  }

  /** Which of {@code workflowIds} have a row matching {@code condition} (with one parameter). */
  private List<String> idsAmong(
      Collection<String> workflowIds, String condition, String parameter, String what) {
    try (Connection c = connection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT workflow_uuid FROM "
                    + qualified("workflow_status")
                    + " WHERE workflow_uuid = ANY(?) AND ("
                    + condition
                    + ")")) {
      ps.setArray(1, c.createArrayOf("text", workflowIds.toArray()));
      if (parameter != null) {
        ps.setString(2, parameter);
      }
      List<String> ids = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
      return ids;
    } catch (SQLException e) {
      throw failure(what, e);
    }
  }

  /**
   * The PENDING workflows of one executor and application version that this application may recover
   * (its own and unclaimed ones), oldest first.
   */
  public List<WorkflowRow> pendingWorkflows(String executorId, String applicationVersion) {
    return list(
        pendingWorkflowsSql,
        "list the pending workflows of executor '" + executorId + "'",
        SystemDatabase::workflowRow,
        executorId,
        applicationVersion,
        applicationName);
  }

  private interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  private <T> List<T> list(String sql, String what, RowMapper<T> mapper, String... parameters) {
    try (Connection c = connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        ps.setString(i + 1, parameters[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        List<T> rows = new ArrayList<>();
        while (rs.next()) {
          rows.add(mapper.map(rs));
        }
        return rows;
      }
    } catch (SQLException e) {
      throw failure(what, e);
    }
  }

  private Connection connection() throws SQLException {
    return Sql.autoCommitted(dataSource);
  }

  private static RecordedOperation operation(ResultSet rs) throws SQLException {
    return new RecordedOperation(
        rs.getInt(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6));
  }

  static WorkflowRow workflowRow(ResultSet rs) throws SQLException {
    return new WorkflowRow(
        rs.getString("workflow_uuid"),
        rs.getString("status"),
        rs.getString("name"),
        rs.getString("class_name"),
        rs.getString("config_name"),
        rs.getString("executor_id"),
        rs.getString("application_version"),
        rs.getLong("recovery_attempts"),
        rs.getString("inputs"),
        rs.getString("output"),
        rs.getString("error"),
        rs.getString("serialization"),
        rs.getString("queue_name"),
        rs.getString("parent_workflow_id"),
        rs.getLong("created_at"),
        rs.getLong("updated_at"),
        rs.getObject("workflow_deadline_epoch_ms", Long.class),
        rs.getBoolean("outcome_missing"));
  }

  /**
   * Marks a workflow CANCELLED unless it has finished; a deduplication id it held is freed.
   *
   * @return the status it had, or empty when no workflow has that id
   */
  public Optional<String> cancelWorkflow(String workflowId, long now) {
    try (Connection c = connection();
        PreparedStatement ps =
            c.prepareStatement(
                "WITH before AS (SELECT status FROM "
                    + qualified("workflow_status")
                    + " WHERE workflow_uuid = ? FOR UPDATE), upd AS (UPDATE "
                    + qualified("workflow_status")
                    + " SET status = 'CANCELLED', deduplication_id = NULL, updated_at = ?"
                    + " WHERE workflow_uuid = ? AND status IN ('PENDING', 'ENQUEUED', 'DELAYED'))"
                    + " SELECT status FROM before")) {
      ps.setString(1, workflowId);
      ps.setLong(2, now);
      ps.setString(3, workflowId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw failure("cancel workflow '" + workflowId + "'", e);
    }
  }

  /**
   * Makes a CANCELLED, ERROR or MAX_RECOVERY_ATTEMPTS_EXCEEDED workflow runnable again on this
   * executor: PENDING, or ENQUEUED on its queue; its attempts start again from zero and its
   * deadline from its timeout.
   *
   * @return the row as it now stands, or empty when it was not in one of those states
   */
  public Optional<WorkflowRow> resumeWorkflow(
      String workflowId, String executorId, String applicationVersion, long now) {
    try (Connection c = connection();
        PreparedStatement ps =
            c.prepareStatement(
                "WITH ws AS (UPDATE "
                    + qualified("workflow_status")
                    + " SET status = CASE WHEN queue_name IS NULL THEN 'PENDING' ELSE 'ENQUEUED'"
                    + " END, executor_id = ?, application_version = ?, recovery_attempts = 0,"
                    + " started_at_epoch_ms = NULL, output = NULL, error = NULL, completed_at ="
                    + " NULL, updated_at = ?, workflow_deadline_epoch_ms = CASE WHEN queue_name"
                    + " IS NULL AND workflow_timeout_ms IS NOT NULL THEN ? + workflow_timeout_ms"
                    + " ELSE NULL END WHERE workflow_uuid = ? AND status IN ('CANCELLED', 'ERROR',"
                    + " 'MAX_RECOVERY_ATTEMPTS_EXCEEDED') RETURNING "
                    + ROW_COLUMNS
                    // Its earlier outcome goes: a reader must not take it for the new one's.
                    + "), gone AS (DELETE FROM "
                    + qualified("workflow_output")
                    + " wo USING ws WHERE wo.workflow_uuid = ws.workflow_uuid)"
                    + " SELECT "
                    + statusColumns("ws")
                    + ", "
                    + Payloads.inputs("ws")
                    + ", NULL AS output, NULL AS error, false AS outcome_missing FROM ws"
                    + Payloads.inputJoin("\"" + schema + "\"", "ws"))) {
      ps.setString(1, executorId);
      ps.setString(2, applicationVersion);
      ps.setLong(3, now);
      ps.setLong(4, now);
      ps.setString(5, workflowId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(workflowRow(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw failure("resume workflow '" + workflowId + "'", e);
    }
  }

  /**
   * Ends a PENDING workflow whose deadline has passed as CANCELLED, with its unfinished descendants
   * whose deadline (inherited, or their own) has passed too: they are not left PENDING when the
   * parent stops before it reaches them again.
   */
  public void cancelExpired(String workflowId, long now) {
    String table = qualified("workflow_status");
    try (Connection c = connection();
        PreparedStatement ps =
            c.prepareStatement(
                "WITH RECURSIVE tree AS (SELECT workflow_uuid FROM "
                    + table
                    + " WHERE workflow_uuid = ? UNION SELECT ws.workflow_uuid FROM "
                    + table
                    + " ws JOIN tree ON ws.parent_workflow_id = tree.workflow_uuid) UPDATE "
                    + table
                    + " SET status = 'CANCELLED', deduplication_id = NULL, updated_at = ?"
                    + " WHERE workflow_uuid IN (SELECT workflow_uuid FROM tree) AND status IN"
                    + " ('PENDING', 'ENQUEUED') AND (workflow_uuid = ? OR"
                    + " workflow_deadline_epoch_ms <= ?)")) {
      ps.setString(1, workflowId);
      ps.setLong(2, now);
      ps.setString(3, workflowId);
      ps.setLong(4, now);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw failure("cancel workflow '" + workflowId + "' at its deadline", e);
    }
  }

  private String qualified(String table) {
    return "\"" + schema + "\"." + table;
  }

  private DBOSSystemDatabaseException failure(String what, SQLException e) {
    return Sql.failure(schema, what, e);
  }
}
