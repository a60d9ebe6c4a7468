package io.dbosee.benchmarks.floor;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The floor: the rows a durable workflow needs (one workflow insert, one checkpoint insert per
 * step, one final update) written straight over JDBC, each statement its own commit, into the
 * system database's schema (migration 123's tables and indexes). What a durable workflow costs if
 * the engine added nothing.
 *
 * <p>The start writes the status row (with the {@code creator_xid} every current writer records)
 * and its {@code workflow_input} row, the finish updates the status row and writes its {@code
 * workflow_output} row, each in one statement (a data-modifying CTE), as any writer of that shape
 * must. Every method works on the caller's connection, in auto-commit unless it says otherwise.
 */
public final class FloorRows {
  private final String insertWorkflow;
  private final String insertStep;
  private final String finish;
  private final String enqueue;
  private final String dequeue;

  /** The floor's statements, its queue named {@code queue} (a literal, as a real queue's query). */
  public FloorRows(String queue) {
    this.insertWorkflow =
        "WITH status AS (INSERT INTO dbos.workflow_status (workflow_uuid, status, name,"
            + " class_name, executor_id, application_version, serialization, recovery_attempts,"
            + " created_at, updated_at, creator_xid) VALUES (?, 'PENDING', 'noopSteps',"
            + " 'bench.Workflows', 'bench', 'v1', 'portable_json', 1, ?, ?,"
            + " gen_random_uuid()::text) RETURNING workflow_uuid)"
            + " INSERT INTO dbos.workflow_input (workflow_uuid, inputs)"
            + " SELECT workflow_uuid, ? FROM status";
    this.insertStep =
        "INSERT INTO dbos.operation_outputs (workflow_uuid, function_id, function_name, output,"
            + " started_at_epoch_ms, completed_at_epoch_ms, serialization) VALUES (?, ?, 'noop',"
            + " ?, ?, ?, 'portable_json')";
    this.finish =
        "WITH status AS (UPDATE dbos.workflow_status SET status = 'SUCCESS', updated_at = ?,"
            + " completed_at = ? WHERE workflow_uuid = ? AND status = 'PENDING' RETURNING"
            + " workflow_uuid) INSERT INTO dbos.workflow_output (workflow_uuid, output)"
            + " SELECT workflow_uuid, ? FROM status ON CONFLICT (workflow_uuid) DO UPDATE SET"
            + " output = EXCLUDED.output";
    this.enqueue =
        "WITH status AS (INSERT INTO dbos.workflow_status (workflow_uuid, status, name,"
            + " class_name, executor_id, application_version, serialization, queue_name,"
            + " created_at, updated_at, creator_xid) VALUES (?, 'ENQUEUED', 'noopSteps',"
            + " 'bench.Workflows', 'bench', 'v1', 'portable_json', '"
            + queue
            + "', ?, ?, gen_random_uuid()::text) RETURNING workflow_uuid) INSERT INTO"
            + " dbos.workflow_input (workflow_uuid, inputs) SELECT workflow_uuid, ? FROM status";
    this.dequeue =
        "WITH claimed AS (UPDATE dbos.workflow_status SET status = 'PENDING',"
            + " started_at_epoch_ms = ?, recovery_attempts = 1 WHERE workflow_uuid = (SELECT"
            + " workflow_uuid FROM dbos.workflow_status WHERE queue_name = '"
            + queue
            + "' AND status = 'ENQUEUED' ORDER BY priority, created_at LIMIT 1 FOR UPDATE SKIP"
            + " LOCKED) RETURNING workflow_uuid) SELECT c.workflow_uuid, wi.inputs FROM claimed c"
            + " JOIN dbos.workflow_input wi ON wi.workflow_uuid = c.workflow_uuid";
  }

  /** The recorded inputs of a workflow of {@code steps} steps whose outputs have that size. */
  public static String inputs(int steps, int payloadBytes) {
    return "{\"positionalArgs\":[" + steps + "," + payloadBytes + "],\"namedArgs\":{}}";
  }

  /** The number of steps in {@link #inputs}. */
  public static int steps(String inputs) {
    return Integer.parseInt(inputs.substring(19, inputs.indexOf(',')));
  }

  /**
   * A workflow of {@code steps} steps, each returning a string of {@code payloadBytes}: its start,
   * its checkpoints and its finish.
   */
  public void workflow(Connection c, String workflowId, int steps, int payloadBytes)
      throws SQLException {
    start(c, workflowId, inputs(steps, payloadBytes));
    steps(c, workflowId, steps, "\"" + "x".repeat(payloadBytes) + "\"");
    finish(c, workflowId);
  }

  /**
   * A workflow of one transaction step: its start; the order ({@link Orders}) and the step's
   * outcome in one transaction (a JDBC one on {@code c}); the step's checkpoint after that commit;
   * its finish.
   */
  public void transactionWorkflow(Connection c, String workflowId) throws SQLException {
    start(c, workflowId, inputs(0, 0));
    c.setAutoCommit(false);
    try {
      Orders.insert(c, workflowId);
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO dbos.datasource_outputs (workflow_id, step_id, output, serialization)"
                  + " VALUES (?, 0, '\"ordered\"', 'portable_json')")) {
        ps.setString(1, workflowId);
        ps.executeUpdate();
      }
      c.commit();
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
    steps(c, workflowId, 1, "\"ordered\"");
    finish(c, workflowId);
  }

  /** Records the workflow as started (PENDING) with its inputs. */
  public void start(Connection c, String workflowId, String inputs) throws SQLException {
    insertWithInputs(c, insertWorkflow, workflowId, inputs);
  }

  /** A status row and its input row, in one statement ({@code sql}: id, times, inputs). */
  private static void insertWithInputs(Connection c, String sql, String workflowId, String inputs)
      throws SQLException {
    long now = System.currentTimeMillis();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, workflowId);
      ps.setLong(2, now);
      ps.setLong(3, now);
      ps.setString(4, inputs);
      ps.executeUpdate();
    }
  }

  /** Checkpoints {@code steps} steps, each with {@code output} (a JSON text), one insert each. */
  public void steps(Connection c, String workflowId, int steps, String output) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(insertStep)) {
      for (int i = 0; i < steps; i++) {
        long started = System.currentTimeMillis();
        ps.setString(1, workflowId);
        ps.setInt(2, i);
        ps.setString(3, output);
        ps.setLong(4, started);
        ps.setLong(5, System.currentTimeMillis());
        ps.executeUpdate();
      }
    }
  }

  /** Records the workflow's success and its output. */
  public void finish(Connection c, String workflowId) throws SQLException {
    long now = System.currentTimeMillis();
    try (PreparedStatement ps = c.prepareStatement(finish)) {
      ps.setLong(1, now);
      ps.setLong(2, now);
      ps.setString(3, workflowId);
      ps.setString(4, "\"done\"");
      ps.executeUpdate();
    }
  }

  /** Records the workflow as ENQUEUED on the floor's queue, with its inputs. */
  public void enqueue(Connection c, String workflowId, String inputs) throws SQLException {
    insertWithInputs(c, enqueue, workflowId, inputs);
  }

  /** A workflow claimed from the queue: its id and its inputs. */
  public record Claimed(String workflowId, String inputs) {}

  /** Runs a claimed workflow: its checkpoints (the steps its inputs give) and its finish. */
  public void run(Connection c, Claimed claimed) throws SQLException {
    steps(c, claimed.workflowId(), steps(claimed.inputs()), "\"\"");
    finish(c, claimed.workflowId());
  }

  /** Claims the oldest ENQUEUED workflow of the queue (one UPDATE ... SKIP LOCKED), if any. */
  public Optional<Claimed> claim(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(dequeue)) {
      ps.setLong(1, System.currentTimeMillis());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(new Claimed(rs.getString(1), rs.getString(2)))
            : Optional.empty();
      }
    }
  }
}
