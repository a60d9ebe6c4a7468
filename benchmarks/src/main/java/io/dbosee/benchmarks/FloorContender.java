package io.dbosee.benchmarks;

import io.dbosee.benchmarks.floor.FloorRows;
import io.dbosee.benchmarks.floor.Orders;
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
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * The floor ({@link FloorRows}: the rows a durable workflow needs, written straight over JDBC) into
 * the same schema (same tables and indexes), through the engine's own pool (the same HikariCP
 * set-up, the same size). What a durable workflow costs if the engine added nothing.
 */
final class FloorContender implements Contender {
  private static final String QUEUE = "floor-queue";

  private final String database;
  private final SystemDataSources.Pool pool;
  private final int workers;
  private final FloorRows rows = new FloorRows(QUEUE);
  private final String readWorkflow;
  private final String readSteps;

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
    prepareDatabase(pool);
    this.readWorkflow =
        "SELECT ws.status, wi.inputs, ws.executor_id FROM dbos.workflow_status ws LEFT JOIN"
            + " dbos.workflow_input wi ON wi.workflow_uuid = ws.workflow_uuid WHERE"
            + " ws.workflow_uuid = ?";
    this.readSteps =
        "SELECT function_id, function_name, output, error FROM dbos.operation_outputs WHERE"
            + " workflow_uuid = ? ORDER BY function_id";
  }

  /**
   * Creates what the floor writes to in {@code database}: the system schema (migration 123), the
   * transaction steps' outcome table and the orders table.
   */
  static void prepareDatabase(DataSource database) {
    SystemSchema.migrate(database, "dbos");
    try (Connection c = database.getConnection()) {
      new BenchTransactionSteps(database, "dbos"); // creates the transaction steps' outcome table
      Orders.createTable(c);
    } catch (Exception e) {
      throw new IllegalStateException("could not prepare the transaction-step workload", e);
    }
  }

  @Override
  public String name() {
    return "raw floor";
  }

  @Override
  public String database() {
    return database;
  }

  @Override
  public void run(String workflowId, int steps, int payloadBytes) throws SQLException {
    try (Connection c = pool.getConnection()) {
      rows.workflow(c, workflowId, steps, payloadBytes);
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
      rows.transactionWorkflow(c, workflowId);
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
      rows.finish(c, workflowId);
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
      Optional<FloorRows.Claimed> claimed = rows.claim(c);
      if (claimed.isEmpty()) {
        return false;
      }
      String id = claimed.get().workflowId();
      startedAt.put(id, System.nanoTime());
      rows.run(c, claimed.get());
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
    rows.enqueue(c, id, FloorRows.inputs(steps, 0));
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
