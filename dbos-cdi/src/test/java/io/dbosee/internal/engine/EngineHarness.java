package io.dbosee.internal.engine;

import static org.awaitility.Awaitility.await;

import io.dbosee.StepOptions;
import io.dbosee.WorkflowHandle;
import io.dbosee.internal.engine.db.SystemDataSources;
import io.dbosee.internal.engine.serialization.PortableJsonSerializer;
import io.dbosee.internal.engine.serialization.Serializer;
import io.dbosee.testing.TestPostgres;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/**
 * Engines on one test database, as separate servers would be: each with its own executor. An engine
 * can be abandoned (left running, never closed) to stand for a server that died.
 */
final class EngineHarness implements AutoCloseable {
  final TestPostgres.Database database = TestPostgres.newDatabase();
  private final List<ExecutorService> executors = new ArrayList<>();
  private final Map<DBOSEngine, ExecutorService> executorOf = new IdentityHashMap<>();
  private final List<SystemDataSources.Pool> pools = new ArrayList<>();
  private final List<Scheduler> schedulers = new ArrayList<>();

  /** The caller transactions every engine made from now on joins; null: none. */
  CallerTransactions callerTransactions;

  /** What every engine made from now on counts its events into; null: none. */
  EngineMetrics metrics;

  /** The serializer every engine made from now on writes with; null: portable JSON. */
  Serializer serializer;

  /** Each engine has a pool of its own, as a server would; a new connection costs tens of ms. */
  private SystemDataSources.Pool pool() {
    SystemDataSources.Pool pool =
        SystemDataSources.pooled(
            database.jdbcUrl(), database.user(), database.password(), 10, Duration.ofSeconds(30));
    pools.add(pool);
    return pool;
  }

  /**
   * A pool that connects as {@code user} rather than as the database's owner, for a server whose
   * database user has fewer rights.
   */
  DataSource pool(String user, String password) {
    // The test server's URL names its owner (?user=postgres), which would win over the argument.
    String url = database.jdbcUrl().replaceFirst("[?&]user=[^&]*", "");
    SystemDataSources.Pool pool =
        SystemDataSources.pooled(url, user, password, 10, Duration.ofSeconds(30));
    pools.add(pool);
    return pool;
  }

  /** An engine with its own configuration, whose connections come from {@code dataSource}. */
  DBOSEngine engine(EngineConfig config, DataSource dataSource, WorkflowSpec... workflows) {
    return engine(
        config,
        Executors.newCachedThreadPool(),
        TimeSource.SYSTEM,
        List.of(),
        dataSource,
        workflows);
  }

  DBOSEngine engine(String executorId, WorkflowSpec... workflows) {
    return engine(executorId, TimeSource.SYSTEM, workflows);
  }

  DBOSEngine engine(String executorId, TimeSource time, WorkflowSpec... workflows) {
    return engine(executorId, time, List.of(), workflows);
  }

  /** An engine that declares and listens to {@code queues}. */
  DBOSEngine engine(String executorId, List<QueueDefinition> queues, WorkflowSpec... workflows) {
    return engine(executorId, TimeSource.SYSTEM, queues, workflows);
  }

  DBOSEngine engine(
      String executorId, TimeSource time, List<QueueDefinition> queues, WorkflowSpec... workflows) {
    return engine(executorId, "v1", time, queues, workflows);
  }

  /** An engine of application version {@code version}. */
  DBOSEngine engine(
      String executorId,
      String version,
      TimeSource time,
      List<QueueDefinition> queues,
      WorkflowSpec... workflows) {
    // A controlled clock cannot drive the parked workflows' timers: waits keep their threads there.
    EngineConfig config = new EngineConfig(executorId, version, "dbos");
    return engine(
        time == TimeSource.SYSTEM ? config : config.withThreadHold(null),
        Executors.newCachedThreadPool(),
        time,
        queues,
        workflows);
  }

  /**
   * An engine with its own configuration, running on {@code executor} (shut down at the end), that
   * declares and listens to {@code queues}.
   */
  DBOSEngine engine(
      EngineConfig config,
      ExecutorService executor,
      List<QueueDefinition> queues,
      WorkflowSpec... workflows) {
    return engine(config, executor, TimeSource.SYSTEM, queues, workflows);
  }

  /**
   * An engine with its own configuration, declaring and listening to {@code queues}, whose
   * connections to the system database come from {@code wrap} around its own pool.
   */
  DBOSEngine engine(
      EngineConfig config,
      List<QueueDefinition> queues,
      UnaryOperator<DataSource> wrap,
      WorkflowSpec... workflows) {
    return engine(
        config,
        Executors.newCachedThreadPool(),
        TimeSource.SYSTEM,
        queues,
        wrap.apply(pool()),
        workflows);
  }

  /**
   * An engine whose connections to the system database come from {@code wrap} around its own pool
   * (to watch or hold back statements).
   */
  DBOSEngine engine(String executorId, UnaryOperator<DataSource> wrap, WorkflowSpec... workflows) {
    return engine(
        new EngineConfig(executorId, "v1", "dbos"),
        Executors.newCachedThreadPool(),
        TimeSource.SYSTEM,
        List.of(),
        wrap.apply(pool()),
        workflows);
  }

  /** An engine that reaches the database through {@code jdbcUrl} (a proxy, say). */
  DBOSEngine engine(
      EngineConfig config, ExecutorService executor, String jdbcUrl, WorkflowSpec... workflows) {
    return engine(config, executor, jdbcUrl, List.of(), workflows);
  }

  /** An engine that reaches the database through {@code jdbcUrl} and listens to {@code queues}. */
  DBOSEngine engine(
      EngineConfig config,
      ExecutorService executor,
      String jdbcUrl,
      List<QueueDefinition> queues,
      WorkflowSpec... workflows) {
    SystemDataSources.Pool pool =
        SystemDataSources.pooled(
            jdbcUrl, database.user(), database.password(), 10, Duration.ofSeconds(30));
    pools.add(pool);
    return engine(config, executor, TimeSource.SYSTEM, queues, pool, workflows);
  }

  private DBOSEngine engine(
      EngineConfig config,
      ExecutorService executor,
      TimeSource time,
      List<QueueDefinition> queues,
      WorkflowSpec... workflows) {
    return engine(config, executor, time, queues, pool(), workflows);
  }

  /** An engine whose hosting layer is {@code hooks}. */
  DBOSEngine engine(
      EngineConfig config,
      ExecutorService executor,
      ExecutionHooks hooks,
      WorkflowSpec... workflows) {
    return engine(config, executor, TimeSource.SYSTEM, List.of(), pool(), hooks, workflows);
  }

  private DBOSEngine engine(
      EngineConfig config,
      ExecutorService executor,
      TimeSource time,
      List<QueueDefinition> queues,
      DataSource dataSource,
      WorkflowSpec... workflows) {
    return engine(config, executor, time, queues, dataSource, ExecutionHooks.NONE, workflows);
  }

  private DBOSEngine engine(
      EngineConfig config,
      ExecutorService executor,
      TimeSource time,
      List<QueueDefinition> queues,
      DataSource dataSource,
      ExecutionHooks hooks,
      WorkflowSpec... workflows) {
    executors.add(executor);
    DBOSEngine engine =
        new DBOSEngine(
            config,
            dataSource,
            serializer == null ? PortableJsonSerializer.create() : serializer,
            executor,
            hooks,
            time);
    for (WorkflowSpec workflow : workflows) {
      workflow.bind(engine);
    }
    for (QueueDefinition queue : queues) {
      engine.registerQueue(queue, true);
    }
    if (callerTransactions != null) {
      engine.joinCallerTransactions(callerTransactions);
    }
    if (metrics != null) {
      engine.measure(metrics);
    }
    executorOf.put(engine, executor);
    engine.launch();
    return engine;
  }

  /**
   * Kills an engine the way a crash would: its threads are interrupted and no new task runs, so
   * nothing more is recorded and its workflows stay as the database has them.
   */
  void crash(DBOSEngine engine) throws InterruptedException {
    ExecutorService executor = executorOf.get(engine);
    executor.shutdownNow();
    if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the crashed engine's threads did not stop");
    }
  }

  /**
   * A scheduler for {@code engine} on its own pool. Without a {@code timer} its rounds run only
   * when the test calls {@link Scheduler#runRound()}, at the time {@code time} says.
   */
  Scheduler scheduler(DBOSEngine engine, TimeSource time, ScheduledExecutorService timer) {
    Scheduler scheduler = new Scheduler(engine, pool(), timer, time, Duration.ofSeconds(5));
    schedulers.add(scheduler);
    return scheduler;
  }

  DataSource dataSource() {
    return database.dataSource();
  }

  /**
   * Returns once a workflow that was already running at {@code since} (a {@link System#nanoTime()})
   * reads its row at its next checkpoint: what another server changed (a cancellation, a take-over)
   * is seen then. The engine reads it at most every {@link
   * DurableOperations.STATUS_READ_INTERVAL_NANOS}; no event marks that, so this waits for the
   * clock.
   */
  static void untilItsStatusIsReadAgain(long since) {
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> System.nanoTime() - since >= DurableOperations.STATUS_READ_INTERVAL_NANOS);
  }

  /** One column of one row, or null. */
  String query(String sql, Object... parameters) {
    return database.query(sql, parameters);
  }

  List<String> queryColumn(String sql, Object... parameters) {
    return database.column(sql, parameters);
  }

  /** A workflow's recorded output: in workflow_output (as written now), or in its row (at 41). */
  String output(String workflowId) {
    return payload("output", "workflow_output", workflowId);
  }

  /** A workflow's recorded error, wherever the shape it was written in keeps it. */
  String error(String workflowId) {
    return payload("error", "workflow_output", workflowId);
  }

  /** A workflow's recorded inputs, wherever the shape it was written in keeps them. */
  String inputs(String workflowId) {
    return payload("inputs", "workflow_input", workflowId);
  }

  private String payload(String column, String table, String workflowId) {
    return query(
        "SELECT COALESCE(p."
            + column
            + ", ws."
            + column
            + ") FROM dbos.workflow_status ws LEFT JOIN dbos."
            + table
            + " p ON p.workflow_uuid = ws.workflow_uuid WHERE ws.workflow_uuid = ?",
        workflowId);
  }

  /**
   * Makes a finished workflow look as if its server died just before it finished: PENDING again,
   * its outcome gone.
   */
  void unfinish(String workflowId) {
    query(
        "WITH ws AS (UPDATE dbos.workflow_status SET status = 'PENDING', output = NULL,"
            + " error = NULL WHERE workflow_uuid = ? RETURNING workflow_uuid),"
            + " wo AS (DELETE FROM dbos.workflow_output o USING ws"
            + " WHERE o.workflow_uuid = ws.workflow_uuid)"
            + " SELECT workflow_uuid FROM ws",
        workflowId);
  }

  String status(String workflowId) {
    return query("SELECT status FROM dbos.workflow_status WHERE workflow_uuid = ?", workflowId);
  }

  /** Stops every engine's threads at the end of a test, abandoned ones included. */
  @Override
  public void close() {
    schedulers.forEach(Scheduler::close);
    executors.forEach(ExecutorService::shutdownNow);
    pools.forEach(SystemDataSources.Pool::close);
  }

  /** A workflow defined as a lambda, called the way an interceptor would call it. */
  interface Body {
    Object run(DBOSEngine engine, Object[] arguments) throws Exception;
  }

  static final class WorkflowSpec {
    final String name;
    final Type[] parameterTypes;
    final Type returnType;
    final int maxRecoveryAttempts;
    final Body body;
    private List<String> parameterNames;
    private DBOSEngine engine;
    private WorkflowDefinition definition;

    WorkflowSpec(String name, Type returnType, Type[] parameterTypes, Body body) {
      this(name, returnType, parameterTypes, 100, body);
    }

    WorkflowSpec(
        String name, Type returnType, Type[] parameterTypes, int maxRecoveryAttempts, Body body) {
      this.name = name;
      this.returnType = returnType;
      this.parameterTypes = parameterTypes;
      this.maxRecoveryAttempts = maxRecoveryAttempts;
      this.body = body;
    }

    /** A spec with the same address and body, for a second engine. */
    WorkflowSpec copy() {
      return new WorkflowSpec(name, returnType, parameterTypes, maxRecoveryAttempts, body)
          .withParameterNames(parameterNames);
    }

    /** The parameters' names, as a class compiled with -parameters has them. */
    WorkflowSpec withParameterNames(List<String> names) {
      this.parameterNames = names;
      return this;
    }

    void bind(DBOSEngine engine) {
      this.engine = engine;
      this.definition =
          new WorkflowDefinition(
              name,
              "test.Workflows",
              parameterTypes,
              returnType,
              maxRecoveryAttempts,
              EngineHarness.class.getClassLoader(),
              this::call,
              false,
              parameterNames);
      engine.register(definition);
    }

    Object call(Object... arguments) throws Exception {
      return engine.runWorkflow(definition, arguments, () -> body.run(engine, arguments));
    }

    /** Enqueues (or starts in the background, when the spec has no queue) this workflow. */
    WorkflowHandle<Object, Exception> start(StartSpec spec, Object... arguments) {
      return engine.start(spec, () -> call(arguments));
    }

    Object callWithId(String workflowId, Object... arguments) throws Exception {
      try (AutoCloseable scope = engine.assignWorkflowId(workflowId)) {
        return call(arguments);
      }
    }
  }

  static Object step(DBOSEngine engine, String name, Invocation body) throws Exception {
    return step(engine, name, StepOptions.DEFAULT, Object.class, body);
  }

  static Object step(
      DBOSEngine engine, String name, StepOptions options, Type returnType, Invocation body)
      throws Exception {
    return engine.runStep(
        new StepDefinition(name, options, returnType, EngineHarness.class.getClassLoader()), body);
  }
}
