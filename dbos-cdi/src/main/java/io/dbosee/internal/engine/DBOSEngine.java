package io.dbosee.internal.engine;

import io.dbosee.DBOSNonExistentWorkflowException;
import io.dbosee.DBOSNotLaunchedException;
import io.dbosee.WorkflowHandle;
import io.dbosee.WorkflowStatus;
import io.dbosee.internal.engine.db.ApplicationVersions;
import io.dbosee.internal.engine.db.DebounceDatabase;
import io.dbosee.internal.engine.db.ExecutorLeases;
import io.dbosee.internal.engine.db.MessageDatabase;
import io.dbosee.internal.engine.db.OperationsOverview;
import io.dbosee.internal.engine.db.QueueCatalog;
import io.dbosee.internal.engine.db.QueueDatabase;
import io.dbosee.internal.engine.db.SystemDatabase;
import io.dbosee.internal.engine.db.SystemSchema;
import io.dbosee.internal.engine.db.TraceContexts;
import io.dbosee.internal.engine.serialization.PayloadLimit;
import io.dbosee.internal.engine.serialization.Serializer;
import java.lang.System.Logger.Level;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * Runs workflows and steps durably: records each workflow's inputs and outcome and each step's
 * outcome in the system database, replays recorded outcomes instead of running completed steps
 * again, and restarts this executor's unfinished workflows on {@link #recoverPendingWorkflows()}.
 *
 * <p>Threading: a workflow called from outside any workflow runs on the calling thread when the
 * {@link ExecutionHooks} find nothing on it to keep from the workflow (no request context, no
 * transaction), and otherwise on the {@link Executor} given to the constructor (the server's
 * managed executor) while the caller waits; started, queued and recovered workflows run on the
 * executor. Steps and child workflows run inline on the workflow's thread. The engine creates no
 * threads.
 *
 * <p>Failure model: an outcome is recorded only when the body really finished. When the engine is
 * stopping, the thread is interrupted or the system database fails, nothing is recorded and the
 * workflow stays PENDING, to be resumed from its last checkpoint.
 */
public final class DBOSEngine implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(DBOSEngine.class.getName());

  /**
   * The queue every DBOS SDK listens to, whatever the application declares: the DBOS clients and
   * tools put the workflows they resume or fork on it.
   */
  public static final String INTERNAL_QUEUE = QueueRegistry.INTERNAL_QUEUE;

  private final EngineServices services;
  private final EngineConfig config;
  private final DataSource dataSource;
  private final EngineLifecycle lifecycle;
  private final WorkflowRegistry registry;
  private final ThreadHandoffs threads;
  private final QueueRegistry queues = new QueueRegistry();
  private final QueueDatabase queueDb;
  private final NotificationHub hub;
  private final WorkflowParking parking;
  private final WorkflowOutcomes outcomes;
  private final WorkflowLauncher launcher;
  private final WorkflowCalls calls;
  private final WorkflowStarts starts;
  private final StepRunner steps;
  private final DurableWaits waits;
  private final Messaging messaging;
  private final Streams streams;
  private final WorkflowDispatch dispatch;
  private final Recovery recovery;
  private final WorkflowManagement management;

  /** Null when failover is off. */
  private final Failover failover;

  public DBOSEngine(
      EngineConfig config,
      DataSource dataSource,
      Serializer serializer,
      Executor executor,
      ExecutionHooks hooks) {
    this(config, dataSource, serializer, executor, hooks, TimeSource.SYSTEM);
  }

  /**
   * Builds the engine's parts; nothing runs until {@link #launch()}. Where two parts need each
   * other (parking wakes a workflow that dispatch resumes; failover's take-over starts recovery),
   * the later one is reached through a method of this class, called only once the engine runs.
   */
  public DBOSEngine(
      EngineConfig config,
      DataSource dataSource,
      Serializer serializer,
      Executor executor,
      ExecutionHooks hooks,
      TimeSource time) {
    this.config = Objects.requireNonNull(config, "config");
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    SystemDatabase db = new SystemDatabase(dataSource, config.schema(), config.applicationName());
    this.services =
        new EngineServices(
            config,
            Objects.requireNonNull(time, "time"),
            db,
            new PayloadLimit(
                Objects.requireNonNull(serializer, "serializer"), PayloadLimit.DEFAULT_MAX_CHARS),
            Objects.requireNonNull(executor, "executor"),
            Objects.requireNonNull(hooks, "hooks"));
    this.lifecycle = services.lifecycle;
    this.registry = services.registry;
    this.threads = services.threads;
    this.queueDb =
        new QueueDatabase(
            dataSource, config.schema(), config.executorId(), config.applicationName());
    this.hub = new NotificationHub(dataSource, executor, queueDb);
    MessageDatabase messages =
        new MessageDatabase(dataSource, config.schema(), config.applicationName());

    Failures failures = new Failures(lifecycle);
    Cancellation cancellation = new Cancellation(services);
    DurableOperations operations = new DurableOperations(services, cancellation);
    this.outcomes = new WorkflowOutcomes(services);
    WorkflowExecution execution = new WorkflowExecution(services, failures, cancellation, outcomes);
    this.parking = new WorkflowParking(services, hub, this::resumeParked);
    this.launcher = new WorkflowLauncher(services, execution, parking, outcomes);
    this.starts =
        new WorkflowStarts(
            services,
            queues,
            queueDb,
            new DebounceDatabase(dataSource, config.schema(), config.applicationName()),
            operations,
            outcomes,
            launcher,
            this::workflowStatus);
    this.calls = new WorkflowCalls(services, operations, outcomes, execution, launcher, starts);
    this.waits = new DurableWaits(services, cancellation, operations, parking);
    this.steps = new StepRunner(services, failures, operations, waits);
    this.messaging = new Messaging(services, operations, waits, hub, messages);
    this.streams = new Streams(services, operations, waits, hub, messages);
    this.dispatch = new WorkflowDispatch(services, queues, outcomes, parking, launcher);
    this.recovery = new Recovery(services, queues, queueDb, parking, dispatch);
    this.management =
        new WorkflowManagement(services, dataSource, steps, starts, dispatch, recovery, queues);
    this.failover =
        config.failoverLease() == null
            ? null
            : new Failover(
                services,
                new ExecutorLeases(dataSource, config.schema(), config.applicationName()),
                this::recoverTakenOver);
    db.onCancelledWorkflow(recovery::cancelRunning);
    db.onWorkflowOwner(config.executorId(), recovery::checkOwner);
  }

  public EngineConfig config() {
    return config;
  }

  /**
   * Lets {@code observer} watch every workflow and step execution from launch on; an observer that
   * is not {@link ExecutionObserver#enabled() enabled} costs nothing.
   *
   * @throws IllegalStateException if the engine was launched already
   */
  public synchronized void observe(ExecutionObserver observer) {
    Objects.requireNonNull(observer, "observer");
    if (!lifecycle.isCreated()) {
      throw new IllegalStateException("observe must be called before launch");
    }
    services.trace(
        observer.enabled()
            ? new Tracing(observer, new TraceContexts(dataSource, config.schema()))
            : null);
  }

  /**
   * Lets {@code metrics} count what the engine does from launch on; metrics that are not {@link
   * EngineMetrics#enabled() enabled} cost nothing.
   *
   * @throws IllegalStateException if the engine was launched already
   */
  public synchronized void measure(EngineMetrics metrics) {
    Objects.requireNonNull(metrics, "metrics");
    if (!lifecycle.isCreated()) {
      throw new IllegalStateException("measure must be called before launch");
    }
    EngineMetrics enabled = metrics.enabled() ? metrics : null;
    services.measure(enabled);
    services.db.onCheckpointsCommitted(enabled == null ? null : enabled::checkpointsCommitted);
  }

  /** Counts a tick the scheduler started, when metrics are enabled. */
  void countTick(String scheduleName) {
    EngineMetrics metrics = services.metrics();
    if (metrics != null) {
      metrics.scheduleTicked(scheduleName);
    }
  }

  /**
   * Makes starts, enqueues and sends from outside workflows join the caller's transaction, as
   * {@code transactions} finds it, instead of committing on their own (the transactional outbox).
   *
   * @throws IllegalStateException if the engine was launched already
   */
  public synchronized void joinCallerTransactions(CallerTransactions transactions) {
    Objects.requireNonNull(transactions, "transactions");
    if (!lifecycle.isCreated()) {
      throw new IllegalStateException("joinCallerTransactions must be called before launch");
    }
    services.joinCallerTransactions(transactions);
  }

  /** Registers a workflow so that recovery can start it again; call before {@link #launch()}. */
  public void register(WorkflowDefinition definition) {
    registry.register(definition);
  }

  /**
   * Declares a queue; call before {@link #launch()}.
   *
   * @param listen whether this server starts the queue's workflows (otherwise it only enqueues)
   */
  public void registerQueue(QueueDefinition queue, boolean listen) {
    queues.register(queue, listen);
  }

  /** The registered workflow {@code className/name}, if this application has it. */
  public Optional<WorkflowDefinition> registeredWorkflow(String className, String name) {
    return Optional.ofNullable(registry.get(className, name));
  }

  /**
   * Asks this server's queues for a dispatch round, for work whose row was just changed by another
   * component (a claim skips rows locked at that moment).
   */
  public void wakeQueues() {
    queues.wake();
  }

  /** The queue of that name, if declared. */
  public Optional<QueueDefinition> queue(String name) {
    return queues.queue(name);
  }

  /** The names of the declared queues (not the internal one). */
  public Set<String> queueNames() {
    return queues.queueNames();
  }

  /**
   * Creates or migrates the system database schema (or, with {@link EngineConfig#migrateSchema()}
   * false, checks its number without DDL) and starts accepting workflows.
   */
  public synchronized void launch() {
    if (lifecycle.isStopped()) {
      throw new DBOSNotLaunchedException("This engine was stopped; create a new one.");
    }
    if (lifecycle.isRunning()) {
      return;
    }
    if (config.migrateSchema()) {
      SystemSchema.migrate(dataSource, config.schema());
    } else {
      SystemSchema.check(dataSource, config.schema());
    }
    Tracing tracing = services.tracing();
    if (tracing != null) {
      tracing.prepare(config.migrateSchema());
    }
    if (failover != null) {
      failover.prepare(config.migrateSchema());
    }
    // As the SDKs register theirs: other SDKs, clients and tools see the queues and their limits.
    new QueueCatalog(dataSource, config.schema(), config.applicationName())
        .write(queues.declared().stream().map(QueueDefinition::row).toList());
    new ApplicationVersions(dataSource, config.schema(), config.applicationName())
        .register(config.applicationVersion());
    EngineMetrics metrics = services.metrics();
    if (metrics != null) {
      metrics.readFrom(new EngineReadings(parking.parked(), queueDb, queues));
    }
    lifecycle.running();
    queues.start(queueDb, services, hub, dispatch::startClaimed);
    if (failover != null) {
      failover.start();
    }
    List<NotificationHub.Timer> timers = new ArrayList<>();
    timers.add(parking.parkedSweep);
    timers.add(outcomes.watches());
    if (failover != null) {
      timers.add(failover);
    }
    hub.start(queues.runner(), parking.parked(), timers);
    LOG.log(
        Level.INFO,
        "DBOS engine started: executor ''{0}'', application version ''{1}'', schema ''{2}'',"
            + " {3} workflow(s) registered",
        config.executorId(),
        config.applicationVersion(),
        config.schema(),
        registry.size());
  }

  /**
   * Stops accepting workflows and interrupts the ones running: they record nothing more and stay
   * PENDING, so that the next start of this executor resumes them.
   */
  @Override
  public void close() {
    lifecycle.stopped();
    launcher.interruptAll();
    queues.stop();
    if (failover != null) {
      failover.stop();
    }
    hub.stop();
    parking.abandonAll();
    outcomes.watches().stop();
  }

  /**
   * Whether the engine receives PostgreSQL notifications now (its LISTEN connection is open): only
   * then can a waiting workflow give its thread back. It connects in the background after {@link
   * #launch()}.
   */
  public boolean receivingNotifications() {
    return hub.listening();
  }

  /** How many workflows wait here without holding a thread (for tests and metrics). */
  public int parkedWorkflows() {
    return parking.parked().size();
  }

  /** Whether workflows are accepted. */
  public boolean isRunning() {
    return lifecycle.isRunning();
  }

  /** How many workflows execute in this JVM now. */
  public int activeWorkflows() {
    return services.active.size();
  }

  /**
   * Runs a workflow: afresh, by replaying it, or by returning its recorded outcome. Called from
   * outside a workflow it runs on the caller's thread if the hooks allow, else on the executor
   * while the caller waits; called from a workflow it runs inline as a child; called from a step it
   * is a plain call.
   */
  public Object runWorkflow(WorkflowDefinition definition, Object[] arguments, Invocation body)
      throws Exception {
    return calls.runWorkflow(definition, arguments, body);
  }

  /**
   * Runs {@code call}, which must call one workflow (or step) through its interceptor, and starts
   * that workflow as {@code spec} says instead of running it: in the background, or on a queue. The
   * workflow is recorded before this returns. Inside a workflow the start is durable: a replay
   * returns the same child instead of starting another.
   *
   * @throws IllegalArgumentException if {@code call} called no workflow or step
   */
  public WorkflowHandle<Object, Exception> start(StartSpec spec, Invocation call) {
    return starts.start(spec, call);
  }

  /**
   * Runs {@code call}, which must call one workflow through its interceptor, and debounces it as
   * {@code debounce} says instead of running it: calls with the same key (for that workflow)
   * collapse into one workflow, which starts once no call came for the period (at the latest after
   * the timeout) with the last call's arguments. The handle is to that workflow. Usable without
   * CDI, like {@link #start}; the rows are those the DBOS SDKs' {@code Debouncer} and {@code
   * DebouncerClient} write, so that they debounce into the same workflow.
   *
   * @throws IllegalArgumentException if {@code call} called no workflow, or the queue is
   *     partitioned
   * @throws IllegalStateException (DBOS-CDI-088) inside a workflow, outside a step
   * @throws io.dbosee.DBOSQueueDuplicatedException if another workflow holds the key on the queue
   */
  public WorkflowHandle<Object, Exception> debounce(DebounceSpec debounce, Invocation call) {
    return starts.debounce(debounce, call);
  }

  /** Whether a start or enqueue is waiting for the workflow (or step) call that it starts. */
  public boolean startRequested() {
    return starts.startRequested();
  }

  /**
   * A handle to any workflow. Its result is read as the registered workflow's return type, or as
   * plain JSON values when this application does not register that workflow.
   *
   * @throws DBOSNonExistentWorkflowException if no workflow has that id
   */
  public WorkflowHandle<Object, Exception> retrieveWorkflow(String workflowId) {
    return starts.retrieveWorkflow(workflowId);
  }

  /**
   * Runs a step: inside a workflow its outcome is checkpointed (or replayed when recorded); outside
   * one, or inside another step, it is a plain call.
   */
  public Object runStep(StepDefinition step, Invocation body) throws Exception {
    return steps.runStep(step, body);
  }

  /**
   * Sleeps durably: the wake-up time is recorded first, so a replay after a restart sleeps only
   * what remains. Outside a workflow, or inside a step, it is a plain sleep.
   */
  public void sleep(Duration duration) {
    waits.sleep(duration);
  }

  /** For tests: a long interval shows that a wait was woken by a notification. */
  void setWaitPollInterval(Duration interval) {
    waits.setWaitPollInterval(interval);
  }

  /**
   * Sends {@code message} to workflow {@code destinationId} under {@code topic} (null: the default
   * topic). Inside a workflow the send is a durable operation: a replay does not send again. From
   * outside, an {@code idempotencyKey} makes a retried send deliver once (it becomes the message's
   * id); without one, every call sends.
   *
   * @throws DBOSNonExistentWorkflowException if no workflow has the destination id
   */
  public void send(String destinationId, Object message, String topic, String idempotencyKey) {
    messaging.send(destinationId, message, topic, idempotencyKey);
  }

  /**
   * Receives the oldest message sent to the running workflow under {@code topic}, waiting up to
   * {@code timeout}; empty when none came. Durable: a replay returns the same message.
   *
   * @throws IllegalStateException outside a workflow, or inside a step
   */
  public Optional<Object> recv(String topic, Type type, Duration timeout) {
    return messaging.recv(topic, type, timeout);
  }

  /**
   * Sets event {@code key} of the running workflow to {@code value}; the latest value wins.
   *
   * @throws IllegalStateException outside a workflow
   */
  public void setEvent(String key, Object value) {
    messaging.setEvent(key, value);
  }

  /**
   * The latest value of event {@code key} of workflow {@code workflowId}, waiting up to {@code
   * timeout} for it to be set; empty when it was not.
   */
  public Optional<Object> getEvent(String workflowId, String key, Type type, Duration timeout) {
    return messaging.getEvent(workflowId, key, type, timeout);
  }

  /**
   * Appends {@code value} to the running workflow's stream {@code key}.
   *
   * @throws IllegalStateException outside a workflow
   */
  public void writeStream(String key, Object value) {
    streams.writeStream(key, value);
  }

  /** Closes the running workflow's stream {@code key}: readers end after its last value. */
  public void closeStream(String key) {
    streams.closeStream(key);
  }

  /**
   * The values of stream {@code key} of workflow {@code workflowId}, in order, bound to {@code
   * type}, until it is closed or the workflow has finished.
   */
  public Iterator<Object> readStream(String workflowId, String key, Type type) {
    return streams.readStream(workflowId, key, type);
  }

  /**
   * Cancels a workflow that has not finished; see {@link WorkflowManagement#cancelWorkflow}.
   *
   * @throws DBOSNonExistentWorkflowException if no workflow has that id
   */
  public void cancelWorkflow(String workflowId) {
    management.cancelWorkflow(workflowId);
  }

  /**
   * Runs a CANCELLED, ERROR or MAX_RECOVERY_ATTEMPTS_EXCEEDED workflow again from its last
   * completed step; see {@link WorkflowManagement#resumeWorkflow}.
   *
   * @throws DBOSNonExistentWorkflowException if no workflow has that id
   */
  public WorkflowHandle<Object, Exception> resumeWorkflow(String workflowId) {
    return management.resumeWorkflow(workflowId);
  }

  /** Makes the next workflow started on this thread end (CANCELLED) once {@code timeout} passes. */
  public ThreadScope assignTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("a workflow timeout must be positive, got " + timeout);
    }
    return threads.assignTimeout(timeout);
  }

  /** Makes the next workflow started on this thread use {@code workflowId}. */
  public ThreadScope assignWorkflowId(String workflowId) {
    if (workflowId == null || workflowId.isBlank()) {
      throw new IllegalArgumentException("a workflow id must not be empty");
    }
    StorableText.require(workflowId, "the workflow id");
    return threads.assignWorkflowId(workflowId);
  }

  /**
   * Whether this engine keeps anything on the calling thread; never once its calls there have
   * returned (a server's pooled thread must not hold the application after it is undeployed).
   */
  boolean holdsThreadState() {
    return threads.holdsThisThread();
  }

  /** The id of the workflow running on this thread. */
  public Optional<String> currentWorkflowId() {
    WorkflowContext context = threads.context();
    return context == null ? Optional.empty() : Optional.of(context.workflowId);
  }

  /** The workflow's full status, empty when no workflow has that id. */
  public Optional<WorkflowStatus> workflowStatus(String workflowId) {
    return management.workflowStatus(workflowId);
  }

  /**
   * Starts again, on the executor, every PENDING workflow of this executor and application version
   * that is not already running here; queued ones are put back on their queue, so that its limits
   * still hold.
   *
   * @return the ids of the workflows started or put back on their queue
   */
  public List<String> recoverPendingWorkflows() {
    return recovery.recoverPendingWorkflows();
  }

  /** Recovers the workflows just taken over from a dead server (and any other of this one's). */
  private void recoverTakenOver() {
    recovery.recoverTakenOver();
  }

  /** Hands a woken workflow to the executor, which resumes it by replay. */
  private void resumeParked(ParkedWorkflows.Parked sleeper) {
    dispatch.resumeParked(sleeper);
  }

  /** Listing, inspecting, forking, deleting and collecting workflows. */
  public WorkflowManagement management() {
    return management;
  }

  /** The operations console's reads: queue depth, versions, leases, a workflow's communication. */
  public OperationsOverview overview() {
    return new OperationsOverview(dataSource, config.schema(), config.applicationName());
  }
}
