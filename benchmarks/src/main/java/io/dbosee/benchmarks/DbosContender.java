package io.dbosee.benchmarks;

import dev.dbos.transact.BenchRecovery;
import dev.dbos.transact.DBOS;
import dev.dbos.transact.StartWorkflowOptions;
import dev.dbos.transact.config.DBOSConfig;
import dev.dbos.transact.context.WorkflowOptions;
import dev.dbos.transact.workflow.Queue;
import dev.dbos.transact.workflow.WorkflowHandle;
import io.dbosee.benchmarks.floor.Orders;
import io.dbosee.internal.engine.db.SystemDataSources;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The DBOS Java SDK ({@code dev.dbos:transact}) as its documentation shows it: a {@code DBOS}
 * instance configured with the database URL, the workflows registered as a proxy, steps run with
 * {@code runStep}, a workflow id given with {@code WorkflowOptions}, a queue at default settings.
 * Everything else (its connection pool, threads, polling) is left at its defaults.
 */
final class DbosContender implements Contender {
  private final String database;
  private final DBOS dbos;
  private final DbosWorkflows workflows;
  private final Queue queue = new Queue("bench-queue");
  private final Queue limitedQueue =
      new Queue("bench-queue-limited").withWorkerConcurrency(Benchmarks.WORKER_CONCURRENCY);

  /** The application's own pool, for the order the transaction-step workload inserts. */
  private final SystemDataSources.Pool application;

  DbosContender(BenchPostgres postgres, String database) {
    this.database = database;
    DBOSConfig config =
        DBOSConfig.defaults("bench")
            .withDatabaseUrl(postgres.jdbcUrl(database))
            .withDbUser(postgres.user())
            .withDbPassword(postgres.password())
            .withAppVersion("v1")
            .withExecutorId("bench");
    this.dbos = new DBOS(config);
    this.application =
        SystemDataSources.pooled(
            postgres.jdbcUrl(database),
            postgres.user(),
            postgres.password(),
            Benchmarks.POOL_SIZE,
            Duration.ofSeconds(60));
    try (Connection c = application.getConnection()) {
      Orders.createTable(c);
    } catch (SQLException e) {
      throw new IllegalStateException("could not prepare the transaction-step workload", e);
    }
    this.workflows =
        dbos.registerProxy(DbosWorkflows.class, new DbosWorkflowsImpl(dbos, application));
    dbos.registerQueue(queue);
    dbos.registerQueue(limitedQueue);
    dbos.launch();
  }

  @Override
  public String name() {
    return "DBOS Java";
  }

  @Override
  public String database() {
    return database;
  }

  @Override
  public void run(String workflowId, int steps, int payloadBytes) {
    try (var options = new WorkflowOptions(workflowId).setContext()) {
      workflows.noopSteps(steps, payloadBytes);
    }
  }

  /**
   * A workflow id given again while its row is PENDING is not re-executed by the SDK's public call
   * path (the call waits for a result), so replay goes through the SDK's recovery, as a restart
   * would.
   */
  @Override
  public void replay(String workflowId, int steps) throws Exception {
    for (WorkflowHandle<?, ?> handle : BenchRecovery.recoverPending(dbos, "bench")) {
      if (handle.workflowId().equals(workflowId)) {
        handle.getResult();
        return;
      }
    }
    throw new IllegalStateException("DBOS Java did not recover " + workflowId);
  }

  @Override
  public Parked park(int count, Duration timeout) throws Exception {
    DbosWorkflowsImpl.parkedIn = new CountDownLatch(count);
    DbosWorkflowsImpl.releaseParked = new CountDownLatch(1);
    List<WorkflowHandle<String, InterruptedException>> handles = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      handles.add(dbos.startWorkflow(() -> workflows.parked()));
    }
    DbosWorkflowsImpl.parkedIn.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    int started = count - (int) DbosWorkflowsImpl.parkedIn.getCount();
    return new Parked() {
      @Override
      public int started() {
        return started;
      }

      @Override
      public void release() throws InterruptedException {
        DbosWorkflowsImpl.releaseParked.countDown();
        for (WorkflowHandle<String, InterruptedException> handle : handles) {
          handle.getResult();
        }
      }
    };
  }

  @Override
  public boolean hasQueue() {
    return true;
  }

  @Override
  public Duration drainQueue(String prefix, int count, int steps) {
    return drain(queue, prefix, count, steps);
  }

  @Override
  public boolean hasLimitedQueue() {
    return true;
  }

  @Override
  public Duration drainLimitedQueue(String prefix, int count, int steps) {
    return drain(limitedQueue, prefix, count, steps);
  }

  private Duration drain(Queue queue, String prefix, int count, int steps) {
    long t0 = System.nanoTime();
    List<WorkflowHandle<String, RuntimeException>> handles = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      handles.add(
          dbos.startWorkflow(
              () -> workflows.noopSteps(steps, 0),
              new StartWorkflowOptions(prefix + i).withQueue(queue)));
    }
    handles.forEach(WorkflowHandle::getResult);
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  @Override
  public List<Duration> enqueueToStart(String prefix, int count) {
    List<Duration> latencies = new ArrayList<>();
    DbosWorkflowsImpl.recordStarts = true;
    try {
      for (int i = 0; i < count; i++) {
        String id = prefix + i;
        long t0 = System.nanoTime();
        dbos.startWorkflow(
                () -> workflows.noopSteps(0, 0), new StartWorkflowOptions(id).withQueue(queue))
            .getResult();
        latencies.add(Duration.ofNanos(DbosWorkflowsImpl.STARTED_AT.get(id) - t0));
      }
    } finally {
      DbosWorkflowsImpl.recordStarts = false;
    }
    return latencies;
  }

  @Override
  public boolean hasTransactionStep() {
    return true;
  }

  @Override
  public void runTransactionStep(String workflowId) throws SQLException {
    try (var options = new WorkflowOptions(workflowId).setContext()) {
      workflows.order();
    }
  }

  @Override
  public void close() {
    dbos.close();
    application.close();
  }
}
