package io.dbosee.benchmarks;

import io.dbosee.internal.engine.db.SystemDataSources;
import io.dbosee.internal.engine.db.SystemSchema;
import io.dbosee.internal.jpa.BenchTransactionSteps;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The floor: the rows a durable workflow needs (one workflow insert, one checkpoint insert per
 * step, one final update) written straight over JDBC, each statement its own commit, into the same
 * schema (same tables and indexes), through the engine's own pool (the same HikariCP set-up, the
 * same size). What a durable workflow costs if the engine added nothing.
 *
 * <p>The rows are those of migration 123: the start writes the status row (with the {@code
 * creator_xid} every current writer records) and its {@code workflow_input} row, the finish updates
 * the status row and writes its {@code workflow_output} row, each in one statement (a
 * data-modifying CTE), as any writer of that shape must.
 */
final class FloorContender implements Contender {
  private static final String QUEUE = "floor-queue";

  private final String database;
  private final SystemDataSources.Pool pool;
  private final int workers;
  private final String insertWorkflow;
  private final String insertStep;
  private final String finish;
  private final String readWorkflow;
  private final String readSteps;
  private final String enqueue;
  private final String dequeue;

  FloorContender(BenchPostgres postgres, String database, int poolSize) {
    this.database = database;
    // One connection stays free for the enqueuing thread.
    this.workers = Math.max(1, poolSize - 1);
    this.pool =
        SystemDataSources.pooled(
            postgres.jdbcUrl(database),
            postgres.user(),
            postgres.password(),
            poolSize,
            Duration.ofSeconds(60));
    SystemSchema.migrate(pool, "dbos");
    try (Connection c = pool.getConnection()) {
      new BenchTransactionSteps(pool, "dbos"); // creates the transaction steps' outcome table
      TransactionWorkload.createTable(c);
    } catch (Exception e) {
      throw new IllegalStateException("could not prepare the transaction-step workload", e);
    }
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
    this.readWorkflow =
        "SELECT ws.status, wi.inputs, ws.executor_id FROM dbos.workflow_status ws LEFT JOIN"
            + " dbos.workflow_input wi ON wi.workflow_uuid = ws.workflow_uuid WHERE"
            + " ws.workflow_uuid = ?";
    this.readSteps =
        "SELECT function_id, function_name, output, error FROM dbos.operation_outputs WHERE"
            + " workflow_uuid = ? ORDER BY function_id";
    this.enqueue =
        "WITH status AS (INSERT INTO dbos.workflow_status (workflow_uuid, status, name,"
            + " class_name, executor_id, application_version, serialization, queue_name,"
            + " created_at, updated_at, creator_xid) VALUES (?, 'ENQUEUED', 'noopSteps',"
            + " 'bench.Workflows', 'bench', 'v1', 'portable_json', '"
            + QUEUE
            + "', ?, ?, gen_random_uuid()::text) RETURNING workflow_uuid) INSERT INTO dbos.workflow_input (workflow_uuid,"
            + " inputs) SELECT workflow_uuid, ? FROM status";
    this.dequeue =
        "WITH claimed AS (UPDATE dbos.workflow_status SET status = 'PENDING',"
            + " started_at_epoch_ms = ?, recovery_attempts = 1 WHERE workflow_uuid = (SELECT"
            + " workflow_uuid FROM dbos.workflow_status WHERE queue_name = '"
            + QUEUE
            + "' AND status = 'ENQUEUED' ORDER BY priority, created_at LIMIT 1 FOR UPDATE SKIP"
            + " LOCKED) RETURNING workflow_uuid) SELECT c.workflow_uuid, wi.inputs FROM claimed c"
            + " JOIN dbos.workflow_input wi ON wi.workflow_uuid = c.workflow_uuid";
  }

  @Override
  public String name() {
    return "raw floor";
  }

  @Override
  public String database() {
    return database;
  }

  private static String inputs(int steps, int payloadBytes) {
    return "{\"positionalArgs\":[" + steps + "," + payloadBytes + "],\"namedArgs\":{}}";
  }

  @Override
  public void run(String workflowId, int steps, int payloadBytes) throws SQLException {
    try (Connection c = pool.getConnection()) {
      long now = System.currentTimeMillis();
      try (PreparedStatement ps = c.prepareStatement(insertWorkflow)) {
        ps.setString(1, workflowId);
        ps.setLong(2, now);
        ps.setLong(3, now);
        ps.setString(4, inputs(steps, payloadBytes));
        ps.executeUpdate();
      }
      runSteps(c, workflowId, steps, payloadBytes);
    }
  }

  @Override
  public boolean hasTransactionStep() {
    return true;
  }

  /**
   * The rows a transaction step must write: the order and the step's outcome in one transaction,
   * then its checkpoint, between the workflow's insert and its final update.
   */
  @Override
  public void runTransactionStep(String workflowId) throws SQLException {
    try (Connection c = pool.getConnection()) {
      long now = System.currentTimeMillis();
      try (PreparedStatement ps = c.prepareStatement(insertWorkflow)) {
        ps.setString(1, workflowId);
        ps.setLong(2, now);
        ps.setLong(3, now);
        ps.setString(4, inputs(0, 0));
        ps.executeUpdate();
      }
      c.setAutoCommit(false);
      try {
        TransactionWorkload.insertOrder(c, workflowId);
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO dbos.datasource_outputs (workflow_id, step_id, output, serialization)"
                    + " VALUES (?, 0, '\"ordered\"', 'portable_json')")) {
          ps.setString(1, workflowId);
          ps.executeUpdate();
        }
        c.commit();
      } finally {
        c.setAutoCommit(true);
      }
      try (PreparedStatement ps = c.prepareStatement(insertStep)) {
        ps.setString(1, workflowId);
        ps.setInt(2, 0);
        ps.setString(3, "\"ordered\"");
        ps.setLong(4, now);
        ps.setLong(5, System.currentTimeMillis());
        ps.executeUpdate();
      }
      finish(c, workflowId);
    }
  }

  private void runSteps(Connection c, String workflowId, int steps, int payloadBytes)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(insertStep)) {
      for (int i = 0; i < steps; i++) {
        long started = System.currentTimeMillis();
        String output = "\"" + Payloads.of(payloadBytes) + "\"";
        ps.setString(1, workflowId);
        ps.setInt(2, i);
        ps.setString(3, output);
        ps.setLong(4, started);
        ps.setLong(5, System.currentTimeMillis());
        ps.executeUpdate();
      }
    }
    finish(c, workflowId);
  }

  private void finish(Connection c, String workflowId) throws SQLException {
    long now = System.currentTimeMillis();
    try (PreparedStatement ps = c.prepareStatement(finish)) {
      ps.setLong(1, now);
      ps.setLong(2, now);
      ps.setString(3, workflowId);
      ps.setString(4, "\"done\"");
      ps.executeUpdate();
    }
  }

  /** Replay at its cheapest: read the workflow, read every checkpoint in one query, finish. */
  @Override
  public void replay(String workflowId, int steps) throws SQLException {
    try (Connection c = pool.getConnection()) {
      try (PreparedStatement ps = c.prepareStatement(readWorkflow)) {
        ps.setString(1, workflowId);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
        }
      }
      int read = 0;
      try (PreparedStatement ps = c.prepareStatement(readSteps)) {
        ps.setString(1, workflowId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rs.getString(3);
            read++;
          }
        }
      }
      if (read != steps) {
        throw new IllegalStateException("expected " + steps + " checkpoints, read " + read);
      }
      finish(c, workflowId);
    }
  }

  @Override
  public boolean hasQueue() {
    return true;
  }

  /**
   * A queue at its cheapest: an insert per enqueue; {@code workers} threads (one per pooled
   * connection) each claim the oldest ENQUEUED row with one UPDATE ... SKIP LOCKED, run it, and
   * poll again after 1 ms when the queue is empty.
   */
  private final class Workers implements AutoCloseable {
    final AtomicBoolean stop = new AtomicBoolean();
    final ExecutorService threads = Executors.newFixedThreadPool(workers, Threads.daemon("floorq"));
    final Map<String, Long> startedAt = new ConcurrentHashMap<>();
    final AtomicInteger finished = new AtomicInteger();

    Workers() {
      for (int i = 0; i < workers; i++) {
        threads.execute(this::work);
      }
    }

    void work() {
      while (!stop.get()) {
        boolean found;
        try (Connection c = pool.getConnection()) {
          found = claimAndRun(c);
        } catch (SQLException e) {
          if (stop.get()) {
            return;
          }
          throw new IllegalStateException(e);
        }
        if (!found) {
          try {
            Thread.sleep(1);
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    }

    boolean claimAndRun(Connection c) throws SQLException {
      String id;
      int steps;
      try (PreparedStatement ps = c.prepareStatement(dequeue)) {
        ps.setLong(1, System.currentTimeMillis());
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return false;
          }
          id = rs.getString(1);
          String inputs = rs.getString(2);
          steps = Integer.parseInt(inputs.substring(19, inputs.indexOf(',')));
        }
      }
      startedAt.put(id, System.nanoTime());
      runSteps(c, id, steps, 0);
      finished.incrementAndGet();
      return true;
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      threads.shutdown();
      threads.awaitTermination(30, TimeUnit.SECONDS);
    }
  }

  private void enqueueOne(Connection c, String id, int steps) throws SQLException {
    long now = System.currentTimeMillis();
    try (PreparedStatement ps = c.prepareStatement(enqueue)) {
      ps.setString(1, id);
      ps.setLong(2, now);
      ps.setLong(3, now);
      ps.setString(4, inputs(steps, 0));
      ps.executeUpdate();
    }
  }

  @Override
  public Duration drainQueue(String prefix, int count, int steps) throws Exception {
    try (Workers w = new Workers()) {
      long t0 = System.nanoTime();
      try (Connection c = pool.getConnection()) {
        for (int i = 0; i < count; i++) {
          enqueueOne(c, prefix + i, steps);
        }
      }
      while (w.finished.get() < count) {
        Thread.sleep(1);
      }
      return Duration.ofNanos(System.nanoTime() - t0);
    }
  }

  @Override
  public List<Duration> enqueueToStart(String prefix, int count) throws Exception {
    List<Duration> latencies = new ArrayList<>();
    try (Workers w = new Workers()) {
      for (int i = 0; i < count; i++) {
        String id = prefix + i;
        long t0;
        try (Connection c = pool.getConnection()) {
          t0 = System.nanoTime();
          enqueueOne(c, id, 0);
        }
        while (w.finished.get() <= i) {
          Thread.sleep(0, 100_000);
        }
        latencies.add(Duration.ofNanos(w.startedAt.get(id) - t0));
      }
    }
    return latencies;
  }

  @Override
  public void close() {
    pool.close();
  }
}
