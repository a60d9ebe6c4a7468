package io.dbosee.internal.engine.db;

import io.dbosee.DBOSSystemDatabaseException;
import io.dbosee.internal.engine.db.GroupCommit.Entry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import javax.sql.DataSource;

/**
 * Group commit of checkpoints ({@link GroupCommit}): concurrent workflows' checkpoints are inserted
 * by one statement in one transaction, and each caller returns only after the transaction holding
 * its row committed.
 *
 * <p>A checkpoint can also read its workflow's row ({@link Checkpoint#readStatus}): the batch's
 * statement then returns the workflows that were cancelled or taken over by another server, at the
 * cost of one index lookup per row; without it the statement is a plain insert.
 *
 * <p>A batch that fails is retried row by row, so that one bad row (a workflow deleted while
 * running) fails only its own caller.
 */
final class CheckpointCommits {
  private final DataSource dataSource;
  private final String quotedSchema;
  private volatile Consumer<String> onCancelled = id -> {};
  private volatile IntConsumer onCommitted;
  private volatile String executorId;
  private volatile BiConsumer<String, String> onOwner = (id, executor) -> {};
  private final String insertPrefix;
  private final String insertOneIfAbsentSql;
  private final String readSql;

  /** The plain insert, and the insert that also reads the workflows' rows. */
  private final StatementsBySize plainInserts =
      new StatementsBySize(rows -> insertSql(rows, false));

  private final StatementsBySize readingInserts =
      new StatementsBySize(rows -> insertSql(rows, true));

  private final GroupCommit<Checkpoint, Optional<RecordedOperation>> commits;

  /** The application this server acts for ({@link ApplicationScope}), or null. */
  private final String applicationName;

  /**
   * @param applicationName recorded with each checkpoint, as the SDKs record it, or null
   */
  CheckpointCommits(
      DataSource dataSource, String quotedSchema, int maxWriters, String applicationName) {
    this.applicationName = applicationName;
    this.commits = new GroupCommit<>("checkpoint", maxWriters, this::write);
    this.dataSource = dataSource;
    this.quotedSchema = quotedSchema;
    this.insertPrefix =
        "INSERT INTO "
            + quotedSchema
            + ".operation_outputs (workflow_uuid, function_id, function_name, output, error,"
            + " child_workflow_id, started_at_epoch_ms, completed_at_epoch_ms, serialization,"
            + " application_name)"
            + " VALUES ";
    this.insertOneIfAbsentSql =
        "WITH ins AS ("
            + insertPrefix
            + ROW
            + " ON CONFLICT (workflow_uuid, function_id) DO NOTHING RETURNING workflow_uuid)"
            + " SELECT ins.workflow_uuid, ws.status, ws.executor_id FROM ins JOIN "
            + quotedSchema
            + ".workflow_status ws ON ws.workflow_uuid = ins.workflow_uuid";
    this.readSql =
        "SELECT function_id, function_name, output, error, child_workflow_id, serialization FROM "
            + quotedSchema
            + ".operation_outputs WHERE workflow_uuid = ? AND function_id = ?";
  }

  private static final String ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  /**
   * Tells {@code listener} the id of a workflow found CANCELLED when its checkpoint was written.
   */
  void onCancelled(Consumer<String> listener) {
    this.onCancelled = listener;
  }

  /** Tells {@code listener} how many checkpoints each batch committed together (null: nobody). */
  void onCommitted(IntConsumer listener) {
    this.onCommitted = listener;
  }

  /**
   * Tells {@code listener}, when a checkpoint is written, that the workflow's row names another
   * server than {@code executorId} as its runner (it was taken over).
   */
  void onOwner(String executorId, BiConsumer<String, String> listener) {
    this.executorId = executorId;
    this.onOwner = listener;
  }

  /**
   * Records a checkpoint unless one is already recorded at its position; returns once it is
   * committed.
   *
   * @return empty when this call recorded it; the row recorded first otherwise
   */
  Optional<RecordedOperation> record(Checkpoint checkpoint) throws SQLException {
    return commits.submit(checkpoint);
  }

  /**
   * Writes a batch in one statement (its own commit) and sets each caller's outcome. The statement
   * has no ON CONFLICT clause, which would cost each step a speculative insertion: a position
   * already recorded (only ever by another execution of the same workflow) fails the batch, which
   * is then written row by row, each row giving way to the one recorded first.
   */
  private void write(List<Entry<Checkpoint, Optional<RecordedOperation>>> batch) {
    try (Connection c = dataSource.getConnection()) {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      insert(c, batch);
      for (Entry<Checkpoint, Optional<RecordedOperation>> p : batch) {
        p.succeed(Optional.empty());
      }
      IntConsumer committed = onCommitted;
      if (committed != null) {
        committed.accept(batch.size());
      }
    } catch (SQLException | RuntimeException e) {
      if (batch.size() > 1 || isUniqueViolation(e)) {
        for (Entry<Checkpoint, Optional<RecordedOperation>> p : batch) {
          writeIfAbsent(p);
        }
      } else {
        batch.get(0).fail(e);
      }
    }
  }

  private static boolean isUniqueViolation(Exception e) {
    return e instanceof SQLException s && "23505".equals(s.getSQLState());
  }

  private void insert(Connection c, List<Entry<Checkpoint, Optional<RecordedOperation>>> batch)
      throws SQLException {
    boolean read = false;
    for (Entry<Checkpoint, Optional<RecordedOperation>> p : batch) {
      read |= p.item().readStatus();
    }
    // Reading, only workflows that need attention come back (one index lookup of each row, at no
    // extra round trip): a cancellation made anywhere, or a take-over by another server.
    try (PreparedStatement ps =
        c.prepareStatement((read ? readingInserts : plainInserts).forRows(batch.size()))) {
      int n = 1;
      for (Entry<Checkpoint, Optional<RecordedOperation>> p : batch) {
        n = bind(ps, n, p.item());
      }
      if (!read) {
        ps.executeUpdate();
        return;
      }
      ps.setString(n, executorId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          notice(rs);
        }
      }
    }
  }

  /** Records one checkpoint unless its position is taken; the recorded row then wins. */
  private void writeIfAbsent(Entry<Checkpoint, Optional<RecordedOperation>> p) {
    Checkpoint cp = p.item();
    try (Connection c = dataSource.getConnection()) {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      boolean inserted;
      try (PreparedStatement ps = c.prepareStatement(insertOneIfAbsentSql)) {
        bind(ps, 1, cp);
        try (ResultSet rs = ps.executeQuery()) {
          inserted = rs.next();
          if (inserted) {
            notice(rs);
          }
        }
      }
      p.succeed(inserted ? Optional.empty() : Optional.of(winner(c, cp)));
    } catch (SQLException | RuntimeException e) {
      p.fail(e);
    }
  }

  private int bind(PreparedStatement ps, int first, Checkpoint cp) throws SQLException {
    int n = first;
    ps.setString(n++, cp.workflowId());
    ps.setInt(n++, cp.functionId());
    ps.setString(n++, cp.functionName());
    ps.setString(n++, cp.output());
    ps.setString(n++, cp.error());
    ps.setString(n++, cp.childWorkflowId());
    ps.setLong(n++, cp.startedAt());
    ps.setLong(n++, cp.completedAt());
    ps.setString(n++, cp.serialization());
    ApplicationScope.bind(ps, n++, applicationName);
    return n;
  }

  /** Passes on what a row of (workflow id, status, executor id) says about a running workflow. */
  private void notice(ResultSet rs) throws SQLException {
    String workflowId = rs.getString(1);
    if ("CANCELLED".equals(rs.getString(2))) {
      onCancelled.accept(workflowId);
    }
    onOwner.accept(workflowId, rs.getString(3));
  }

  private String insertSql(int rows, boolean read) {
    StringBuilder b = new StringBuilder(insertPrefix.length() + 300 + 30 * rows);
    b.append(read ? "WITH ins AS (" : "")
        .append(insertPrefix)
        .append(StatementsBySize.values(ROW, ROW, rows));
    if (read) {
      b.append(" RETURNING workflow_uuid) SELECT ws.workflow_uuid, ws.status, ws.executor_id")
          .append(" FROM ins JOIN ")
          .append(quotedSchema)
          .append(".workflow_status ws ON ws.workflow_uuid = ins.workflow_uuid")
          .append(" WHERE ws.status = 'CANCELLED' OR ws.executor_id <> ?");
    }
    return b.toString();
  }

  private RecordedOperation winner(Connection c, Checkpoint cp) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(readSql)) {
      ps.setString(1, cp.workflowId());
      ps.setInt(2, cp.functionId());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new DBOSSystemDatabaseException(
              "Checkpoint #"
                  + cp.functionId()
                  + " of workflow '"
                  + cp.workflowId()
                  + "' conflicted with an existing one that then disappeared; the workflow was"
                  + " deleted while running.",
              null);
        }
        return new RecordedOperation(
            rs.getInt(1),
            rs.getString(2),
            rs.getString(3),
            rs.getString(4),
            rs.getString(5),
            rs.getString(6));
      }
    }
  }
}
