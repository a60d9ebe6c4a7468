package io.dbosee.internal.engine.db;

import io.dbosee.internal.engine.db.GroupCommit.Entry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Group commit of workflow completions ({@link GroupCommit}): the final statuses of concurrent
 * workflows are written by one statement in one transaction, as their checkpoints are, and each
 * caller learns whether its row was still PENDING (and so is now final).
 *
 * <p>A batch that fails is retried row by row with the one-workflow statement, so that one bad row
 * fails only its own caller, and two completions of the same workflow in one batch (which one
 * statement cannot write) are written one after the other: the first wins.
 */
final class CompletionCommits {
  /** Batches written at once; each takes one connection while it is written. */
  static final int WRITERS = 2;

  /** A workflow's completion: its final status, written at {@code now}. */
  record Completion(String workflowId, FinalStatus outcome, long now) {
    /** The completion time: only SUCCESS and ERROR complete a workflow's run. */
    Long completedAt() {
      return outcome.status().equals("SUCCESS") || outcome.status().equals("ERROR") ? now : null;
    }
  }

  private final DataSource dataSource;
  private final String quotedSchema;
  private final String finishOneSql;
  private final GroupCommit<Completion, Boolean> commits;

  private final StatementsBySize batchSql = new StatementsBySize(this::finishSql);

  CompletionCommits(DataSource dataSource, String quotedSchema) {
    this.dataSource = dataSource;
    this.quotedSchema = quotedSchema;
    this.commits =
        new GroupCommit<>(
            "workflow completion",
            WRITERS,
            GroupCommit.batchOrOneByOne(dataSource, this::writeBatch, this::writeOne));
    // One statement: the final status, and the output or error in their own table (as current
    // writers leave them; the row's own columns stay NULL). One row written: it was PENDING.
    this.finishOneSql =
        "WITH ws AS (UPDATE "
            + quotedSchema
            + ".workflow_status SET status = ?, serialization = ?,"
            // A deduplication id holds only while its workflow is active.
            + " updated_at = ?, completed_at = ?, deduplication_id = NULL"
            + " WHERE workflow_uuid = ? AND status = 'PENDING' RETURNING workflow_uuid)"
            + " INSERT INTO "
            + quotedSchema
            + ".workflow_output (workflow_uuid, output, error) SELECT workflow_uuid, ?, ? FROM ws"
            + OUTPUT_CONFLICT;
  }

  private static final String OUTPUT_CONFLICT =
      " ON CONFLICT (workflow_uuid) DO UPDATE SET output = EXCLUDED.output,"
          + " error = EXCLUDED.error, retention_timestamp = EXCLUDED.retention_timestamp";

  /**
   * Records a workflow's final status, output and error, if it is still PENDING; returns once it is
   * committed.
   *
   * @return whether the row was PENDING and is now final
   */
  boolean finish(Completion completion) throws SQLException {
    return commits.submit(completion);
  }

  private void writeBatch(Connection c, List<Entry<Completion, Boolean>> batch)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(batchSql.forRows(batch.size()))) {
      int n = 1;
      for (Entry<Completion, Boolean> e : batch) {
        Completion done = e.item();
        ps.setString(n++, done.workflowId());
        ps.setString(n++, done.outcome().status());
        ps.setString(n++, done.outcome().serialization());
        ps.setLong(n++, done.now());
        Sql.setLong(ps, n++, done.completedAt());
        ps.setString(n++, done.outcome().output());
        ps.setString(n++, done.outcome().error());
      }
      Set<String> finished = new HashSet<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          finished.add(rs.getString(1));
        }
      }
      for (Entry<Completion, Boolean> e : batch) {
        e.succeed(finished.contains(e.item().workflowId()));
      }
    }
  }

  private void writeOne(Entry<Completion, Boolean> entry) {
    Completion done = entry.item();
    try (Connection c = Sql.autoCommitted(dataSource);
        PreparedStatement ps = c.prepareStatement(finishOneSql)) {
      ps.setString(1, done.outcome().status());
      ps.setString(2, done.outcome().serialization());
      ps.setLong(3, done.now());
      Sql.setLong(ps, 4, done.completedAt());
      ps.setString(5, done.workflowId());
      ps.setString(6, done.outcome().output());
      ps.setString(7, done.outcome().error());
      entry.succeed(ps.executeUpdate() == 1);
    } catch (SQLException | RuntimeException e) {
      entry.fail(e);
    }
  }

  /**
   * The statement finishing {@code rows} workflows: their values as a table, the rows still PENDING
   * updated from it, their outputs written, the ids of those updated returned.
   */
  private String finishSql(int rows) {
    return "WITH v (workflow_uuid, status, serialization, updated_at, completed_at, output,"
        + " error) AS (VALUES "
        + StatementsBySize.values(
            "(?::text, ?::text, ?::text, ?::bigint, ?::bigint, ?::text, ?::text)",
            "(?, ?, ?, ?, ?, ?, ?)",
            rows)
        + "), ws AS (UPDATE "
        + quotedSchema
        + ".workflow_status w SET status = v.status, serialization = v.serialization,"
        + " updated_at = v.updated_at, completed_at = v.completed_at,"
        + " deduplication_id = NULL FROM v WHERE w.workflow_uuid = v.workflow_uuid"
        + " AND w.status = 'PENDING' RETURNING w.workflow_uuid),"
        + " out AS (INSERT INTO "
        + quotedSchema
        + ".workflow_output (workflow_uuid, output, error)"
        + " SELECT v.workflow_uuid, v.output, v.error FROM v JOIN ws"
        + " ON ws.workflow_uuid = v.workflow_uuid"
        + OUTPUT_CONFLICT
        + ") SELECT workflow_uuid FROM ws";
  }
}
