package io.dbosee.internal.engine.db;

import io.dbosee.DBOSConflictingWorkflowException;
import io.dbosee.DBOSNonExistentWorkflowException;
import io.dbosee.DBOSSystemDatabaseException;
import io.dbosee.ListWorkflowsInput;
import io.dbosee.StepInfo;
import io.dbosee.WorkflowState;
import io.dbosee.WorkflowStatus;
import io.dbosee.internal.errors.ErrorCode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The operators' reads and writes of the system database: listing workflows and their steps,
 * forking, deleting, garbage collection and taking over another executor's workflows. Every method
 * is one statement, or one transaction, so an operation is never half done.
 *
 * <p>A workflow's payloads are read from where their writer put them ({@link Payloads}); a fork
 * writes them as current writers do. The payload tables and {@code operation_outputs} have no
 * foreign key to the status row (since 112), so a delete removes their rows itself; the other
 * tables of a workflow still follow its status row by their cascading foreign keys.
 */
public final class ManagementDatabase {
  private final DataSource dataSource;
  private final String schema;
  private final String status;
  private final String operations;
  private final String inputs;
  private final String outputs;

  /** The application this server acts for ({@link ApplicationScope}), or null. */
  private final String applicationName;

  public ManagementDatabase(DataSource dataSource, String schema) {
    this(dataSource, schema, null);
  }

  /**
   * @param applicationName the application this server acts for, or null: its take-over moves only
   *     its own and unclaimed workflows
   */
  public ManagementDatabase(DataSource dataSource, String schema, String applicationName) {
    this.applicationName = applicationName;
    this.dataSource = dataSource;
    this.schema = schema;
    this.status = "\"" + schema + "\".workflow_status";
    this.operations = "\"" + schema + "\".operation_outputs";
    this.inputs = "\"" + schema + "\".workflow_input";
    this.outputs = "\"" + schema + "\".workflow_output";
  }

  /** The tables whose rows of a workflow no foreign key removes with its status row. */
  private List<String> unchainedTables() {
    return List.of(operations, inputs, outputs);
  }

  /** The workflows {@code input} selects; {@code queuedOnly}: only active ones on a queue. */
  public List<WorkflowStatus> listWorkflows(ListWorkflowsInput input, boolean queuedOnly) {
    // A payload table is joined only when its payload is loaded: a light listing costs what it
    // did before the payloads had tables of their own.
    StringBuilder sql =
        new StringBuilder("SELECT ws.workflow_uuid, ws.status, ws.name, ws.class_name,")
            .append(" ws.config_name, ws.executor_id, ws.application_version,")
            .append(" ws.recovery_attempts, ws.parent_workflow_id, ws.created_at, ws.updated_at,")
            .append(" ws.queue_name, ws.serialization, ws.workflow_timeout_ms,")
            .append(" ws.workflow_deadline_epoch_ms, ws.started_at_epoch_ms, ws.completed_at,")
            .append(" ws.deduplication_id, ws.priority, ws.queue_partition_key, ws.forked_from,")
            .append(" ws.authenticated_user, ws.application_name, ")
            .append(input.loadInput() ? Payloads.inputs("ws") : "NULL AS inputs")
            .append(", ")
            .append(input.loadOutput() ? Payloads.outcome("ws") : "NULL AS output, NULL AS error")
            .append(" FROM ")
            .append(status)
            .append(" ws");
    if (input.loadInput()) {
      sql.append(Payloads.inputJoin(quotedSchema(), "ws"));
    }
    if (input.loadOutput()) {
      sql.append(Payloads.outputJoin(quotedSchema(), "ws"));
    }
    List<Object> parameters = new ArrayList<>();
    where(sql, parameters, input, queuedOnly);
    String direction = input.sortDescending() ? " DESC" : "";
    sql.append(" ORDER BY ws.created_at")
        .append(direction)
        .append(", ws.workflow_uuid")
        .append(direction);
    if (input.limit() != null) {
      sql.append(" LIMIT ?");
      parameters.add(input.limit().longValue());
    }
    if (input.offset() != null) {
      sql.append(" OFFSET ?");
      parameters.add(input.offset().longValue());
    }
    try (Connection c = connection();
        PreparedStatement ps = c.prepareStatement(sql.toString())) {
      bind(c, ps, parameters);
      List<WorkflowStatus> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(statusOf(rs));
        }
      }
      return rows;
    } catch (SQLException e) {
      throw failure("list workflows", e);
    }
  }

  /**
   * How many workflows of each status {@code input} selects when its statuses are left aside (its
   * limit and offset too): the counts a listing shows next to its status filter.
   */
  public Map<WorkflowState, Long> countByStatus(ListWorkflowsInput input) {
    StringBuilder sql =
        new StringBuilder("SELECT ws.status, count(*) FROM ").append(status).append(" ws");
    List<Object> parameters = new ArrayList<>();
    where(sql, parameters, input.withStatuses(List.of()), false);
    sql.append(" GROUP BY ws.status");
    Map<WorkflowState, Long> counts = new EnumMap<>(WorkflowState.class);
    try (Connection c = connection();
        PreparedStatement ps = c.prepareStatement(sql.toString())) {
      bind(c, ps, parameters);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          counts.put(WorkflowState.valueOf(rs.getString(1)), rs.getLong(2));
        }
      }
      return counts;
    } catch (SQLException e) {
      throw failure("count workflows by status", e);
    }
  }

  /** The WHERE clause of a listing: every filter of {@code input} but its paging. */
  private void where(
      StringBuilder sql, List<Object> parameters, ListWorkflowsInput input, boolean queuedOnly) {
    sql.append(" WHERE true");
    if (!input.workflowIds().isEmpty()) {
      sql.append(" AND ws.workflow_uuid = ANY (?)");
      parameters.add(input.workflowIds().toArray(String[]::new));
    }
    List<WorkflowState> statuses = input.statuses();
    if (queuedOnly && statuses.isEmpty()) {
      statuses = List.of(WorkflowState.ENQUEUED, WorkflowState.PENDING, WorkflowState.DELAYED);
    }
    if (!statuses.isEmpty()) {
      sql.append(" AND ws.status = ANY (?)");
      parameters.add(statuses.stream().map(Enum::name).toArray(String[]::new));
    }
    if (queuedOnly) {
      sql.append(" AND ws.queue_name IS NOT NULL");
    }
    applications(sql, parameters, input);
    equal(sql, parameters, "ws.name", input.name());
    equal(sql, parameters, "ws.queue_name", input.queueName());
    equal(sql, parameters, "ws.executor_id", input.executorId());
    equal(sql, parameters, "ws.application_version", input.applicationVersion());
    equal(sql, parameters, "ws.parent_workflow_id", input.parentWorkflowId());
    if (input.workflowIdPrefix() != null) {
      sql.append(" AND starts_with(ws.workflow_uuid, ?)");
      parameters.add(input.workflowIdPrefix());
    }
    if (input.startTime() != null) {
      sql.append(" AND ws.created_at >= ?");
      parameters.add(input.startTime().toEpochMilli());
    }
    if (input.endTime() != null) {
      sql.append(" AND ws.created_at <= ?");
      parameters.add(input.endTime().toEpochMilli());
    }
  }

  /** One workflow's full status, if it exists. */
  public Optional<WorkflowStatus> workflowStatus(String workflowId) {
    List<WorkflowStatus> found =
        listWorkflows(ListWorkflowsInput.ALL.withWorkflowIds(workflowId), false);
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
  }

  /**
   * Every operation the workflow recorded, in order.
   *
   * @throws DBOSNonExistentWorkflowException if no workflow has that id
   */
  public List<StepInfo> listSteps(String workflowId) {
    try (Connection c = connection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT w.workflow_uuid, o.function_id, o.function_name, o.output, o.error,"
                    + " o.child_workflow_id, o.started_at_epoch_ms, o.completed_at_epoch_ms,"
                    + " o.serialization FROM "
                    + status
                    + " w LEFT JOIN "
                    + operations
                    + " o ON o.workflow_uuid = w.workflow_uuid WHERE w.workflow_uuid = ?"
                    + " ORDER BY o.function_id")) {
      ps.setString(1, workflowId);
      List<StepInfo> steps = new ArrayList<>();
      boolean exists = false;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          exists = true;
          if (rs.getObject(2) != null) {
            steps.add(
                new StepInfo(
                    rs.getInt(2),
                    rs.getString(3),
                    rs.getString(4),
                    rs.getString(5),
                    rs.getString(6),
                    instant(rs, 7),
                    instant(rs, 8),
                    rs.getString(9)));
          }
        }
      }
      if (!exists) {
        throw new DBOSNonExistentWorkflowException(workflowId);
      }
      return steps;
    } catch (SQLException e) {
      throw failure("list the steps of workflow '" + workflowId + "'", e);
    }
  }

  /**
   * Copies workflow {@code workflowId} to a new PENDING workflow {@code newId} of {@code
   * executorId}, to run from position {@code startStep}: see {@link WorkflowFork}.
   *
   * @param applicationVersion the new workflow's version; null: the original's
   * @return the new workflow's row
   * @throws DBOSNonExistentWorkflowException if no workflow has {@code workflowId}
   * @throws DBOSConflictingWorkflowException if a workflow has {@code newId} already
   * @throws IllegalStateException ({@link ErrorCode#MISSING_PAYLOAD}) if the original's inputs are
   *     recorded nowhere any more; nothing is written
   */
  public WorkflowRow fork(
      String workflowId,
      int startStep,
      String newId,
      String applicationVersion,
      String executorId,
      long now) {
    try (Connection c = dataSource.getConnection()) {
      return WorkflowFork.write(
          c,
          schema,
          new WorkflowFork.Request(
              workflowId, startStep, newId, applicationVersion, executorId, now));
    } catch (SQLException e) {
      throw failure("fork workflow '" + workflowId + "'", e);
    }
  }

  /**
   * Deletes workflows with everything they recorded: their operations, inputs and outputs here,
   * their messages, events and streams by the foreign keys; with {@code children}, also every
   * workflow they started, at any depth. One statement.
   *
   * @return the ids deleted
   */
  public List<String> delete(String workflowId, boolean children) {
    String sql =
        children
            ? "WITH RECURSIVE tree(id) AS (SELECT workflow_uuid FROM "
                + status
                + " WHERE workflow_uuid = ? UNION SELECT w.workflow_uuid FROM "
                + status
                + " w JOIN tree ON w.parent_workflow_id = tree.id), "
                + deleting("workflow_uuid IN (SELECT id FROM tree)")
                + " SELECT workflow_uuid FROM gone"
            : "WITH " + deleting("workflow_uuid = ?") + " SELECT workflow_uuid FROM gone";
    try (Connection c = connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, workflowId);
      return strings(ps);
    } catch (SQLException e) {
      throw failure("delete workflow '" + workflowId + "'", e);
    }
  }

  /**
   * Deletes finished workflows (not PENDING, ENQUEUED or DELAYED) created before {@code cutoff},
   * and, with {@code keepRows}, those older than the newest {@code keepRows} workflows, with
   * everything they recorded, as {@link #delete} does; of this application's and unclaimed
   * workflows only. One statement.
   *
   * @return how many were deleted
   */
  public int garbageCollect(Instant cutoff, Integer keepRows) {
    // One application's retention never deletes another's history: only its own and unclaimed
    // workflows are deleted, and kept, as its listings show them.
    StringBuilder which =
        new StringBuilder("status NOT IN ('PENDING', 'ENQUEUED', 'DELAYED') AND ")
            .append(ApplicationScope.ownOrUnclaimed(""));
    List<Object> parameters = new ArrayList<>();
    parameters.add(applicationName);
    if (cutoff != null) {
      which.append(" AND created_at < ?");
      parameters.add(cutoff.toEpochMilli());
    }
    if (keepRows != null) {
      which
          .append(" AND created_at < (SELECT COALESCE(min(created_at), -1) FROM (SELECT created_at")
          .append(" FROM ")
          .append(status)
          .append(" WHERE ")
          .append(ApplicationScope.ownOrUnclaimed(""))
          .append(" ORDER BY created_at DESC LIMIT ?) newest)");
      parameters.add(applicationName);
      parameters.add(keepRows.longValue());
    }
    String sql = "WITH " + deleting(which.toString()) + " SELECT count(*) FROM gone";
    try (Connection c = connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      bind(c, ps, parameters);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (SQLException e) {
      throw failure("garbage-collect old workflows", e);
    }
  }

  /**
   * Makes this executor the owner of the PENDING workflows of {@code executorIds} that belong to
   * {@code applicationVersion}, so that its recovery runs them.
   *
   * @return the ids taken over
   */
  public List<String> takeOver(
      List<String> executorIds, String executorId, String applicationVersion, long now) {
    try (Connection c = connection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE "
                    + status
                    + " SET executor_id = ?, updated_at = ? WHERE status = 'PENDING' AND"
                    + " executor_id = ANY (?) AND executor_id <> ? AND application_version = ?"
                    + " AND "
                    + ApplicationScope.ownOrUnclaimed("")
                    + " RETURNING workflow_uuid")) {
      ps.setString(1, executorId);
      ps.setLong(2, now);
      ps.setArray(3, c.createArrayOf("text", executorIds.toArray()));
      ps.setString(4, executorId);
      ps.setString(5, applicationVersion);
      ApplicationScope.bind(ps, 6, applicationName);
      return strings(ps);
    } catch (SQLException e) {
      throw failure("take over the workflows of executors " + executorIds, e);
    }
  }

  /**
   * The number of the last migration applied to the schema, read with a statement that gives up
   * after {@code timeoutSeconds}; 0 when the schema has none yet.
   *
   * @throws DBOSSystemDatabaseException if the database cannot be reached or read
   */
  public int migrationVersion(int timeoutSeconds) {
    try (Connection c = connection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT COALESCE(max(version), 0) FROM \"" + schema + "\".dbos_migrations")) {
      ps.setQueryTimeout(timeoutSeconds);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (SQLException e) {
      throw failure("read the migration version", e);
    }
  }

  /**
   * The WITH items that delete the status rows {@code where} selects and, by their ids, the rows no
   * foreign key removes with them, as CTE {@code gone} (the ids deleted). One statement, so it all
   * commits together; the cascading foreign keys take the workflows' other rows.
   */
  private String deleting(String where) {
    StringBuilder with =
        new StringBuilder("gone AS (DELETE FROM ")
            .append(status)
            .append(" WHERE ")
            .append(where)
            .append(" RETURNING workflow_uuid)");
    int n = 0;
    for (String table : unchainedTables()) {
      with.append(", unchained")
          .append(n++)
          .append(" AS (DELETE FROM ")
          .append(table)
          .append(" WHERE workflow_uuid IN (SELECT workflow_uuid FROM gone))");
    }
    return with.toString();
  }

  private static List<String> strings(PreparedStatement ps) throws SQLException {
    List<String> ids = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
  }

  private String quotedSchema() {
    return "\"" + schema + "\"";
  }

  /**
   * Narrows a listing to applications as the DBOS SDKs do: the named ones, or by default this
   * application; unclaimed rows belong to every application. A listing by id is an identity read
   * and is narrowed only when it names applications.
   */
  private void applications(StringBuilder sql, List<Object> parameters, ListWorkflowsInput input) {
    if (input.allApplications()) {
      return;
    }
    if (!input.applicationNames().isEmpty()) {
      sql.append(" AND (ws.application_name IS NULL OR ws.application_name = ANY (?))");
      parameters.add(input.applicationNames().toArray(String[]::new));
    } else if (input.workflowIds().isEmpty() && applicationName != null) {
      sql.append(" AND (ws.application_name IS NULL OR ws.application_name = ?)");
      parameters.add(applicationName);
    }
  }

  private static void equal(StringBuilder sql, List<Object> parameters, String column, String v) {
    if (v != null) {
      sql.append(" AND ").append(column).append(" = ?");
      parameters.add(v);
    }
  }

  private static void bind(Connection c, PreparedStatement ps, List<Object> parameters)
      throws SQLException {
    for (int i = 0; i < parameters.size(); i++) {
      Object p = parameters.get(i);
      if (p instanceof String[] array) {
        ps.setArray(i + 1, c.createArrayOf("text", array));
      } else if (p instanceof Long l) {
        ps.setLong(i + 1, l);
      } else {
        ps.setString(i + 1, (String) p);
      }
    }
  }

  private static WorkflowStatus statusOf(ResultSet rs) throws SQLException {
    Long timeout = rs.getObject("workflow_timeout_ms", Long.class);
    return new WorkflowStatus(
        rs.getString("workflow_uuid"),
        WorkflowState.valueOf(rs.getString("status")),
        rs.getString("name"),
        rs.getString("class_name"),
        rs.getString("executor_id"),
        rs.getString("application_version"),
        rs.getLong("recovery_attempts"),
        rs.getString("parent_workflow_id"),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        Instant.ofEpochMilli(rs.getLong("updated_at")),
        rs.getString("config_name"),
        rs.getString("queue_name"),
        rs.getString("inputs"),
        rs.getString("output"),
        rs.getString("error"),
        rs.getString("serialization"),
        timeout == null ? null : Duration.ofMillis(timeout),
        instant(rs, "workflow_deadline_epoch_ms"),
        instant(rs, "started_at_epoch_ms"),
        instant(rs, "completed_at"),
        rs.getString("deduplication_id"),
        rs.getInt("priority"),
        rs.getString("queue_partition_key"),
        rs.getString("forked_from"),
        rs.getString("authenticated_user"),
        rs.getString("application_name"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Long millis = rs.getObject(column, Long.class);
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    Long millis = rs.getObject(column, Long.class);
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }

  private Connection connection() throws SQLException {
    return Sql.autoCommitted(dataSource);
  }

  private DBOSSystemDatabaseException failure(String what, SQLException e) {
    return Sql.failure(schema, what, e);
  }
}
