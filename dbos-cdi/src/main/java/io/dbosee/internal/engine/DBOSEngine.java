package io.dbosee.internal.engine;

import io.dbosee.DBOSAwaitTimeoutException;
import io.dbosee.DBOSConflictingWorkflowException;
import io.dbosee.DBOSInterruptedException;
import io.dbosee.DBOSMaxRecoveryAttemptsExceededException;
import io.dbosee.DBOSNonDeterministicWorkflowException;
import io.dbosee.DBOSNonExistentWorkflowException;
import io.dbosee.DBOSNotLaunchedException;
import io.dbosee.DBOSQueueDuplicatedException;
import io.dbosee.DBOSSerializationException;
import io.dbosee.DBOSSystemDatabaseException;
import io.dbosee.DBOSUnknownQueueException;
import io.dbosee.DBOSWorkflowCancelledException;
import io.dbosee.StepOptions;
import io.dbosee.WorkflowHandle;
import io.dbosee.WorkflowState;
import io.dbosee.WorkflowStatus;
import io.dbosee.internal.engine.db.QueueDatabase;
import io.dbosee.internal.engine.db.RecordedOperation;
import io.dbosee.internal.engine.db.SystemDatabase;
import io.dbosee.internal.engine.db.SystemSchema;
import io.dbosee.internal.engine.db.WorkflowRow;
import io.dbosee.internal.engine.serialization.Serializer;
import io.dbosee.internal.engine.serialization.Serializers;
import java.lang.System.Logger.Level;
import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;

/**
 * Runs workflows and steps durably: records each workflow's inputs and outcome and each step's
 * outcome in the system database, replays recorded outcomes instead of running completed steps
 * again, and restarts this executor's unfinished workflows on {@link #recoverPendingWorkflows()}.
 *
 * <p>Threading: a top-level workflow runs on the {@link Executor} given to the constructor (the
 * server's managed executor); its steps and child workflows run inline on that thread. The engine
 * creates no threads.
 *
 * <p>Failure model: an outcome is recorded only when the body really finished. When the engine is
 * stopping, the thread is interrupted or the system database fails, nothing is recorded and the
 * workflow stays PENDING, to be resumed from its last checkpoint.
 */
public final class DBOSEngine implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(DBOSEngine.class.getName());

  /** The name recorded for a durable sleep; the same as the DBOS SDKs use. */
  static final String SLEEP = "DBOS.sleep";

  private enum State {
    CREATED,
    RUNNING,
    STOPPED
  }

  private final EngineConfig config;
  private final DataSource dataSource;
  private final SystemDatabase db;
  private final Serializer serializer;
  private final Executor executor;
  private final ExecutionHooks hooks;
  private final TimeSource time;

  private final Map<String, WorkflowDefinition> registry = new ConcurrentHashMap<>();

  /** Every queue workflows can be enqueued on, and whether this server runs its workflows. */
  private final Map<String, QueueDefinition> queues = new ConcurrentHashMap<>();

  private final Set<String> listenedQueues = ConcurrentHashMap.newKeySet();
  private final QueueDatabase queueDb;
  private volatile QueueRunner queueRunner;

  /**
   * Waiters for workflows that run elsewhere or have not started here yet, completed when a
   * workflow of that id finishes on this server; waiters for other servers' workflows also poll.
   */
  private final Map<String, CompletableFuture<Void>> finishSignals = new ConcurrentHashMap<>();

  /** Workflows executing in this JVM, so that concurrent calls with one id run the body once. */
  private final Map<String, Running> active = new ConcurrentHashMap<>();

  /** An execution in progress here, and the workflow it runs. */
  private record Running(WorkflowDefinition definition, CompletableFuture<Object> outcome) {}

  /** Threads running top-level workflows, interrupted when the engine stops. */
  private final Set<Thread> workflowThreads = ConcurrentHashMap.newKeySet();

  private final ThreadLocal<WorkflowContext> current = new ThreadLocal<>();
  private final ThreadLocal<String> assignedId = new ThreadLocal<>();

  /** Set on executor threads the engine dispatched, so the workflow runs there without a hop. */
  private final ThreadLocal<Boolean> dispatched = new ThreadLocal<>();

  /** Set while a start or enqueue call runs: the next workflow call is started, not run. */
  private final ThreadLocal<PendingStart> pendingStart = new ThreadLocal<>();

  /** A start request and, once a workflow call took it, the handle to the started workflow. */
  private static final class PendingStart {
    final StartSpec spec;
    WorkflowHandle<Object, Exception> handle;

    PendingStart(StartSpec spec) {
      this.spec = spec;
    }
  }

  private volatile State state = State.CREATED;

  public DBOSEngine(
      EngineConfig config,
      DataSource dataSource,
      Serializer serializer,
      Executor executor,
      ExecutionHooks hooks) {
    this(config, dataSource, serializer, executor, hooks, TimeSource.SYSTEM);
  }

  public DBOSEngine(
      EngineConfig config,
      DataSource dataSource,
      Serializer serializer,
      Executor executor,
      ExecutionHooks hooks,
      TimeSource time) {
    this.time = Objects.requireNonNull(time, "time");
    this.config = Objects.requireNonNull(config, "config");
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.serializer = Objects.requireNonNull(serializer, "serializer");
    this.executor = Objects.requireNonNull(executor, "executor");
    this.hooks = Objects.requireNonNull(hooks, "hooks");
    this.db = new SystemDatabase(dataSource, config.schema());
    this.queueDb = new QueueDatabase(dataSource, config.schema(), config.executorId());
  }

  public EngineConfig config() {
    return config;
  }

  /** Registers a workflow so that recovery can start it again; call before {@link #launch()}. */
  public void register(WorkflowDefinition definition) {
    WorkflowDefinition previous = registry.putIfAbsent(definition.key(), definition);
    if (previous != null && previous != definition) {
      throw new IllegalArgumentException(
          "Two workflows are registered as '" + definition.key() + "'; give one another name");
    }
  }

  /**
   * Declares a queue; call before {@link #launch()}.
   *
   * @param listen whether this server starts the queue's workflows (otherwise it only enqueues)
   */
  public void registerQueue(QueueDefinition queue, boolean listen) {
    Objects.requireNonNull(queue, "queue");
    QueueDefinition previous = queues.putIfAbsent(queue.name(), queue);
    if (previous != null && !previous.equals(queue)) {
      throw new IllegalArgumentException(
          "Queue '"
              + queue.name()
              + "' is declared twice, differently: "
              + previous
              + ", "
              + queue);
    }
    if (listen) {
      listenedQueues.add(queue.name());
    }
  }

  /** The registered workflow {@code className/name}, if this application has it. */
  public Optional<WorkflowDefinition> registeredWorkflow(String className, String name) {
    return Optional.ofNullable(registry.get(WorkflowDefinition.key(className, name)));
  }

  /**
   * Asks this server's queues for a dispatch round, for work whose row was just changed by another
   * component (a claim skips rows locked at that moment).
   */
  public void wakeQueues() {
    QueueRunner runner = queueRunner;
    if (runner != null) {
      runner.requestRound();
    }
  }

  /** The queue of that name, if declared. */
  public Optional<QueueDefinition> queue(String name) {
    return Optional.ofNullable(queues.get(name));
  }

  /** The names of the declared queues. */
  public Set<String> queueNames() {
    return Set.copyOf(queues.keySet());
  }

  /** Creates or migrates the system database schema and starts accepting workflows. */
  public synchronized void launch() {
    if (state == State.STOPPED) {
      throw new DBOSNotLaunchedException("This engine was stopped; create a new one.");
    }
    if (state == State.RUNNING) {
      return;
    }
    SystemSchema.migrate(dataSource, config.schema());
    state = State.RUNNING;
    List<QueueDefinition> listened =
        queues.values().stream().filter(q -> listenedQueues.contains(q.name())).toList();
    if (!listened.isEmpty()) {
      queueRunner =
          new QueueRunner(
              queueDb,
              executor,
              time,
              config.executorId(),
              config.applicationVersion(),
              listened,
              () -> List.copyOf(registry.keySet()),
              this::startClaimed);
      queueRunner.start();
    }
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
    state = State.STOPPED;
    for (Thread thread : workflowThreads) {
      thread.interrupt();
    }
    QueueRunner runner = queueRunner;
    if (runner != null) {
      runner.stop();
    }
  }

  /** Whether workflows are accepted. */
  public boolean isRunning() {
    return state == State.RUNNING;
  }

  // ---------------------------------------------------------------------------------------
  // Workflows

  /**
   * Runs a workflow: afresh, by replaying it, or by returning its recorded outcome. Called from
   * outside a workflow it runs on the executor and the caller waits; called from a workflow it runs
   * inline as a child; called from a step it is a plain call.
   */
  public Object runWorkflow(WorkflowDefinition definition, Object[] arguments, Invocation body)
      throws Exception {
    WorkflowContext parent = current.get();
    PendingStart start = pendingStart.get();
    if (start != null) {
      return begin(start, definition, arguments, body, parent);
    }
    if (parent != null && parent.inStep()) {
      return body.proceed();
    }
    requireRunning(definition);
    String assigned = takeAssignedId();
    // Serialize first: an argument that cannot be recorded fails the call before any record.
    String inputs = serializer.serializeArguments(arguments, definition.parameterTypes());
    if (parent != null) {
      return runChild(parent, definition, inputs, body, assigned);
    }
    String workflowId = assigned != null ? assigned : UUID.randomUUID().toString();
    boolean onDispatchedThread = Boolean.TRUE.equals(dispatched.get());
    dispatched.remove();
    return runTopLevel(definition, workflowId, inputs, body, onDispatchedThread);
  }

  private Object runTopLevel(
      WorkflowDefinition definition,
      String workflowId,
      String inputs,
      Invocation body,
      boolean inline)
      throws Exception {
    Running running = launch(definition, workflowId, inputs, body, null, inline);
    return await(workflowId, running.outcome(), Long.MAX_VALUE, null);
  }

  /**
   * Runs a top-level execution on the executor (or on this thread when {@code inline}), unless one
   * of the same workflow already runs here: then that one is returned.
   *
   * @param init the workflow's row when the caller has already written it, else null
   */
  private Running launch(
      WorkflowDefinition definition,
      String workflowId,
      String inputs,
      Invocation body,
      SystemDatabase.InitResult init,
      boolean inline) {
    Running mine = new Running(definition, new CompletableFuture<>());
    Running running = active.putIfAbsent(workflowId, mine);
    if (running != null) {
      requireSameDefinition(workflowId, definition, running);
      return running;
    }
    Runnable task =
        () -> {
          Thread thread = Thread.currentThread();
          workflowThreads.add(thread);
          Object result = null;
          Throwable failure = null;
          try {
            result =
                hooks.aroundWorkflow(
                    () -> execute(definition, workflowId, inputs, null, body, init));
          } catch (Throwable t) {
            failure = t;
          } finally {
            workflowThreads.remove(thread);
            // Leave the map before completing: a call made after this one returned must read
            // the recorded outcome, not join a finished execution.
            active.remove(workflowId, mine);
            // An interrupt meant for this workflow must not leak into the pool's next task.
            Thread.interrupted();
          }
          complete(mine.outcome(), result, failure);
          signalFinished(workflowId);
        };
    if (inline) {
      task.run();
    } else {
      try {
        executor.execute(task);
      } catch (RejectedExecutionException e) {
        active.remove(workflowId, mine);
        mine.outcome().cancel(false);
        throw new DBOSNotLaunchedException(
            "The managed executor refused workflow '"
                + workflowId
                + "' ("
                + e.getMessage()
                + "); the application is probably stopping."
                + (init == null
                    ? " Nothing was recorded."
                    : " It is recorded as PENDING and resumes when the application starts again."));
      }
    }
    return mine;
  }

  private static void complete(
      CompletableFuture<Object> outcome, Object result, Throwable failure) {
    if (failure == null) {
      outcome.complete(result);
    } else {
      outcome.completeExceptionally(failure);
    }
  }

  /** Waits for the execution of the same workflow already running here. */
  private static Object join(String workflowId, WorkflowDefinition definition, Running running)
      throws Exception {
    requireSameDefinition(workflowId, definition, running);
    return await(workflowId, running.outcome(), Long.MAX_VALUE, null);
  }

  private static void requireSameDefinition(
      String workflowId, WorkflowDefinition definition, Running running) {
    if (!running.definition().equals(definition)) {
      throw new DBOSConflictingWorkflowException(
          workflowId,
          "Workflow id '"
              + workflowId
              + "' is already running as "
              + running.definition().key()
              + ", so it cannot be used for "
              + definition.key()
              + ". Use a different id for a different workflow.");
    }
  }

  private Object runChild(
      WorkflowContext parent,
      WorkflowDefinition definition,
      String inputs,
      Invocation body,
      String assigned)
      throws Exception {
    int functionId = parent.nextFunctionId();
    RecordedOperation recorded = parent.recorded(functionId);
    String childId;
    if (recorded != null) {
      childId = recordedChild(parent, functionId, recorded, definition);
    } else {
      childId = assigned != null ? assigned : parent.workflowId + "-" + functionId;
      long now = now();
      Optional<RecordedOperation> winner =
          db.recordOperation(
              parent.workflowId,
              functionId,
              definition.name(),
              null,
              null,
              childId,
              serializer.name(),
              now,
              now);
      if (winner.isPresent()) {
        childId = recordedChild(parent, functionId, winner.get(), definition);
      }
    }
    Running mine = new Running(definition, new CompletableFuture<>());
    Running running = active.putIfAbsent(childId, mine);
    if (running != null) {
      return join(childId, definition, running);
    }
    Object result = null;
    Throwable failure = null;
    try {
      result = execute(definition, childId, inputs, parent, body, null);
    } catch (Throwable t) {
      failure = t;
    } finally {
      active.remove(childId, mine);
    }
    complete(mine.outcome(), result, failure);
    signalFinished(childId);
    if (failure != null) {
      throw Outcomes.<Exception>sneakyThrow(failure);
    }
    return result;
  }

  private String recordedChild(
      WorkflowContext parent,
      int functionId,
      RecordedOperation recorded,
      WorkflowDefinition definition) {
    if (recorded.childWorkflowId() == null || !recorded.functionName().equals(definition.name())) {
      throw nonDeterministic(
          parent, functionId, recorded.functionName(), "child workflow " + definition.name());
    }
    return recorded.childWorkflowId();
  }

  /** Runs the workflow on this thread, or returns what is recorded for it. */
  private Object execute(
      WorkflowDefinition definition,
      String workflowId,
      String inputs,
      WorkflowContext parent,
      Invocation body,
      SystemDatabase.InitResult written)
      throws Exception {
    SystemDatabase.InitResult init =
        written != null
            ? written
            : db.initWorkflow(
                workflowId,
                definition.name(),
                definition.className(),
                null,
                config.executorId(),
                config.applicationVersion(),
                inputs,
                serializer.name(),
                parent == null ? null : parent.workflowId,
                now());
    WorkflowRow row = init.row();
    requireSameWorkflow(row, definition);
    WorkflowState status = WorkflowState.valueOf(row.status());
    if (status.isFinal()) {
      return recordedOutcome(row, definition);
    }
    if (status != WorkflowState.PENDING || !row.executorId().equals(config.executorId())) {
      // Queued, or running on another server: its outcome will be recorded there.
      // (This execution is in the map of active ones itself: read the database only.)
      return awaitOutcome(workflowId, definition, Long.MAX_VALUE, null, false);
    }
    if (!init.inserted() && row.recoveryAttempts() > definition.maxRecoveryAttempts() + 1L) {
      db.finishWorkflow(
          workflowId,
          WorkflowState.MAX_RECOVERY_ATTEMPTS_EXCEEDED.name(),
          null,
          null,
          serializer.name(),
          now());
      LOG.log(
          Level.ERROR,
          "Workflow ''{0}'' was started {1} times without finishing; it is parked as"
              + " MAX_RECOVERY_ATTEMPTS_EXCEEDED",
          workflowId,
          row.recoveryAttempts());
      throw new DBOSMaxRecoveryAttemptsExceededException(
          workflowId, definition.maxRecoveryAttempts());
    }
    Map<Integer, RecordedOperation> recorded =
        init.inserted() ? Map.of() : index(db.readOperations(workflowId));
    WorkflowContext context = new WorkflowContext(workflowId, definition, parent, recorded);
    WorkflowContext previous = current.get();
    current.set(context);
    Object result;
    try {
      result = body.proceed();
    } catch (Throwable t) {
      throw finishFailed(context, t);
    } finally {
      current.set(previous);
    }
    if (context.failure() != null) {
      // The body caught the engine's own error (a determinism violation) and went on.
      throw finishFailed(context, context.failure());
    }
    String output;
    try {
      output = serializer.serialize(result, definition.returnType());
    } catch (DBOSSerializationException e) {
      throw finishFailed(context, e);
    }
    if (!db.finishWorkflow(
        workflowId, WorkflowState.SUCCESS.name(), output, null, serializer.name(), now())) {
      // Cancelled, or finished by another execution meanwhile: what is recorded counts.
      return recordedOutcome(readWorkflow(workflowId), definition);
    }
    return result;
  }

  /** Records a workflow's failure (unless it must stay PENDING) and returns what to throw. */
  private Exception finishFailed(WorkflowContext context, Throwable t) {
    if (mustStayPending(t)) {
      throw interrupted(context.workflowId, t);
    }
    Throwable failure = context.failure() != null ? context.failure() : t;
    db.finishWorkflow(
        context.workflowId,
        WorkflowState.ERROR.name(),
        null,
        serializer.serializeError(failure),
        serializer.name(),
        now());
    throw Outcomes.<RuntimeException>sneakyThrow(failure);
  }

  private static void requireSameWorkflow(WorkflowRow row, WorkflowDefinition definition) {
    if (!row.name().equals(definition.name())
        || !Objects.equals(row.className(), definition.className())) {
      throw new DBOSConflictingWorkflowException(
          row.workflowId(),
          "Workflow id '"
              + row.workflowId()
              + "' already belongs to workflow "
              + row.className()
              + "/"
              + row.name()
              + ", so it cannot be used for "
              + definition.key()
              + ". Use a different id for a different workflow.");
    }
  }

  /**
   * The recorded outcome of a finished workflow. Without a definition (a workflow this application
   * does not register) the result is read as plain JSON values.
   */
  private Object recordedOutcome(WorkflowRow row, WorkflowDefinition definition) {
    Type returnType = definition == null ? Object.class : definition.returnType();
    ClassLoader loader =
        definition == null ? DBOSEngine.class.getClassLoader() : definition.classLoader();
    return switch (WorkflowState.valueOf(row.status())) {
      case SUCCESS -> read(row.serialization()).deserialize(row.output(), returnType);
      case ERROR ->
          throw Outcomes.<RuntimeException>sneakyThrow(
              read(row.serialization()).deserializeError(row.error(), loader));
      case CANCELLED -> throw new DBOSWorkflowCancelledException(row.workflowId());
      case MAX_RECOVERY_ATTEMPTS_EXCEEDED ->
          throw new DBOSMaxRecoveryAttemptsExceededException(
              row.workflowId(), definition == null ? -1 : definition.maxRecoveryAttempts());
      default ->
          throw new IllegalStateException(
              "workflow " + row.workflowId() + " is not finished: " + row.status());
    };
  }

  /**
   * Waits until the workflow finishes, here or on another server, and returns its outcome. A
   * workflow running here is awaited directly; one that runs elsewhere (or has not started) is read
   * again when a workflow of that id finishes here, and at least every result poll interval.
   *
   * @param deadline {@link System#nanoTime()} to give up at, or Long.MAX_VALUE
   * @param timeout what the deadline came from, for the message
   * @param joinLocal whether to join an execution of this id running here
   */
  private Object awaitOutcome(
      String workflowId,
      WorkflowDefinition definition,
      long deadline,
      Duration timeout,
      boolean joinLocal)
      throws Exception {
    while (true) {
      Running running = joinLocal ? active.get(workflowId) : null;
      if (running != null) {
        return await(workflowId, running.outcome(), deadline, timeout);
      }
      // Registered before the read, so that a finish between the read and the wait is not missed.
      CompletableFuture<Void> signal =
          finishSignals.computeIfAbsent(workflowId, id -> new CompletableFuture<>());
      WorkflowRow row =
          db.readWorkflow(workflowId)
              .orElseThrow(() -> new DBOSNonExistentWorkflowException(workflowId));
      if (WorkflowState.valueOf(row.status()).isFinal()) {
        finishSignals.remove(workflowId, signal);
        return recordedOutcome(row, definition);
      }
      if (joinLocal && active.containsKey(workflowId)) {
        continue;
      }
      long wait = config.resultPollInterval().toNanos();
      if (deadline != Long.MAX_VALUE) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          finishSignals.remove(workflowId, signal);
          throw new DBOSAwaitTimeoutException(workflowId, timeout);
        }
        wait = Math.min(wait, remaining);
      }
      try {
        signal.get(wait, TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        // poll again
      } catch (InterruptedException e) {
        finishSignals.remove(workflowId, signal);
        Thread.currentThread().interrupt();
        throw new DBOSInterruptedException(
            workflowId,
            "Interrupted while waiting for workflow '"
                + workflowId
                + "'; the workflow itself goes on.");
      }
    }
  }

  private void signalFinished(String workflowId) {
    CompletableFuture<Void> signal = finishSignals.remove(workflowId);
    if (signal != null) {
      signal.complete(null);
    }
  }

  private WorkflowRow readWorkflow(String workflowId) {
    return db.readWorkflow(workflowId)
        .orElseThrow(
            () ->
                new DBOSSystemDatabaseException(
                    "Workflow '" + workflowId + "' was deleted while it was being awaited.", null));
  }

  private static Object await(
      String workflowId, CompletableFuture<Object> future, long deadline, Duration timeout)
      throws Exception {
    try {
      if (deadline == Long.MAX_VALUE) {
        return future.get();
      }
      return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw Outcomes.<Exception>sneakyThrow(e.getCause());
    } catch (TimeoutException e) {
      throw new DBOSAwaitTimeoutException(workflowId, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DBOSInterruptedException(
          workflowId,
          "Interrupted while waiting for workflow '"
              + workflowId
              + "'; the workflow itself goes on.");
    }
  }

  // ---------------------------------------------------------------------------------------
  // Background starts, queues and handles

  /**
   * Runs {@code call}, which must call one workflow (or step) through its interceptor, and starts
   * that workflow as {@code spec} says instead of running it: in the background, or on a queue. The
   * workflow is recorded before this returns. Inside a workflow the start is durable: a replay
   * returns the same child instead of starting another.
   *
   * @throws IllegalArgumentException if {@code call} called no workflow or step
   */
  public WorkflowHandle<Object, Exception> start(StartSpec spec, Invocation call) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(call, "call");
    if (spec.queueName() != null) {
      requireQueue(spec);
    }
    if (pendingStart.get() != null) {
      throw new IllegalStateException(
          "startWorkflow and enqueue cannot be called inside the lambda of another startWorkflow"
              + " or enqueue; call them one after the other.");
    }
    PendingStart pending = new PendingStart(spec);
    pendingStart.set(pending);
    try {
      call.proceed();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalArgumentException(
          "The lambda given to "
              + verb(spec)
              + " threw "
              + e
              + " instead of calling a @Workflow or @Step method; nothing was started.",
          e);
    } finally {
      pendingStart.remove();
    }
    if (pending.handle == null) {
      throw new IllegalArgumentException(
          "The lambda given to "
              + verb(spec)
              + " called no @Workflow or @Step method through a CDI reference, so nothing was"
              + " started. Call exactly one, through an injected bean or self-reference (never"
              + " through 'this'): for example "
              + verb(spec)
              + "(() -> orders.ship(orderId)).");
    }
    return pending.handle;
  }

  /** Whether a start or enqueue is waiting for the workflow (or step) call that it starts. */
  public boolean startRequested() {
    return pendingStart.get() != null;
  }

  private static String verb(StartSpec spec) {
    return spec.queueName() == null ? "startWorkflow" : "enqueue";
  }

  private QueueDefinition requireQueue(StartSpec spec) {
    QueueDefinition queue = queues.get(spec.queueName());
    if (queue == null) {
      throw new DBOSUnknownQueueException(spec.queueName(), new TreeSet<>(queues.keySet()));
    }
    if (queue.partitioned() && spec.partitionKey() == null) {
      throw new IllegalArgumentException(
          "Queue '"
              + queue.name()
              + "' is partitioned: every enqueue needs a partition key"
              + " (EnqueueOptions.withPartitionKey).");
    }
    if (!queue.partitioned() && spec.partitionKey() != null) {
      throw new IllegalArgumentException(
          "Queue '"
              + queue.name()
              + "' is not partitioned, so the partition key '"
              + spec.partitionKey()
              + "' cannot apply: remove it, or declare the queue partitioned.");
    }
    if (spec.priority() != 0 && !queue.priorityEnabled()) {
      throw new IllegalArgumentException(
          "Queue '"
              + queue.name()
              + "' does not have priorities enabled, so priority "
              + spec.priority()
              + " cannot apply: remove it, or declare the queue with priorityEnabled.");
    }
    return queue;
  }

  /**
   * The start path of {@link #runWorkflow}: records the workflow and starts it, runs nothing here.
   */
  private Object begin(
      PendingStart start,
      WorkflowDefinition definition,
      Object[] arguments,
      Invocation body,
      WorkflowContext parent) {
    if (start.handle != null) {
      throw new IllegalStateException(
          "The lambda given to "
              + verb(start.spec)
              + " called more than one workflow or step ("
              + definition
              + " after "
              + start.handle.workflowId()
              + "); call exactly one in each.");
    }
    requireRunning(definition);
    StartSpec spec = start.spec;
    String assigned = takeAssignedId();
    if (assigned != null && spec.workflowId() != null && !assigned.equals(spec.workflowId())) {
      throw new IllegalArgumentException(
          "Two workflow ids were given, '"
              + assigned
              + "' (withWorkflowId) and '"
              + spec.workflowId()
              + "' (EnqueueOptions); give one.");
    }
    String explicitId = spec.workflowId() != null ? spec.workflowId() : assigned;
    QueueDefinition queue = spec.queueName() == null ? null : requireQueue(spec);
    String inputs = serializer.serializeArguments(arguments, definition.parameterTypes());
    WorkflowContext durableParent = parent != null && !parent.inStep() ? parent : null;
    if (durableParent == null) {
      String workflowId = explicitId != null ? explicitId : UUID.randomUUID().toString();
      create(spec, queue, definition, workflowId, inputs, body, null);
      start.handle = new Handle(workflowId, definition);
      return null;
    }
    int functionId = durableParent.nextFunctionId();
    RecordedOperation recorded = durableParent.recorded(functionId);
    if (recorded != null) {
      String childId = recordedChild(durableParent, functionId, recorded, definition);
      start.handle = new Handle(childId, definition);
      return null;
    }
    String childId = explicitId != null ? explicitId : durableParent.workflowId + "-" + functionId;
    // The child first: a crash before the parent's record replays to the same id, and creating
    // it again finds it.
    create(spec, queue, definition, childId, inputs, body, durableParent.workflowId);
    long now = now();
    Optional<RecordedOperation> winner =
        db.recordOperation(
            durableParent.workflowId,
            functionId,
            definition.name(),
            null,
            null,
            childId,
            serializer.name(),
            now,
            now);
    if (winner.isPresent()) {
      childId = recordedChild(durableParent, functionId, winner.get(), definition);
    }
    start.handle = new Handle(childId, definition);
    return null;
  }

  /**
   * Records a started workflow (PENDING here, or ENQUEUED) and starts it if it is this server's.
   */
  private void create(
      StartSpec spec,
      QueueDefinition queue,
      WorkflowDefinition definition,
      String workflowId,
      String inputs,
      Invocation body,
      String parentId) {
    long now = now();
    if (queue != null) {
      Long delayUntil = spec.delay().isZero() ? null : now + spec.delay().toMillis();
      switch (queueDb.enqueue(
          workflowId,
          definition.name(),
          definition.className(),
          queue.name(),
          spec.deduplicationId(),
          spec.priority(),
          spec.partitionKey(),
          delayUntil,
          inputs,
          serializer.name(),
          config.applicationVersion(),
          config.executorId(),
          parentId,
          now)) {
        case ENQUEUED -> {
          QueueRunner runner = queueRunner;
          if (runner != null && listenedQueues.contains(queue.name())) {
            runner.enqueued(delayUntil != null);
          }
        }
        case EXISTS -> requireSameWorkflow(readWorkflow(workflowId), definition);
        case DUPLICATED ->
            throw new DBOSQueueDuplicatedException(
                workflowId, queue.name(), spec.deduplicationId());
      }
      return;
    }
    SystemDatabase.InitResult init =
        db.initWorkflow(
            workflowId,
            definition.name(),
            definition.className(),
            null,
            config.executorId(),
            config.applicationVersion(),
            inputs,
            serializer.name(),
            parentId,
            now);
    WorkflowRow row = init.row();
    requireSameWorkflow(row, definition);
    if (WorkflowState.valueOf(row.status()) == WorkflowState.PENDING
        && config.executorId().equals(row.executorId())) {
      launch(definition, workflowId, inputs, body, init, false);
    }
  }

  /**
   * A handle to any workflow. Its result is read as the registered workflow's return type, or as
   * plain JSON values when this application does not register that workflow.
   *
   * @throws DBOSNonExistentWorkflowException if no workflow has that id
   */
  public WorkflowHandle<Object, Exception> retrieveWorkflow(String workflowId) {
    Objects.requireNonNull(workflowId, "workflowId");
    WorkflowRow row =
        db.readWorkflow(workflowId)
            .orElseThrow(() -> new DBOSNonExistentWorkflowException(workflowId));
    return new Handle(
        workflowId, registry.get(WorkflowDefinition.key(row.className(), row.name())));
  }

  private final class Handle implements WorkflowHandle<Object, Exception> {
    private final String workflowId;
    private final WorkflowDefinition definition;

    Handle(String workflowId, WorkflowDefinition definition) {
      this.workflowId = workflowId;
      this.definition = definition;
    }

    @Override
    public String workflowId() {
      return workflowId;
    }

    @Override
    public WorkflowStatus getStatus() {
      return workflowStatus(workflowId)
          .orElseThrow(() -> new DBOSNonExistentWorkflowException(workflowId));
    }

    @Override
    public Object getResult() throws Exception {
      return awaitOutcome(workflowId, definition, Long.MAX_VALUE, null, true);
    }

    @Override
    public Object getResult(Duration timeout) throws Exception {
      Objects.requireNonNull(timeout, "timeout");
      long now = System.nanoTime();
      long deadline =
          timeout.toNanos() >= Long.MAX_VALUE - now ? Long.MAX_VALUE - 1 : now + timeout.toNanos();
      return awaitOutcome(workflowId, definition, deadline, timeout, true);
    }

    @Override
    public String toString() {
      return "WorkflowHandle[" + workflowId + "]";
    }
  }

  /** Starts a workflow the queue runner claimed for this server. */
  private void startClaimed(WorkflowRow row) {
    WorkflowDefinition definition =
        registry.get(WorkflowDefinition.key(row.className(), row.name()));
    QueueDefinition queue = queues.get(row.queueName());
    Object[] arguments = definition == null ? null : readArguments(row, definition);
    if (arguments == null) {
      finishedOnQueue(queue);
      return;
    }
    try {
      executor.execute(
          () -> {
            try {
              invokeRecorded(row.workflowId(), definition, arguments, row.inputs());
            } finally {
              finishedOnQueue(queue);
            }
          });
    } catch (RejectedExecutionException e) {
      LOG.log(
          Level.WARNING,
          "The executor refused queued workflow ''{0}''; it goes back on its queue when the"
              + " application starts again: {1}",
          row.workflowId(),
          e.toString());
    }
  }

  private void finishedOnQueue(QueueDefinition queue) {
    QueueRunner runner = queueRunner;
    if (runner != null) {
      runner.finished(queue);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Steps

  /**
   * Runs a step: inside a workflow its outcome is checkpointed (or replayed when recorded); outside
   * one, or inside another step, it is a plain call.
   */
  public Object runStep(StepDefinition step, Invocation body) throws Exception {
    WorkflowContext context = current.get();
    if (context == null || context.inStep()) {
      return body.proceed();
    }
    int functionId = context.nextFunctionId();
    RecordedOperation recorded = context.recorded(functionId);
    if (recorded != null) {
      return replayStep(context, functionId, recorded, step);
    }
    long startedAt = now();
    Object result;
    context.enterStep();
    try {
      result = attempts(context, step, body);
    } catch (Throwable t) {
      if (mustStayPending(t)) {
        throw interrupted(context.workflowId, t);
      }
      Optional<RecordedOperation> winner =
          db.recordOperation(
              context.workflowId,
              functionId,
              step.name(),
              null,
              serializer.serializeError(t),
              null,
              serializer.name(),
              startedAt,
              now());
      if (winner.isPresent()) {
        return replayStep(context, functionId, winner.get(), step);
      }
      throw Outcomes.<Exception>sneakyThrow(t);
    } finally {
      context.exitStep();
    }
    String output = serializer.serialize(result, step.returnType());
    Optional<RecordedOperation> winner =
        db.recordOperation(
            context.workflowId,
            functionId,
            step.name(),
            output,
            null,
            null,
            serializer.name(),
            startedAt,
            now());
    return winner.isPresent() ? replayStep(context, functionId, winner.get(), step) : result;
  }

  private Object attempts(WorkflowContext context, StepDefinition step, Invocation body)
      throws Exception {
    StepOptions options = step.options();
    for (int attempt = 1; ; attempt++) {
      try {
        return body.proceed();
      } catch (Exception e) {
        if (attempt >= options.maxAttempts() || mustStayPending(e)) {
          throw e;
        }
        Duration delay = options.delayBeforeRetry(attempt);
        LOG.log(
            Level.WARNING,
            "Step ''{0}'' of workflow ''{1}'' failed on attempt {2} of {3}; retrying in {4} ms:"
                + " {5}",
            step.name(),
            context.workflowId,
            attempt,
            options.maxAttempts(),
            delay.toMillis(),
            e.toString());
        pause(context.workflowId, delay);
      }
    }
  }

  private Object replayStep(
      WorkflowContext context, int functionId, RecordedOperation recorded, StepDefinition step) {
    if (!recorded.functionName().equals(step.name()) || recorded.childWorkflowId() != null) {
      throw nonDeterministic(context, functionId, recorded.functionName(), step.name());
    }
    Serializer reader = read(recorded.serialization());
    if (recorded.error() != null) {
      throw Outcomes.<RuntimeException>sneakyThrow(
          reader.deserializeError(recorded.error(), step.classLoader()));
    }
    return reader.deserialize(recorded.output(), step.returnType());
  }

  // ---------------------------------------------------------------------------------------
  // Durable sleep

  /**
   * Sleeps durably: the wake-up time is recorded first, so a replay after a restart sleeps only
   * what remains. Outside a workflow, or inside a step, it is a plain sleep.
   */
  public void sleep(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("cannot sleep for a negative duration: " + duration);
    }
    WorkflowContext context = current.get();
    if (context == null || context.inStep()) {
      pause(null, duration);
      return;
    }
    int functionId = context.nextFunctionId();
    RecordedOperation recorded = context.recorded(functionId);
    long wakeAt;
    if (recorded != null) {
      wakeAt = recordedWakeUp(context, functionId, recorded);
    } else {
      long now = now();
      wakeAt = now + duration.toMillis();
      Optional<RecordedOperation> winner =
          db.recordOperation(
              context.workflowId,
              functionId,
              SLEEP,
              serializer.serialize(wakeAt, long.class),
              null,
              null,
              serializer.name(),
              now,
              now);
      if (winner.isPresent()) {
        wakeAt = recordedWakeUp(context, functionId, winner.get());
      }
    }
    long remaining = wakeAt - now();
    if (remaining > 0) {
      pause(context.workflowId, Duration.ofMillis(remaining));
    }
  }

  private long recordedWakeUp(WorkflowContext context, int functionId, RecordedOperation recorded) {
    if (!recorded.functionName().equals(SLEEP)) {
      throw nonDeterministic(context, functionId, recorded.functionName(), SLEEP);
    }
    return (Long) read(recorded.serialization()).deserialize(recorded.output(), Long.class);
  }

  // ---------------------------------------------------------------------------------------
  // Workflow ids, status, recovery

  /** Makes the next workflow started on this thread use {@code workflowId}. */
  public AutoCloseable assignWorkflowId(String workflowId) {
    if (workflowId == null || workflowId.isBlank()) {
      throw new IllegalArgumentException("a workflow id must not be empty");
    }
    String previous = assignedId.get();
    assignedId.set(workflowId);
    return () -> {
      if (previous == null) {
        assignedId.remove();
      } else {
        assignedId.set(previous);
      }
    };
  }

  private String takeAssignedId() {
    String id = assignedId.get();
    assignedId.remove();
    return id;
  }

  /** The id of the workflow running on this thread. */
  public Optional<String> currentWorkflowId() {
    WorkflowContext context = current.get();
    return context == null ? Optional.empty() : Optional.of(context.workflowId);
  }

  public Optional<WorkflowStatus> workflowStatus(String workflowId) {
    return db.readWorkflow(workflowId)
        .map(
            row ->
                new WorkflowStatus(
                    row.workflowId(),
                    WorkflowState.valueOf(row.status()),
                    row.name(),
                    row.className(),
                    row.executorId(),
                    row.applicationVersion(),
                    row.recoveryAttempts(),
                    row.parentWorkflowId(),
                    Instant.ofEpochMilli(row.createdAt()),
                    Instant.ofEpochMilli(row.updatedAt())));
  }

  /**
   * Starts again, on the executor, every PENDING workflow of this executor and application version
   * that is not already running here; queued ones are put back on their queue, so that its limits
   * still hold.
   *
   * @return the ids of the workflows started or put back on their queue
   */
  public List<String> recoverPendingWorkflows() {
    if (state != State.RUNNING) {
      throw new DBOSNotLaunchedException("Recovery needs a launched engine; call launch() first.");
    }
    List<String> started =
        new ArrayList<>(
            queueDb.requeue(
                config.executorId(),
                config.applicationVersion(),
                List.copyOf(active.keySet()),
                now()));
    if (!started.isEmpty()) {
      LOG.log(
          Level.INFO,
          "Put {0} queued workflow(s) back on their queue: {1}",
          started.size(),
          started);
      QueueRunner runner = queueRunner;
      if (runner != null) {
        runner.requestRound();
      }
    }
    for (WorkflowRow row : db.pendingWorkflows(config.executorId(), config.applicationVersion())) {
      if (active.containsKey(row.workflowId()) || row.queueName() != null) {
        continue;
      }
      WorkflowDefinition definition =
          registry.get(WorkflowDefinition.key(row.className(), row.name()));
      if (definition == null) {
        LOG.log(
            Level.WARNING,
            "Cannot recover workflow ''{0}'': no workflow {1}/{2} is registered in this"
                + " application (renamed or removed?). It stays PENDING.",
            row.workflowId(),
            row.className(),
            row.name());
        continue;
      }
      Object[] arguments = readArguments(row, definition);
      if (arguments == null) {
        continue;
      }
      try {
        executor.execute(
            () -> invokeRecorded(row.workflowId(), definition, arguments, row.inputs()));
      } catch (RejectedExecutionException e) {
        LOG.log(
            Level.WARNING,
            "The executor refused to recover workflow ''{0}''; it stays PENDING: {1}",
            row.workflowId(),
            e.toString());
        continue;
      }
      started.add(row.workflowId());
    }
    if (!started.isEmpty()) {
      LOG.log(Level.INFO, "Recovering {0} pending workflow(s): {1}", started.size(), started);
    }
    return started;
  }

  /**
   * The recorded arguments, or null when they are unreadable: the workflow is then recorded as
   * failed.
   */
  private Object[] readArguments(WorkflowRow row, WorkflowDefinition definition) {
    try {
      return read(row.serialization())
          .deserializeArguments(row.inputs(), definition.parameterTypes());
    } catch (DBOSSerializationException e) {
      LOG.log(
          Level.ERROR,
          "Cannot start workflow ''" + row.workflowId() + "'': its inputs are unreadable",
          e);
      db.finishWorkflow(
          row.workflowId(),
          WorkflowState.ERROR.name(),
          null,
          serializer.serializeError(e),
          serializer.name(),
          now());
      return null;
    }
  }

  /** Runs a recorded workflow (recovered or dequeued) on this executor thread. */
  private void invokeRecorded(
      String workflowId, WorkflowDefinition definition, Object[] arguments, String inputs) {
    try {
      if (definition.wrapsStep()) {
        // No workflow interceptor to go through: the engine is the workflow, the invoker the step.
        runTopLevel(
            definition, workflowId, inputs, () -> definition.invoker().invoke(arguments), true);
      } else {
        dispatched.set(Boolean.TRUE);
        try (AutoCloseable scope = assignWorkflowId(workflowId)) {
          definition.invoker().invoke(arguments);
        }
      }
    } catch (DBOSInterruptedException e) {
      LOG.log(Level.DEBUG, "Workflow ''{0}'' was interrupted", workflowId);
    } catch (Throwable t) {
      // Its outcome is recorded; the log says it was a recovered or dequeued run that failed.
      LOG.log(Level.DEBUG, "Workflow ''" + workflowId + "'' ended with an exception", t);
    } finally {
      dispatched.remove();
    }
  }

  // ---------------------------------------------------------------------------------------

  private void requireRunning(WorkflowDefinition definition) {
    if (state != State.RUNNING) {
      throw new DBOSNotLaunchedException(
          "Cannot run "
              + definition
              + ": the DBOS engine is "
              + (state == State.CREATED ? "not started yet" : "stopped")
              + ". Workflows can be called once the application has started.");
    }
  }

  /** Whether a failure means "stopped", not "failed": such outcomes are never recorded. */
  private boolean mustStayPending(Throwable t) {
    return state != State.RUNNING
        || Thread.currentThread().isInterrupted()
        || t instanceof InterruptedException
        || t instanceof DBOSInterruptedException
        || t instanceof DBOSSystemDatabaseException
        || t instanceof VirtualMachineError;
  }

  private static DBOSInterruptedException interrupted(String workflowId, Throwable cause) {
    if (cause instanceof DBOSInterruptedException e) {
      return e;
    }
    DBOSInterruptedException e =
        new DBOSInterruptedException(
            workflowId,
            "Workflow '"
                + workflowId
                + "' stopped before finishing ("
                + cause
                + "); it stays PENDING and resumes from its last completed step when the"
                + " application starts again.");
    e.initCause(cause);
    return e;
  }

  private DBOSNonDeterministicWorkflowException nonDeterministic(
      WorkflowContext context, int functionId, String recordedName, String calledName) {
    DBOSNonDeterministicWorkflowException e =
        new DBOSNonDeterministicWorkflowException(
            context.workflowId, functionId, recordedName, calledName);
    context.fail(e);
    return e;
  }

  /** Sleeps, turning an interrupt into "stop here and stay PENDING". */
  private void pause(String workflowId, Duration duration) {
    try {
      time.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DBOSInterruptedException(
          workflowId,
          workflowId == null
              ? "Interrupted while sleeping"
              : "Workflow '"
                  + workflowId
                  + "' was interrupted while sleeping; it stays PENDING and resumes when the"
                  + " application starts again.");
    }
  }

  private Serializer read(String format) {
    return format == null || format.equals(serializer.name())
        ? serializer
        : Serializers.forName(format, serializer);
  }

  private static Map<Integer, RecordedOperation> index(Collection<RecordedOperation> operations) {
    Map<Integer, RecordedOperation> byId = new HashMap<>();
    for (RecordedOperation operation : operations) {
      byId.put(operation.functionId(), operation);
    }
    return byId;
  }

  private long now() {
    return time.currentTimeMillis();
  }
}
