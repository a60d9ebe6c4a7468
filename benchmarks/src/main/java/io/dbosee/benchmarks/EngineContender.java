package io.dbosee.benchmarks;

import io.dbosee.StepOptions;
import io.dbosee.WorkflowHandle;
import io.dbosee.benchmarks.floor.Orders;
import io.dbosee.internal.cdi.BenchMetrics;
import io.dbosee.internal.engine.DBOSEngine;
import io.dbosee.internal.engine.EngineConfig;
import io.dbosee.internal.engine.ExecutionHooks;
import io.dbosee.internal.engine.JdbcCallerTransactions;
import io.dbosee.internal.engine.QueueDefinition;
import io.dbosee.internal.engine.StartSpec;
import io.dbosee.internal.engine.StepDefinition;
import io.dbosee.internal.engine.WorkflowDefinition;
import io.dbosee.internal.engine.db.SystemDataSources;
import io.dbosee.internal.engine.serialization.PortableJsonSerializer;
import io.dbosee.internal.jpa.BenchTransactionSteps;
import java.lang.reflect.Type;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * This library's core engine, driven directly the way its interceptors drive it, with its own
 * connection pool (the one a {@code dbos.system-database.url} configuration gets) and a cached
 * thread pool standing in for the server's managed executor.
 */
final class EngineContender implements Contender {
  private static final ClassLoader LOADER = EngineContender.class.getClassLoader();

  private final String database;
  private final SystemDataSources.Pool pool;
  private final ExecutorService executor = Executors.newCachedThreadPool(Threads.daemon("engine"));
  private final DBOSEngine engine;
  private final WorkflowDefinition noopSteps;
  private final WorkflowDefinition parkedWorkflow;
  private final StepDefinition noop =
      new StepDefinition("noop", StepOptions.DEFAULT, String.class, LOADER);
  private final WorkflowDefinition recvWaiter;
  private final JdbcCallerTransactions callers;
  private final BenchTransactionSteps transactions;
  private final StepDefinition orderStep;
  private final WorkflowDefinition orderWorkflow;
  private final StepDefinition waitStep =
      new StepDefinition("wait", StepOptions.DEFAULT, String.class, LOADER);

  private static final String QUEUE = "bench-queue";
  private static final String LIMITED_QUEUE = "bench-queue-limited";

  /** When each workflow's body started, for enqueue-to-start latency. */
  private final Map<String, Long> startedAt = new ConcurrentHashMap<>();

  private volatile boolean recordStarts;
  private volatile CountDownLatch parkedIn = new CountDownLatch(0);
  private volatile CountDownLatch releaseParked = new CountDownLatch(0);

  /** The OpenTelemetry metrics the engine counts into, or null: none. */
  private final BenchMetrics metrics;

  /**
   * @param metrics whether the engine counts the library's OpenTelemetry metrics (an SDK collecting
   *     every second), as with MicroProfile Telemetry enabled
   */
  EngineContender(BenchPostgres postgres, String database, int poolSize, boolean metrics) {
    this.database = database;
    this.metrics = metrics ? new BenchMetrics() : null;
    this.pool = pool(postgres, database, poolSize);
    this.callers = new JdbcCallerTransactions(pool);
    this.engine = engine(pool, executor);
    this.noopSteps =
        new WorkflowDefinition(
            "noopSteps",
            "bench.Workflows",
            new Type[] {int.class, int.class},
            String.class,
            100,
            LOADER,
            arguments -> runBody((Integer) arguments[0], (Integer) arguments[1]));
    this.parkedWorkflow =
        new WorkflowDefinition(
            "parked",
            "bench.Workflows",
            new Type[0],
            String.class,
            100,
            LOADER,
            arguments -> runParked());
    this.recvWaiter =
        new WorkflowDefinition(
            "recvWaiter",
            "bench.Workflows",
            new Type[0],
            String.class,
            100,
            LOADER,
            arguments -> runRecvWaiter());
    engine.register(noopSteps);
    engine.register(parkedWorkflow);
    engine.register(recvWaiter);
    try {
      this.transactions = new BenchTransactionSteps(pool, "dbos");
      try (Connection c = pool.getConnection()) {
        Orders.createTable(c);
      }
    } catch (Exception e) {
      throw new IllegalStateException("could not prepare the transaction-step workload", e);
    }
    this.orderStep =
        new StepDefinition("order", StepOptions.DEFAULT, String.class, LOADER)
            .withExecution(transactions.execution());
    this.orderWorkflow =
        new WorkflowDefinition(
            "order",
            "bench.Workflows",
            new Type[0],
            String.class,
            100,
            LOADER,
            arguments -> runOrder());
    engine.register(orderWorkflow);
    // A queue at default settings (no limits, the 1 s polling fallback), as DBOS Java's.
    engine.registerQueue(QueueDefinition.unlimited(QUEUE), true);
    engine.registerQueue(
        QueueDefinition.unlimited(LIMITED_QUEUE)
            .withWorkerConcurrency(Benchmarks.WORKER_CONCURRENCY),
        true);
    engine.joinCallerTransactions(callers);
    if (this.metrics != null) {
      engine.measure(this.metrics.engineMetrics());
    }
    engine.launch();
  }

  /** The connection pool a {@code dbos.system-database.url} configuration gets. */
  static SystemDataSources.Pool pool(BenchPostgres postgres, String database, int poolSize) {
    return SystemDataSources.pooled(
        postgres.jdbcUrl(database),
        postgres.user(),
        postgres.password(),
        poolSize,
        Duration.ofSeconds(60));
  }

  /** An engine at default settings on {@code pool} and {@code executor}, not launched yet. */
  static DBOSEngine engine(SystemDataSources.Pool pool, ExecutorService executor) {
    return new DBOSEngine(
        new EngineConfig("bench", "v1", "dbos"),
        pool,
        PortableJsonSerializer.create(),
        executor,
        ExecutionHooks.NONE);
  }

  @Override
  public String name() {
    return metrics == null ? Report.ENGINE : Report.ENGINE_WITH_METRICS;
  }

  @Override
  public String database() {
    return database;
  }

  @Override
  public void run(String workflowId, int steps, int payloadBytes) throws Exception {
    try (AutoCloseable id = engine.assignWorkflowId(workflowId)) {
      runBody(steps, payloadBytes);
    }
  }

  private Object runBody(int steps, int payloadBytes) throws Exception {
    return engine.runWorkflow(
        noopSteps,
        new Object[] {steps, payloadBytes},
        () -> {
          if (recordStarts) {
            startedAt.put(engine.currentWorkflowId().orElseThrow(), System.nanoTime());
          }
          for (int i = 0; i < steps; i++) {
            engine.runStep(noop, () -> Payloads.of(payloadBytes));
          }
          return "done";
        });
  }

  private Object runParked() throws Exception {
    return engine.runWorkflow(
        parkedWorkflow,
        new Object[0],
        () ->
            engine.runStep(
                waitStep,
                () -> {
                  parkedIn.countDown();
                  releaseParked.await();
                  return "released";
                }));
  }

  private Object runRecvWaiter() throws Exception {
    return engine.runWorkflow(
        recvWaiter,
        new Object[0],
        () -> engine.recv("go", String.class, Duration.ofHours(1)).orElse("none"));
  }

  @Override
  public Parked waitOnRecv(int count, Duration timeout) throws Exception {
    List<WorkflowHandle<Object, Exception>> handles = new ArrayList<>();
    String prefix = "recv-" + System.nanoTime() + "-";
    for (int i = 0; i < count; i++) {
      try (AutoCloseable id = engine.assignWorkflowId(prefix + i)) {
        handles.add(engine.start(StartSpec.background(), this::runRecvWaiter));
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (engine.parkedWorkflows() < count && System.nanoTime() < deadline) {
      Thread.sleep(20); // polling a counter with a deadline
    }
    int started = engine.parkedWorkflows();
    return new Parked() {
      @Override
      public int started() {
        return started;
      }

      @Override
      public void release() throws Exception {
        for (int i = 0; i < count; i++) {
          engine.send(prefix + i, "go", "go", null);
        }
        for (WorkflowHandle<Object, Exception> handle : handles) {
          handle.getResult(Duration.ofSeconds(120));
        }
      }
    };
  }

  @Override
  public Parked park(int count, Duration timeout) throws Exception {
    parkedIn = new CountDownLatch(count);
    releaseParked = new CountDownLatch(1);
    // The engine has no start-in-background yet: a caller waits for each workflow, as a
    // request thread would.
    ExecutorService callers = Executors.newFixedThreadPool(count, Threads.daemon("park-caller"));
    for (int i = 0; i < count; i++) {
      callers.execute(
          () -> {
            try {
              runParked();
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
    }
    parkedIn.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    int started = count - (int) parkedIn.getCount();
    return new Parked() {
      @Override
      public int started() {
        return started;
      }

      @Override
      public void release() throws Exception {
        releaseParked.countDown();
        callers.shutdown();
        callers.awaitTermination(60, TimeUnit.SECONDS);
      }
    };
  }

  @Override
  public boolean hasQueue() {
    return true;
  }

  private StartSpec onQueue(String id) {
    return StartSpec.onQueue(QUEUE).withWorkflowId(id);
  }

  @Override
  public Duration drainQueue(String prefix, int count, int steps) throws Exception {
    return drain(QUEUE, prefix, count, steps);
  }

  @Override
  public boolean hasLimitedQueue() {
    return true;
  }

  @Override
  public Duration drainLimitedQueue(String prefix, int count, int steps) throws Exception {
    return drain(LIMITED_QUEUE, prefix, count, steps);
  }

  private Duration drain(String queue, String prefix, int count, int steps) throws Exception {
    long t0 = System.nanoTime();
    List<WorkflowHandle<Object, Exception>> handles = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      StartSpec spec = StartSpec.onQueue(queue).withWorkflowId(prefix + i);
      handles.add(engine.start(spec, () -> runBody(steps, 0)));
    }
    for (WorkflowHandle<Object, Exception> handle : handles) {
      handle.getResult();
    }
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  @Override
  public List<Duration> enqueueToStart(String prefix, int count) throws Exception {
    List<Duration> latencies = new ArrayList<>();
    recordStarts = true;
    try {
      for (int i = 0; i < count; i++) {
        String id = prefix + i;
        long t0 = System.nanoTime();
        engine.start(onQueue(id), () -> runBody(0, 0)).getResult();
        latencies.add(Duration.ofNanos(startedAt.get(id) - t0));
      }
    } finally {
      recordStarts = false;
    }
    return latencies;
  }

  @Override
  public boolean hasTransactionalEnqueue() {
    return true;
  }

  @Override
  public void orderAndEnqueue(String id, boolean inTransaction) throws Exception {
    WorkflowHandle<Object, Exception> handle = null;
    JdbcCallerTransactions.Tx tx = callers.begin();
    try {
      Orders.insert(tx.own(), id);
      if (inTransaction) {
        handle = engine.start(onQueue(id), () -> runBody(0, 0));
      }
      tx.commit();
    } catch (Exception | Error e) {
      tx.rollback();
      throw e;
    }
    if (!inTransaction) {
      handle = engine.start(onQueue(id), () -> runBody(0, 0));
    }
    handle.getResult();
  }

  @Override
  public boolean hasTransactionStep() {
    return true;
  }

  @Override
  public void runTransactionStep(String workflowId) throws Exception {
    try (AutoCloseable id = engine.assignWorkflowId(workflowId)) {
      runOrder();
    }
  }

  private Object runOrder() throws Exception {
    return engine.runWorkflow(
        orderWorkflow,
        new Object[0],
        () ->
            engine.runStep(
                orderStep,
                () -> {
                  try (Connection c = transactions.connection()) {
                    Orders.insert(c, engine.currentWorkflowId().orElseThrow());
                  }
                  return "ordered";
                }));
  }

  @Override
  public void close() {
    engine.close();
    executor.shutdownNow();
    pool.close();
    if (metrics != null) {
      metrics.close();
    }
  }
}
