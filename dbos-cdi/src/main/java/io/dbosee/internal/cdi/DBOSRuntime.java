package io.dbosee.internal.cdi;

import io.dbosee.DBOSExecutor;
import io.dbosee.DBOSNotLaunchedException;
import io.dbosee.WorkflowHandle;
import io.dbosee.internal.engine.CallerTransactions;
import io.dbosee.internal.engine.DBOSEngine;
import io.dbosee.internal.engine.DebounceSpec;
import io.dbosee.internal.engine.EngineConfig;
import io.dbosee.internal.engine.ExecutionHooks;
import io.dbosee.internal.engine.Invocation;
import io.dbosee.internal.engine.QueueDefinition;
import io.dbosee.internal.engine.Scheduler;
import io.dbosee.internal.engine.StartSpec;
import io.dbosee.internal.engine.StepDefinition;
import io.dbosee.internal.engine.TimeSource;
import io.dbosee.internal.engine.WorkflowDefinition;
import io.dbosee.internal.engine.db.SystemDataSources;
import io.dbosee.internal.engine.serialization.PortableJsonSerializer;
import io.dbosee.internal.errors.ErrorCode;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.context.control.RequestContextController;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * Owns the engine for the lifetime of the application: builds it from the prepared definitions, the
 * configured DataSource and the managed executor when the application starts, recovers this
 * server's pending workflows, and stops it when the application stops.
 */
@ApplicationScoped
public class DBOSRuntime {
  private static final Logger LOG = Logger.getLogger(DBOSRuntime.class.getName());

  @Inject DBOSExtension extension;
  @Inject @DBOSExecutor Instance<Executor> customExecutor;
  @Inject Instance<RequestContextController> requestContexts;
  @Inject @DBOSExecutor Instance<ScheduledExecutorService> customScheduledExecutor;
  @Inject Instance<Object> beans;

  private final RequestContextHooks requestContextHooks = new RequestContextHooks();

  private volatile DBOSEngine engine;
  private volatile Scheduler scheduler;
  private SystemDataSources.Pool ownedPool;

  /** Closes the metrics' gauges, which the server's OpenTelemetry would go on reading. */
  private volatile AutoCloseable telemetry = () -> {};

  /** Starts before any application observer of the same event, so workflows can be called. */
  void start(
      @Observes
          @Priority(Interceptor.Priority.PLATFORM_BEFORE)
          @Initialized(ApplicationScoped.class)
          Object event) {
    GlobalSettings settings = extension.settings();
    requestContextHooks.inTransaction = CallerTransaction.detector();
    CallerTransactions outbox = TransactionalOutbox.of(settings);
    DataSource dataSource = dataSource(settings);
    Executor executor = executor(settings);
    DBOSEngine created =
        new DBOSEngine(
            new EngineConfig(settings.executorId, extension.applicationVersion(), settings.schema)
                .toBuilder()
                    .threadHold(settings.threadHold)
                    .maxHeldWaits(settings.maxHeldWaits)
                    .failoverLease(settings.failoverLease)
                    .queueServerConcurrency(settings.queueServerConcurrency)
                    .startOutageWait(settings.startOutageWait)
                    .migrateSchema(settings.migrate)
                    .applicationName(settings.applicationName)
                    .build(),
            dataSource,
            PortableJsonSerializer.create(),
            executor,
            requestContextHooks);
    created.joinCallerTransactions(outbox);
    observeWithOpenTelemetry(created);
    extension.workflows().values().forEach(created::register);
    extension.stepWorkflows().values().forEach(created::register);
    for (QueueDefinition queue : extension.queues()) {
      created.registerQueue(queue, extension.listens(queue.name()));
    }
    try {
      created.launch();
    } catch (RuntimeException e) {
      closePool();
      // A coded cause (a schema this library cannot use as it is) says what to do already.
      throw ErrorCode.STARTUP_FAILED.illegalState(
          "DBOS could not prepare the system database: "
              + e.getMessage()
              + (ErrorCode.prefixOf(e.getMessage()).isPresent()
                  ? ""
                  : " Check "
                      + (settings.datasource.isPresent()
                          ? GlobalSettings.DATASOURCE
                          : GlobalSettings.URL)
                      + " and that PostgreSQL is running."),
          e);
    }
    try {
      TransactionalOutbox.requireSystemDatabase(settings, dataSource);
    } catch (RuntimeException e) {
      created.close();
      closePool();
      throw e;
    }
    engine = created;
    created.recoverPendingWorkflows();
    startScheduler(settings, dataSource, created);
  }

  /**
   * Traces workflows and steps and counts metrics when the server's MicroProfile Telemetry is
   * usable; else warns.
   */
  private void observeWithOpenTelemetry(DBOSEngine created) {
    if (DBOSExtension.present("io.opentelemetry.api.OpenTelemetry")) {
      try {
        // Referenced only here, so that a server without MicroProfile Telemetry never loads it.
        telemetry = ApplicationOpenTelemetry.install(beans, created);
      } catch (RuntimeException | LinkageError e) {
        LOG.log(
            Level.WARNING,
            ErrorCode.UNUSABLE_OPENTELEMETRY.message(
                "DBOS neither traces workflows nor counts metrics: the application's"
                    + " OpenTelemetry could not be used ("
                    + e
                    + "). Check that the server's mpTelemetry feature is enabled and that the"
                    + " application sees its API (classloader"
                    + " apiTypeVisibility=\"+third-party\")."),
            e);
      }
    }
  }

  /**
   * Stores the declared schedules and, unless {@code dbos.schedules.enabled=false}, starts this
   * server's rounds on the managed scheduled executor.
   */
  private void startScheduler(GlobalSettings settings, DataSource dataSource, DBOSEngine created) {
    ScheduledExecutorService timer =
        settings.schedulesEnabled
            ? scheduledExecutor(settings, !extension.schedules().isEmpty())
            : null;
    Scheduler made =
        new Scheduler(
            created, dataSource, timer, TimeSource.SYSTEM, settings.schedulesPollingInterval);
    try {
      made.declare(extension.schedules(), extension.disabledSchedules());
    } catch (RuntimeException e) {
      throw ErrorCode.STARTUP_FAILED.illegalState(
          "DBOS could not store the application's schedules: " + e.getMessage(), e);
    }
    scheduler = made;
    if (timer != null) {
      made.start(extension.disabledSchedules());
    } else if (!settings.schedulesEnabled) {
      LOG.log(
          Level.INFO,
          "Schedules are switched off on this server ({0}=false): it starts no scheduled workflow.",
          GlobalSettings.SCHEDULES_ENABLED);
    }
  }

  /** The schedules' manager (and, when enabled, runner) of this application. */
  public Scheduler scheduler() {
    Scheduler running = scheduler;
    if (running == null) {
      engine(); // throws the "not started" error
      throw new DBOSNotLaunchedException("DBOS schedules are not ready yet.");
    }
    return running;
  }

  @PreDestroy
  void stop() {
    Scheduler runningScheduler = scheduler;
    if (runningScheduler != null) {
      runningScheduler.close();
    }
    closeTelemetry();
    DBOSEngine running = engine;
    if (running != null) {
      running.close();
    }
    requestContextHooks.close();
    closePool();
  }

  private void closeTelemetry() {
    try {
      telemetry.close();
    } catch (Exception e) {
      LOG.log(Level.FINE, "Could not stop DBOS's OpenTelemetry gauges", e);
    }
  }

  /** The engine once started (it may have stopped since), or null before. */
  public DBOSEngine startedEngine() {
    return engine;
  }

  /**
   * Why this server cannot run workflows now (see {@link io.dbosee.internal.health.DBOSReadiness}),
   * empty when it can.
   */
  public java.util.Optional<String> readinessProblem() {
    DBOSEngine running = engine;
    if (running == null) {
      return java.util.Optional.of(
          "DBOS is starting: the system database is not migrated or the engine not launched yet");
    }
    return running.management().readinessProblem();
  }

  public DBOSEngine engine() {
    DBOSEngine running = engine;
    if (running == null) {
      throw new DBOSNotLaunchedException(
          "DBOS is not started yet: workflows can be called once the application has started"
              + " (after @Initialized(ApplicationScoped.class)).");
    }
    return running;
  }

  public Object runWorkflow(Method method, Object[] arguments, Invocation body) throws Exception {
    WorkflowDefinition definition = extension.workflow(method);
    if (definition == null) {
      return body.proceed(); // not a bean method the extension prepared (e.g. vetoed type)
    }
    return orDefault(method, engine().runWorkflow(definition, arguments, body));
  }

  public Object runStep(Method method, Object[] arguments, Invocation body) throws Exception {
    StepDefinition definition = extension.step(method);
    if (definition == null) {
      return body.proceed();
    }
    DBOSEngine running = engine();
    if (running.startRequested()) {
      // Enqueued or started on its own: the step becomes a one-step workflow.
      WorkflowDefinition wrapper = extension.stepWorkflow(method);
      return orDefault(
          method, running.runWorkflow(wrapper, arguments, () -> running.runStep(definition, body)));
    }
    return running.runStep(definition, body);
  }

  /** Starts the workflow (or step) {@code call} calls, as {@code spec} says. */
  @SuppressWarnings("unchecked")
  <T, X extends Exception> WorkflowHandle<T, X> start(StartSpec spec, Invocation call) {
    return (WorkflowHandle<T, X>) (WorkflowHandle<?, ?>) engine().start(spec, call);
  }

  /** Debounces the workflow {@code call} calls, as {@code debounce} says. */
  @SuppressWarnings("unchecked")
  <T, X extends Exception> WorkflowHandle<T, X> debounce(DebounceSpec debounce, Invocation call) {
    return (WorkflowHandle<T, X>) (WorkflowHandle<?, ?>) engine().debounce(debounce, call);
  }

  /**
   * A started (not run) workflow returns null to its caller's lambda; a primitive return type needs
   * its zero instead, or the proxy would fail to unbox it.
   */
  private static Object orDefault(Method method, Object result) {
    Class<?> type = method.getReturnType();
    if (result != null || !type.isPrimitive() || type == void.class) {
      return result;
    }
    return Array.get(Array.newInstance(type, 1), 0);
  }

  /** The prepared {@code @Transaction} method, or null for a method the extension did not see. */
  public TransactionDefinition transaction(Method method) {
    return extension.transaction(method);
  }

  /** Every prepared {@code @Transaction} method. */
  public Collection<TransactionDefinition> transactions() {
    return extension.transactions().values();
  }

  /**
   * The configured application databases by name (the default one under the empty name): {@code
   * dbos.application-database.*} and {@code dbos.datasource."<name>".*}.
   */
  public Map<String, ApplicationDatasource> datasources() {
    return extension.datasources();
  }

  /** The key that declares the application database {@code name}, for messages. */
  public static String datasourceKey(String name) {
    return DatasourceSettings.jndiKey(name);
  }

  private DataSource dataSource(GlobalSettings settings) {
    if (settings.datasource.isPresent()) {
      String name = settings.datasource.get();
      try {
        return (DataSource) new InitialContext().lookup(name);
      } catch (NamingException | ClassCastException e) {
        throw ErrorCode.NO_SYSTEM_DATABASE.illegalState(
            "No DataSource is bound at '"
                + name
                + "' ("
                + GlobalSettings.DATASOURCE
                + "): "
                + e
                + ". Define it in server.xml (non-transactional: transactional=\"false\") or"
                + " correct the name.",
            e);
      }
    }
    if (settings.url.isPresent()) {
      // Only here, in URL mode, is HikariCP used (and its threads started): the container
      // DataSource path above never loads it.
      ownedPool =
          SystemDataSources.pooled(
              settings.url.get(),
              settings.user.orElse(null),
              settings.password.orElse(null),
              settings.poolSize,
              Duration.ofSeconds(30),
              managedThreadFactory(settings));
      return ownedPool;
    }
    throw ErrorCode.NO_SYSTEM_DATABASE.illegalState(
        "No system database is configured. Set "
            + GlobalSettings.DATASOURCE
            + " to the JNDI name of a non-transactional container DataSource, or "
            + GlobalSettings.URL
            + " (with "
            + GlobalSettings.USER
            + " and "
            + GlobalSettings.PASSWORD
            + ") in META-INF/microprofile-config.properties or the environment"
            + " (DBOS_SYSTEM_DATABASE_URL).");
  }

  /**
   * The server's managed thread factory, for the threads of the URL mode's pool; null outside a
   * server (nothing bound at the name), where the pool's threads are its own.
   */
  private static ThreadFactory managedThreadFactory(GlobalSettings settings) {
    String name = settings.threadFactoryJndiName;
    try {
      return (ThreadFactory) new InitialContext().lookup(name);
    } catch (NamingException | ClassCastException e) {
      LOG.log(
          Level.FINE,
          "No managed thread factory at ''{0}'' ({1}): the system database pool makes its own"
              + " threads, as outside a server",
          new Object[] {name, e.toString()});
      return null;
    }
  }

  private Executor executor(GlobalSettings settings) {
    if (customExecutor.isResolvable()) {
      return customExecutor.get();
    }
    String name = settings.executorJndiName;
    try {
      return (Executor) new InitialContext().lookup(name);
    } catch (NamingException | ClassCastException e) {
      throw ErrorCode.NO_EXECUTOR.illegalState(
          "No managed executor is bound at '"
              + name
              + "' ("
              + GlobalSettings.EXECUTOR_JNDI
              + "): "
              + e
              + ". Enable the concurrent-3.0 feature (Open Liberty) or set "
              + GlobalSettings.EXECUTOR_JNDI
              + " to the JNDI name of a ManagedExecutorService. Outside a server, produce an"
              + " Executor bean qualified @DBOSExecutor.",
          e);
    }
  }

  /**
   * The executor that runs schedule rounds: a {@code @DBOSExecutor ScheduledExecutorService} bean,
   * else the managed one at {@code dbos.scheduled-executor.jndi-name}. Without one, schedules are
   * not started on this server; that fails the deployment only when the application declares
   * schedules.
   */
  private ScheduledExecutorService scheduledExecutor(GlobalSettings settings, boolean required) {
    if (customScheduledExecutor.isResolvable()) {
      return customScheduledExecutor.get();
    }
    String name = settings.scheduledExecutorJndiName;
    try {
      return (ScheduledExecutorService) new InitialContext().lookup(name);
    } catch (NamingException | ClassCastException e) {
      String text =
          "No managed scheduled executor is bound at '"
              + name
              + "' ("
              + GlobalSettings.SCHEDULED_EXECUTOR_JNDI
              + "): "
              + e
              + ". Enable the concurrent-3.0 feature (Open Liberty) or set "
              + GlobalSettings.SCHEDULED_EXECUTOR_JNDI
              + " to the JNDI name of a ManagedScheduledExecutorService. Outside a server,"
              + " produce a ScheduledExecutorService bean qualified @DBOSExecutor; or set "
              + GlobalSettings.SCHEDULES_ENABLED
              + "=false to run no schedules on this server.";
      if (required) {
        throw ErrorCode.NO_EXECUTOR.illegalState(text, e);
      }
      LOG.log(Level.WARNING, text + " Schedules created at run time do not start here.");
      return null;
    }
  }

  private void closePool() {
    if (ownedPool != null) {
      ownedPool.close();
      ownedPool = null;
    }
  }

  /**
   * Activates a request context around every workflow body the engine runs, and lets a caller's
   * thread run the workflow it calls when nothing on it must be kept from the workflow.
   *
   * <p>A {@link RequestContextController} is a dependent bean meant for one user at a time, and
   * getting one from the container costs more than the rest of a short workflow's bookkeeping. So
   * each is used by one workflow at a time and kept for the next: there are never more than the
   * most workflows that ran at once, and they are destroyed when the runtime stops.
   */
  private final class RequestContextHooks implements ExecutionHooks {
    private final ConcurrentLinkedDeque<Instance.Handle<RequestContextController>> idle =
        new ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    /** Whether the calling thread is in a JTA transaction; set when the runtime starts. */
    private volatile BooleanSupplier inTransaction = () -> false;

    @Override
    public <T> T aroundWorkflow(Callable<T> body) throws Exception {
      Instance.Handle<RequestContextController> handle = take();
      boolean activated = false;
      try {
        activated = handle.get().activate();
        return body.call();
      } finally {
        release(handle, activated);
      }
    }

    /**
     * The caller's thread runs the workflow it calls only outside a JTA transaction (which the
     * workflow's steps must not join) and outside a request context (which the workflow must not
     * share: recovered, it would not find the caller's request-scoped beans); it gets a request
     * context of its own there, as on the executor.
     */
    @Override
    public CallerScope enterCallerThread() {
      if (inTransaction.getAsBoolean()) {
        return null;
      }
      Instance.Handle<RequestContextController> handle = take();
      boolean activated = false;
      try {
        activated = handle.get().activate();
      } finally {
        if (!activated) {
          release(handle, false);
        }
      }
      return activated ? () -> release(handle, true) : null;
    }

    private Instance.Handle<RequestContextController> take() {
      Instance.Handle<RequestContextController> handle = idle.pollFirst();
      return handle != null ? handle : requestContexts.getHandle();
    }

    private void release(Instance.Handle<RequestContextController> handle, boolean activated) {
      if (activated) {
        try {
          handle.get().deactivate();
        } catch (RuntimeException e) {
          LOG.log(Level.FINE, "Could not deactivate a workflow's request context", e);
        }
      }
      idle.offerFirst(handle);
      if (closed) {
        destroyIdle();
      }
    }

    /** Destroys the kept controllers; one still in use is destroyed when its workflow ends. */
    void close() {
      closed = true;
      destroyIdle();
    }

    private void destroyIdle() {
      for (Instance.Handle<RequestContextController> handle;
          (handle = idle.pollFirst()) != null; ) {
        handle.destroy();
      }
    }
  }
}
