package io.dbosee.internal.engine.db;

import io.dbosee.internal.engine.db.GroupCommit.Entry;
import io.dbosee.internal.engine.db.SystemDatabase.InitResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The start of a workflow: its PENDING row and its inputs, or the row found when it exists; and the
 * group commit of starts ({@link GroupCommit}): concurrent workflows' starts are written by one
 * statement in one transaction, as their checkpoints are, and each caller gets its own row back.
 *
 * <p>A batch that fails is retried row by row with the one-workflow statement, so that one bad row
 * fails only its own caller, and two starts of the same workflow in one batch (which one statement
 * cannot write) are written one after the other, as they would be alone.
 */
final class StartCommits {
  /** Batches written at once; each takes one connection while it is written. */
  static final int WRITERS = 2;

  /** A start: the row to write, and the deadline after which it is cancelled (or null). */
  record Start(NewWorkflow workflow, Long deadlineEpochMs) {}

  /** The columns a start writes, in the order of its values. */
  private static final String COLUMNS =
      "workflow_uuid, status, name, class_name, config_name, executor_id, application_version,"
          + " serialization, recovery_attempts, parent_workflow_id, created_at, updated_at,"
          + " workflow_timeout_ms, workflow_deadline_epoch_ms, creator_xid, application_name";

  /**
   * An existing row is returned as it is, except that a restart of a PENDING workflow by its own
   * executor counts one more attempt: only a start by the owning executor counts, so a caller on
   * another server that merely waits for the result does not use one up. {@code xmax = 0} only for
   * a row this statement inserted, so one round trip tells a new workflow from an existing one.
   */
  private static final String CONFLICT =
      " ON CONFLICT (workflow_uuid) DO UPDATE SET recovery_attempts ="
          + " ws.recovery_attempts + CASE WHEN ws.status = 'PENDING' AND ws.executor_id ="
          + " EXCLUDED.executor_id THEN 1 ELSE 0 END,"
          + " updated_at = CASE WHEN ws.status = 'PENDING' AND ws.executor_id ="
          + " EXCLUDED.executor_id THEN EXCLUDED.updated_at ELSE ws.updated_at END"
          + " RETURNING "
          + SystemDatabase.ROW_COLUMNS
          + ", (xmax = 0) AS inserted)";

  private final DataSource dataSource;
  private final String quotedSchema;
  private final String applicationName;
  private final String startOneSql;

  /**
   * The read-back shared by both statements: the payloads as every read takes them (of a row just
   * inserted they are not used; the final SELECT does not see the inputs {@code new_input} writes).
   */
  private final String readBack;

  private final GroupCommit<Start, InitResult> commits;

  private final StatementsBySize batchSql = new StatementsBySize(this::startSql);

  StartCommits(DataSource dataSource, String quotedSchema, String applicationName) {
    this.dataSource = dataSource;
    this.quotedSchema = quotedSchema;
    this.applicationName = applicationName;
    this.commits =
        new GroupCommit<>(
            "workflow start",
            WRITERS,
            GroupCommit.batchOrOneByOne(dataSource, this::writeBatch, this::writeOne));
    this.readBack =
        " SELECT "
            + SystemDatabase.rowColumns("ws")
            + ", ws.inserted FROM ws"
            + SystemDatabase.payloadJoins(quotedSchema, "ws");
    // One statement: the row and, for a new one, its inputs in their own table.
    this.startOneSql =
        "WITH ws AS (INSERT INTO "
            + quotedSchema
            + ".workflow_status AS ws ("
            + COLUMNS
            + ") VALUES (?, 'PENDING', ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, gen_random_uuid()::text,"
            + " ?)"
            + CONFLICT
            + ", new_input AS (INSERT INTO "
            + quotedSchema
            + ".workflow_input (workflow_uuid, inputs) SELECT workflow_uuid, ? FROM ws"
            + " WHERE inserted"
            + Payloads.REPLACE_LEFTOVER_INPUTS
            + ")"
            + readBack;
  }

  /** Starts a workflow, alone or with others; returns once its row is committed. */
  InitResult start(Start start) throws SQLException {
    return commits.submit(start);
  }

  /** Starts a workflow on {@code c}: in a caller's transaction, it commits (or not) with it. */
  InitResult startOn(Connection c, Start start) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(startOneSql)) {
      int n = bind(ps, 1, start);
      ps.setString(n, start.workflow().inputs());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new InitResult(SystemDatabase.workflowRow(rs), rs.getBoolean("inserted"));
      }
    }
  }

  private void writeBatch(Connection c, List<Entry<Start, InitResult>> batch) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(batchSql.forRows(batch.size()))) {
      int n = 1;
      for (Entry<Start, InitResult> e : batch) {
        n = bind(ps, n, e.item());
        ps.setString(n++, e.item().workflow().inputs());
      }
      Map<String, InitResult> started = new HashMap<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          WorkflowRow row = SystemDatabase.workflowRow(rs);
          started.put(row.workflowId(), new InitResult(row, rs.getBoolean("inserted")));
        }
      }
      for (Entry<Start, InitResult> e : batch) {
        InitResult mine = started.get(e.item().workflow().workflowId());
        if (mine != null) {
          e.succeed(mine);
        } else {
          e.fail(new SQLException("the start statement returned no row for this workflow"));
        }
      }
    }
  }

  private void writeOne(Entry<Start, InitResult> entry) {
    try (Connection c = Sql.autoCommitted(dataSource)) {
      entry.succeed(startOn(c, entry.item()));
    } catch (SQLException | RuntimeException e) {
      entry.fail(e);
    }
  }

  /** Binds a start's values but its inputs, from {@code first}; returns the next index. */
  private int bind(PreparedStatement ps, int first, Start start) throws SQLException {
    NewWorkflow workflow = start.workflow();
    int n = first;
    ps.setString(n++, workflow.workflowId());
    ps.setString(n++, workflow.name());
    ps.setString(n++, workflow.className());
    ps.setString(n++, null); // config_name: not used by this engine
    ps.setString(n++, workflow.executorId());
    ps.setString(n++, workflow.applicationVersion());
    ps.setString(n++, workflow.serialization());
    ps.setString(n++, workflow.parentWorkflowId());
    ps.setLong(n++, workflow.createdAt());
    ps.setLong(n++, workflow.createdAt());
    Sql.setLong(ps, n++, workflow.timeoutMs());
    Sql.setLong(ps, n++, start.deadlineEpochMs());
    ApplicationScope.bind(ps, n++, applicationName);
    return n;
  }

  /**
   * The statement starting {@code rows} workflows: their values as a table, inserted (or found)
   * together, the new ones' inputs written, every row read back.
   */
  private String startSql(int rows) {
    return "WITH v (workflow_uuid, name, class_name, config_name, executor_id,"
        + " application_version, serialization, parent_workflow_id, created_at,"
        + " updated_at, workflow_timeout_ms, workflow_deadline_epoch_ms, application_name,"
        + " inputs) AS (VALUES "
        + StatementsBySize.values(
            "(?::text, ?::text, ?::text, ?::text, ?::text, ?::text, ?::text, ?::text,"
                + " ?::bigint, ?::bigint, ?::bigint, ?::bigint, ?::text, ?::text)",
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows)
        + "), ws AS (INSERT INTO "
        + quotedSchema
        + ".workflow_status AS ws ("
        + COLUMNS
        + ") SELECT workflow_uuid, 'PENDING', name, class_name, config_name, executor_id,"
        + " application_version, serialization, 1, parent_workflow_id, created_at,"
        + " updated_at, workflow_timeout_ms, workflow_deadline_epoch_ms,"
        + " gen_random_uuid()::text, application_name FROM v"
        + CONFLICT
        + ", new_input AS (INSERT INTO "
        + quotedSchema
        + ".workflow_input (workflow_uuid, inputs) SELECT ws.workflow_uuid, v.inputs"
        + " FROM ws JOIN v ON v.workflow_uuid = ws.workflow_uuid WHERE ws.inserted"
        + Payloads.REPLACE_LEFTOVER_INPUTS
        + ")"
        + readBack;
  }
}
