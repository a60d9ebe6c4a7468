package io.dbosee.internal.engine;

import io.dbosee.DBOSApplicationDatabaseException;
import io.dbosee.DBOSConflictingWorkflowException;
import io.dbosee.DBOSInterruptedException;
import io.dbosee.DBOSMaxRecoveryAttemptsExceededException;
import io.dbosee.DBOSNonDeterministicWorkflowException;
import io.dbosee.DBOSNotLaunchedException;
import io.dbosee.DBOSSerializationException;
import io.dbosee.DBOSSystemDatabaseException;
import io.dbosee.DBOSWorkflowCancelledException;
import io.dbosee.StepOptions;
import io.dbosee.WorkflowState;
import io.dbosee.WorkflowStatus;
import io.dbosee.internal.engine.db.RecordedOperation;
import io.dbosee.internal.engine.db.SystemDatabase;
import io.dbosee.internal.engine.db.SystemSchema;
import io.dbosee.internal.engine.db.WorkflowRow;
import io.dbosee.internal.engine.serialization.Serializer;
import io.dbosee.internal.engine.serialization.Serializers;
import java.lang.System.Logger.Level;
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
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
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
    Running mine = new Running(definition, new CompletableFuture<>());
    Running running = active.putIfAbsent(workflowId, mine);
    if (running != null) {
      return join(workflowId, definition, running);
    }
    Runnable task =
        () -> {
          Thread thread = Thread.currentThread();
          workflowThreads.add(thread);
          Object result = null;
          Throwable failure = null;
          try {
            result =
                hooks.aroundWorkflow(() -> execute(definition, workflowId, inputs, null, body));
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
                + "); the application is probably stopping. Nothing was recorded.");
      }
    }
    return await(workflowId, mine.outcome());
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
    return await(workflowId, running.outcome());
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
      result = execute(definition, childId, inputs, parent, body);
    } catch (Throwable t) {
      failure = t;
    } finally {
      active.remove(childId, mine);
    }
    complete(mine.outcome(), result, failure);
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
      Invocation body)
      throws Exception {
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
            parent == null ? null : parent.workflowId,
            now());
    WorkflowRow row = init.row();
    if (!row.name().equals(definition.name())
        || !Objects.equals(row.className(), definition.className())) {
      throw new DBOSConflictingWorkflowException(
          workflowId,
          "Workflow id '"
              + workflowId
              + "' already belongs to workflow "
              + row.className()
              + "/"
              + row.name()
              + ", so it cannot be used for "
              + definition.key()
              + ". Use a different id for a different workflow.");
    }
    WorkflowState status = WorkflowState.valueOf(row.status());
    if (status.isFinal()) {
      return recordedOutcome(row, definition);
    }
    if (status != WorkflowState.PENDING || !row.executorId().equals(config.executorId())) {
      // Queued, or running on another server: its outcome will be recorded there.
      return awaitRecorded(workflowId, definition);
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
    WorkflowContext context =
        new WorkflowContext(workflowId, definition, parent, recorded, !init.inserted());
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

  private Object recordedOutcome(WorkflowRow row, WorkflowDefinition definition) {
    return switch (WorkflowState.valueOf(row.status())) {
      case SUCCESS -> read(row.serialization()).deserialize(row.output(), definition.returnType());
      case ERROR ->
          throw Outcomes.<RuntimeException>sneakyThrow(
              read(row.serialization()).deserializeError(row.error(), definition.classLoader()));
      case CANCELLED -> throw new DBOSWorkflowCancelledException(row.workflowId());
      case MAX_RECOVERY_ATTEMPTS_EXCEEDED ->
          throw new DBOSMaxRecoveryAttemptsExceededException(
              row.workflowId(), definition.maxRecoveryAttempts());
      default ->
          throw new IllegalStateException(
              "workflow " + row.workflowId() + " is not finished: " + row.status());
    };
  }

  /** Waits until another execution (on this server or another) records the outcome. */
  private Object awaitRecorded(String workflowId, WorkflowDefinition definition) {
    while (true) {
      WorkflowRow row = readWorkflow(workflowId);
      if (WorkflowState.valueOf(row.status()).isFinal()) {
        return recordedOutcome(row, definition);
      }
      pause(workflowId, config.resultPollInterval());
    }
  }

  private WorkflowRow readWorkflow(String workflowId) {
    return db.readWorkflow(workflowId)
        .orElseThrow(
            () ->
                new DBOSSystemDatabaseException(
                    "Workflow '" + workflowId + "' was deleted while it was being awaited.", null));
  }

  private static Object await(String workflowId, CompletableFuture<Object> future)
      throws Exception {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw Outcomes.<Exception>sneakyThrow(e.getCause());
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
      result =
          step.execution() == null
              ? attempts(context, step, body)
              : delegated(context, functionId, step, body);
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

  /**
   * Runs a step through its {@link StepExecution}: the outcome another execution recorded outside
   * the system database (one that crashed before its checkpoint) is returned without running the
   * body; otherwise the body runs there. Either way the caller checkpoints the outcome.
   */
  private Object delegated(
      WorkflowContext context, int functionId, StepDefinition step, Invocation body)
      throws Exception {
    StepCall call =
        new StepCall(
            context.workflowId, functionId, step, serializer, this::read, this::mustStayPending);
    if (context.ranBefore) {
      Optional<StepExecution.RecordedOutcome> recorded = step.execution().recorded(call);
      if (recorded.isPresent()) {
        return call.replay(recorded.get());
      }
    }
    return step.execution().execute(call, body);
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
   * that is not already running here.
   *
   * @return the ids of the workflows started
   */
  public List<String> recoverPendingWorkflows() {
    if (state != State.RUNNING) {
      throw new DBOSNotLaunchedException("Recovery needs a launched engine; call launch() first.");
    }
    List<String> started = new ArrayList<>();
    for (WorkflowRow row : db.pendingWorkflows(config.executorId(), config.applicationVersion())) {
      if (active.containsKey(row.workflowId())) {
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
      Object[] arguments;
      try {
        arguments =
            read(row.serialization())
                .deserializeArguments(row.inputs(), definition.parameterTypes());
      } catch (DBOSSerializationException e) {
        LOG.log(
            Level.ERROR,
            "Cannot recover workflow ''" + row.workflowId() + "'': its inputs are unreadable",
            e);
        db.finishWorkflow(
            row.workflowId(),
            WorkflowState.ERROR.name(),
            null,
            serializer.serializeError(e),
            serializer.name(),
            now());
        continue;
      }
      try {
        executor.execute(() -> resume(row.workflowId(), definition, arguments));
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

  private void resume(String workflowId, WorkflowDefinition definition, Object[] arguments) {
    dispatched.set(Boolean.TRUE);
    try (AutoCloseable scope = assignWorkflowId(workflowId)) {
      definition.invoker().invoke(arguments);
    } catch (DBOSInterruptedException e) {
      LOG.log(Level.DEBUG, "Recovered workflow ''{0}'' was interrupted", workflowId);
    } catch (Throwable t) {
      // Its outcome is recorded; the log says it was a recovered run that failed.
      LOG.log(Level.DEBUG, "Recovered workflow ''" + workflowId + "'' ended with an exception", t);
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
        || t instanceof DBOSApplicationDatabaseException
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
