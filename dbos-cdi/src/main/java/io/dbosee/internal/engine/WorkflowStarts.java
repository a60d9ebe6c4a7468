package io.dbosee.internal.engine;

import io.dbosee.DBOSInterruptedException;
import io.dbosee.DBOSNonExistentWorkflowException;
import io.dbosee.DBOSQueueDuplicatedException;
import io.dbosee.DBOSSystemDatabaseException;
import io.dbosee.WorkflowHandle;
import io.dbosee.WorkflowState;
import io.dbosee.WorkflowStatus;
import io.dbosee.internal.engine.db.ConnectionFailures;
import io.dbosee.internal.engine.db.DebounceDatabase;
import io.dbosee.internal.engine.db.NewWorkflow;
import io.dbosee.internal.engine.db.QueueDatabase;
import io.dbosee.internal.engine.db.QueueEntry;
import io.dbosee.internal.engine.db.SystemDatabase;
import io.dbosee.internal.engine.db.WorkflowRow;
import io.dbosee.internal.engine.serialization.Serializer;
import io.dbosee.internal.errors.ErrorCode;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Starts workflows instead of running them: in the background on this server, or on a queue. The
 * workflow is recorded before the start returns; inside a workflow the start is a durable operation
 * (a replay finds the same child); outside one, it waits out a short outage of the system database.
 */
final class WorkflowStarts {
  private static final System.Logger LOG = System.getLogger(WorkflowStarts.class.getName());

  private final EngineServices services;
  private final EngineConfig config;
  private final SystemDatabase db;
  private final Serializer serializer;
  private final ThreadHandoffs threads;
  private final EngineLifecycle lifecycle;
  private final WorkflowRegistry registry;
  private final QueueRegistry queues;
  private final QueueDatabase queueDb;
  private final DurableOperations operations;
  private final WorkflowOutcomes outcomes;
  private final WorkflowLauncher launcher;
  private final Function<String, Optional<WorkflowStatus>> statuses;
  private final Debouncing debouncing;

  WorkflowStarts(
      EngineServices services,
      QueueRegistry queues,
      QueueDatabase queueDb,
      DebounceDatabase debounceDb,
      DurableOperations operations,
      WorkflowOutcomes outcomes,
      WorkflowLauncher launcher,
      Function<String, Optional<WorkflowStatus>> statuses) {
    this.services = services;
    this.config = services.config;
    this.db = services.db;
    this.serializer = services.serializer;
    this.threads = services.threads;
    this.lifecycle = services.lifecycle;
    this.registry = services.registry;
    this.queues = queues;
    this.queueDb = queueDb;
    this.operations = operations;
    this.outcomes = outcomes;
    this.launcher = launcher;
    this.statuses = statuses;
    this.debouncing = new Debouncing(services, queues, queueDb, debounceDb);
  }

  /**
   * Runs {@code call}, which must call one workflow (or step) through its interceptor, and starts
   * that workflow as {@code spec} says instead of running it: in the background, or on a queue. The
   * workflow is recorded before this returns. Inside a workflow the start is durable: a replay
   * returns the same child instead of starting another.
   *
   * @throws IllegalArgumentException if {@code call} called no workflow or step
   */
  WorkflowHandle<Object, Exception> start(StartSpec spec, Invocation call) {
    return start(new PendingStart(Objects.requireNonNull(spec, "spec")), call);
  }

  /**
   * Runs {@code call}, which must call one workflow through its interceptor, and debounces that
   * workflow as {@code debounce} says instead of running it (see {@link Debouncing}).
   *
   * @throws IllegalArgumentException if {@code call} called no workflow, or the queue is
   *     partitioned
   */
  WorkflowHandle<Object, Exception> debounce(DebounceSpec debounce, Invocation call) {
    Objects.requireNonNull(debounce, "debounce");
    String queueName = debounce.queue();
    queues
        .queue(queueName)
        .filter(QueueDefinition::partitioned)
        .ifPresent(
            q -> {
              throw new IllegalArgumentException(
                  "Queue '"
                      + queueName
                      + "' is partitioned, and a debounced workflow has no partition key (as in"
                      + " the DBOS SDKs): debounce on a queue that is not partitioned, or on the"
                      + " internal queue (no queue given).");
            });
    return start(new PendingStart(StartSpec.onQueue(queueName), debounce), call);
  }

  private WorkflowHandle<Object, Exception> start(PendingStart pending, Invocation call) {
    StartSpec spec = pending.spec;
    Objects.requireNonNull(call, "call");
    if (spec.queueName() != null) {
      queues.requireQueue(spec);
    }
    ThreadHandoffs.OnThread thread = threads.here();
    if (thread.pendingStart != null) {
      throw new IllegalStateException(
          "startWorkflow and enqueue cannot be called inside the lambda of another startWorkflow"
              + " or enqueue; call them one after the other.");
    }
    thread.pendingStart = pending;
    try {
      call.proceed();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalArgumentException(
          "The lambda given to "
              + verb(pending)
              + " threw "
              + e
              + " instead of calling a @Workflow or @Step method; nothing was started.",
          e);
    } finally {
      thread.pendingStart = null;
      threads.releaseIfIdle();
    }
    if (pending.handle == null) {
      throw new IllegalArgumentException(
          "The lambda given to "
              + verb(pending)
              + " called no @Workflow or @Step method through a CDI reference, so nothing was"
              + " started. Call exactly one, through an injected bean or self-reference (never"
              + " through 'this'): for example "
              + verb(pending)
              + "(() -> orders.ship(orderId)).");
    }
    return pending.handle;
  }

  /** Whether a start or enqueue is waiting for the workflow (or step) call that it starts. */
  boolean startRequested() {
    return threads.startPending();
  }

  private static String verb(StartSpec spec) {
    return spec.queueName() == null ? "startWorkflow" : "enqueue";
  }

  private static String verb(PendingStart start) {
    return start.debounce != null ? "debounce" : verb(start.spec);
  }

  /**
   * The start path of {@code runWorkflow}: records the workflow and starts it, runs nothing here.
   */
  Object begin(
      PendingStart start,
      WorkflowDefinition definition,
      Object[] arguments,
      Invocation body,
      WorkflowContext parent) {
    if (start.handle != null) {
      throw new IllegalStateException(
          "The lambda given to "
              + verb(start)
              + " called more than one workflow or step ("
              + definition
              + " after "
              + start.handle.workflowId()
              + "); call exactly one in each.");
    }
    lifecycle.requireRunning(definition);
    StartSpec spec = start.spec;
    ThreadHandoffs.OnThread thread = threads.here();
    String assigned = thread.takeAssignedId();
    if (assigned != null && spec.workflowId() != null && !assigned.equals(spec.workflowId())) {
      throw new IllegalArgumentException(
          "Two workflow ids were given, '"
              + assigned
              + "' (withWorkflowId) and '"
              + spec.workflowId()
              + "' (EnqueueOptions); give one.");
    }
    String explicitId = spec.workflowId() != null ? spec.workflowId() : assigned;
    Duration assignedTimeout = thread.takeTimeout();
    Long timeoutMs =
        ExecutionRequest.timeoutMillis(spec.timeout() != null ? spec.timeout() : assignedTimeout);
    QueueDefinition queue = spec.queueName() == null ? null : queues.requireQueue(spec);
    String inputs = serializer.serializeArguments(arguments, definition.parameterTypes());
    WorkflowContext durableParent = parent != null && !parent.inStep() ? parent : null;
    if (start.debounce != null) {
      beginDebounce(
          start,
          durableParent,
          new ExecutionRequest(
              definition,
              explicitId != null ? explicitId : UUID.randomUUID().toString(),
              inputs,
              body,
              timeoutMs,
              null),
          queue);
      return null;
    }
    Tracing tracing = services.tracing();
    if (durableParent == null) {
      String workflowId = explicitId != null ? explicitId : UUID.randomUUID().toString();
      if (tracing != null) {
        tracing.started(workflowId);
      }
      start.handle =
          beginOutsideWorkflow(
              spec,
              queue,
              new ExecutionRequest(definition, workflowId, inputs, body, timeoutMs, null));
      return null;
    }
    Operation operation = operations.reserve(durableParent);
    if (operation.replayed()) {
      String childId = operations.recordedChild(operation, operation.recorded(), definition);
      start.handle = handle(childId, definition);
      return null;
    }
    String childId =
        explicitId != null ? explicitId : durableParent.workflowId + "-" + operation.functionId();
    // The child first: a crash before the parent's record replays to the same id, and creating
    // it again finds it.
    if (tracing != null) {
      tracing.started(childId);
    }
    create(
        spec,
        queue,
        new ExecutionRequest(definition, childId, inputs, body, timeoutMs, null),
        durableParent);
    childId = operations.recordChild(operation, definition, childId);
    start.handle = handle(childId, definition);
    return null;
  }

  private void beginDebounce(
      PendingStart start,
      WorkflowContext durableParent,
      ExecutionRequest request,
      QueueDefinition queue) {
    if (durableParent != null) {
      // A workflow's operations must replay to the same outcome, and a debounce's (pushed back or
      // enqueued) depends on other calls: recorded as a step's result, it replays as it was.
      throw ErrorCode.DEBOUNCE_IN_WORKFLOW.illegalState(
          "debounce was called in workflow '"
              + durableParent.workflowId
              + "' outside a step, where its outcome could not be replayed; nothing was"
              + " debounced. Call it inside a step and return the workflow id, for example"
              + " dbos.runStep(\"debounce\", String.class, () -> dbos.debounce(key, period, () ->"
              + " bean.method(args)).workflowId()).");
    }
    String workflowId = debouncing.debounce(start.debounce, queue, request);
    start.handle = handle(workflowId, request.definition());
  }

  /**
   * Creates a workflow started outside a workflow: inside the caller's transaction when it runs in
   * one that this start joins (dispatched once it commits), else on its own at once.
   */
  private WorkflowHandle<Object, Exception> beginOutsideWorkflow(
      StartSpec spec, QueueDefinition queue, ExecutionRequest request) {
    String workflowId = request.workflowId();
    String what =
        verb(spec)
            + " of workflow '"
            + workflowId
            + "'"
            + (queue == null ? "" : " on queue '" + queue.name() + "'");
    CallerTransactions.Transaction tx = services.callerTransaction(what);
    WorkflowHandle<Object, Exception> handle = handle(workflowId, request.definition());
    if (tx == null) {
      createRidingOutOutage(spec, queue, request);
      return handle;
    }
    Runnable dispatch =
        TransactionalWrites.write(tx, what, c -> record(c, spec, queue, request, null));
    CommittedStart committed = new CommittedStart(handle, dispatch);
    tx.onCompletion(committed);
    return committed;
  }

  /**
   * Creates a workflow started outside a workflow, trying again while the system database cannot be
   * reached ({@link EngineConfig#startOutageWait}), after a growing pause (250 ms doubling to 2 s).
   * Each try uses the same id, so a start whose commit was lost with its connection is found the
   * next time instead of being made twice. (Inside a workflow, the workflow itself rides out the
   * outage: it is put aside and replayed.)
   */
  private void createRidingOutOutage(
      StartSpec spec, QueueDefinition queue, ExecutionRequest request) {
    String workflowId = request.workflowId();
    long wait = config.startOutageWait().toNanos();
    long started = System.nanoTime();
    int outages = 0;
    while (true) {
      try {
        create(spec, queue, request, null);
        if (outages > 0) {
          LOG.log(
              Level.INFO,
              "Workflow ''{0}'' was started once the system database was back",
              workflowId);
        }
        return;
      } catch (DBOSSystemDatabaseException e) {
        if (!ConnectionFailures.isOutage(e) || !lifecycle.isRunning()) {
          throw e;
        }
        long left = wait - (System.nanoTime() - started);
        if (left <= 0) {
          throw startGaveUp(workflowId, spec, e);
        }
        // Short pauses (a caller waits): 250 ms doubling to 2 s, never past the wait's end.
        long pause =
            Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 250L << Math.min(outages++, 3));
        if (outages == 1) {
          LOG.log(
              Level.WARNING,
              "Starting workflow ''{0}'' waits for the system database, which could not be"
                  + " reached ({1}); trying again for up to {2} s"
                  + " (dbos.system-database.start-outage-wait-seconds)",
              workflowId,
              Failures.rootMessage(e),
              java.math.BigDecimal.valueOf(config.startOutageWait().toMillis(), 3)
                  .stripTrailingZeros()
                  .toPlainString());
        }
        try {
          Thread.sleep(pause); // the caller's own thread, between two tries
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new DBOSInterruptedException(
              workflowId,
              "The caller was interrupted while "
                  + verb(spec)
                  + " of workflow '"
                  + workflowId
                  + "' waited for the system database; it may or may not have been recorded."
                  + " Call again with the same workflow id once the database is back: that"
                  + " starts it if it was not recorded, and finds it if it was.");
        }
      }
    }
  }

  private static DBOSSystemDatabaseException startGaveUp(
      String workflowId, StartSpec spec, DBOSSystemDatabaseException last) {
    return ErrorCode.START_OUTAGE.exception(
        DBOSSystemDatabaseException::new,
        "Could not "
            + verb(spec)
            + " workflow '"
            + workflowId
            + "': the system database could not be reached ("
            + Failures.rootMessage(last)
            + "). It did not run here, and it may or may not have been recorded before the"
            + " connection broke. Call again with the same workflow id ('"
            + workflowId
            + "', given with withWorkflowId or EnqueueOptions.withWorkflowId) once the database"
            + " is back: that starts it if it was not recorded, and finds it if it was, so it runs"
            + " once. To wait longer for the database, raise"
            + " dbos.system-database.start-outage-wait-seconds.",
        last);
  }

  /**
   * Records a started workflow (PENDING here, or ENQUEUED) and starts it if it is this server's.
   */
  private void create(
      StartSpec spec, QueueDefinition queue, ExecutionRequest request, WorkflowContext parent) {
    record(null, spec, queue, request, parent).run();
  }

  /**
   * Records a started workflow (PENDING here, or ENQUEUED) on {@code c} (null: a connection of its
   * own, committed at once) and returns what starts it once that is committed: runs it if it is
   * this server's, or wakes its queue.
   */
  private Runnable record(
      Connection c,
      StartSpec spec,
      QueueDefinition queue,
      ExecutionRequest request,
      WorkflowContext parent) {
    WorkflowDefinition definition = request.definition();
    String workflowId = request.workflowId();
    long now = services.now();
    NewWorkflow workflow = request.row(config, serializer.name(), parent, now);
    if (queue != null) {
      Long delayUntil = spec.delay().isZero() ? null : now + spec.delay().toMillis();
      QueueEntry entry =
          new QueueEntry(
              queue.name(),
              spec.deduplicationId(),
              spec.priority(),
              spec.partitionKey(),
              delayUntil);
      switch (c == null ? queueDb.enqueue(workflow, entry) : queueDb.enqueue(c, workflow, entry)) {
        case ENQUEUED -> {
          return () -> queues.enqueued(queue, delayUntil != null);
        }
        case EXISTS -> WorkflowExecution.requireSameWorkflow(existing(c, workflowId), definition);
        case DUPLICATED ->
            throw new DBOSQueueDuplicatedException(
                workflowId, queue.name(), spec.deduplicationId());
      }
      return NOTHING;
    }
    Long deadline = request.deadline(now, parent);
    SystemDatabase.InitResult init =
        c == null ? db.initWorkflow(workflow, deadline) : db.initWorkflow(c, workflow, deadline);
    WorkflowRow row = init.row();
    WorkflowExecution.requireSameWorkflow(row, definition);
    if (WorkflowState.valueOf(row.status()) != WorkflowState.PENDING
        || !config.executorId().equals(row.executorId())) {
      return NOTHING;
    }
    return () ->
        launcher.launch(
            new ExecutionRequest(
                definition, workflowId, request.inputs(), request.body(), null, init),
            WorkflowLauncher.Placement.EXECUTOR);
  }

  private static final Runnable NOTHING = () -> {};

  /** The row of a workflow an enqueue found, as {@code c} sees it (null: any connection). */
  private WorkflowRow existing(Connection c, String workflowId) {
    if (c == null) {
      return outcomes.readWorkflow(workflowId);
    }
    return db.readWorkflow(c, workflowId)
        .orElseThrow(
            () ->
                new DBOSSystemDatabaseException(
                    "Workflow '"
                        + workflowId
                        + "' was deleted while it was being enqueued again;"
                        + " call again.",
                    null));
  }

  /**
   * A handle to any workflow. Its result is read as the registered workflow's return type, or as
   * plain JSON values when this application does not register that workflow.
   *
   * @throws DBOSNonExistentWorkflowException if no workflow has that id
   */
  WorkflowHandle<Object, Exception> retrieveWorkflow(String workflowId) {
    StorableText.require(workflowId, "workflowId");
    WorkflowRow row =
        db.readWorkflow(workflowId)
            .orElseThrow(() -> new DBOSNonExistentWorkflowException(workflowId));
    return handle(workflowId, registry.get(row.className(), row.name()));
  }

  /** A handle to workflow {@code workflowId}, read as {@code definition}'s (null: plain JSON). */
  WorkflowHandle<Object, Exception> handle(String workflowId, WorkflowDefinition definition) {
    return new EngineWorkflowHandle(workflowId, definition, outcomes, statuses);
  }
}
