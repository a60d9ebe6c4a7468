package io.dbosee.internal.engine;

import io.dbosee.DBOSNonDeterministicWorkflowException;
import io.dbosee.internal.engine.db.Checkpoint;
import io.dbosee.internal.engine.db.RecordedOperation;
import io.dbosee.internal.engine.db.SystemDatabase;
import io.dbosee.internal.engine.serialization.Serializer;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The one place where a workflow's durable operations are numbered, replayed and recorded. Every
 * durable operation (a step, a sleep, a send or recv, a set or get of an event, a stream write, the
 * start of a child workflow) takes its position here ({@link #begin}), is replayed from what an
 * earlier execution recorded at that position, or runs and is recorded: by {@link #record} for
 * outcomes the engine writes itself, or by the statement that does the operation's own write.
 *
 * <p>Every write to {@code operation_outputs}:
 *
 * <ul>
 *   <li>{@link SystemDatabase#recordOperation} (through {@link #record}, batched by {@code
 *       CheckpointCommits}): a step's output or error, a child workflow's id, a durable wait's
 *       wake-up time, the value a {@code getEvent} read, a wait that ended with nothing;
 *   <li>{@code MessageDatabase.send}, {@code receive}, {@code setEvent} and {@code writeStream}:
 *       the operation's own row, in the statement that sends, consumes or writes (so that the
 *       effect and its record commit together), at the position taken here;
 *   <li>{@code WorkflowFork}: copies a workflow's rows before the fork's step into the new
 *       workflow.
 * </ul>
 */
final class DurableOperations {

  /**
   * How often a running workflow's checkpoints read its row, to see a cancellation or a take-over
   * made on another server (one made here is seen at once): a checkpoint reads it once this long
   * has passed since the last read (the workflow's start reads it first). Reading it at every
   * checkpoint cost a no-op step about a tenth of its time (an index lookup in the statement, about
   * 6 us more per round trip on the benchmark machine); at this interval a workflow whose steps
   * take longer still reads it at each of them, and one of fast steps runs on for at most this long
   * after such a change. docs/internals/performance.md ("What the figures say") has the
   * measurements.
   */
  static final long STATUS_READ_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  /** The name recorded for a durable sleep; the same as the DBOS SDKs use. */
  static final String SLEEP = "DBOS.sleep";

  private final EngineServices services;
  private final SystemDatabase db;
  private final Serializer serializer;
  private final Cancellation cancellation;

  DurableOperations(EngineServices services, Cancellation cancellation) {
    this.services = services;
    this.db = services.db;
    this.serializer = services.serializer;
    this.cancellation = cancellation;
  }

  /**
   * The workflow's next durable operation. Ends the workflow first if it was cancelled, passed its
   * deadline, was taken over or is being parked.
   */
  Operation begin(WorkflowContext context) {
    cancellation.checkNotCancelled(context);
    return reserve(context);
  }

  /**
   * The workflow's next position, without looking at its cancellation: for a start inside a
   * workflow, and for the second position of a wait with a timeout.
   */
  Operation reserve(WorkflowContext context) {
    int functionId = context.nextFunctionId();
    return new Operation(context, functionId, context.recorded(functionId));
  }

  /**
   * Records {@code outcome} as the operation's, begun at {@code startedAt}. The checkpoint also
   * reads the workflow's row when {@link #STATUS_READ_INTERVAL_NANOS} have passed since it was last
   * read.
   *
   * @return empty when this call recorded it; the row another execution recorded first otherwise
   */
  Optional<RecordedOperation> record(
      Operation operation, String name, OperationOutcome outcome, long startedAt) {
    WorkflowContext context = operation.context();
    return db.recordOperation(
        new Checkpoint(
            context.workflowId,
            operation.functionId(),
            name,
            outcome.output(),
            outcome.error(),
            outcome.childWorkflowId(),
            outcome.serialization(),
            startedAt,
            services.now(),
            context.statusReadDue(STATUS_READ_INTERVAL_NANOS)));
  }

  /**
   * The end of a durable wait that lasts {@code timeout}: recorded at {@code at} the first time,
   * read on replay, so that a wait begun before a restart ends at the same instant after it.
   */
  long wakeUp(Operation at, Duration timeout) {
    if (at.replayed()) {
      return recordedWakeUp(at, at.recorded());
    }
    long now = services.now();
    long wakeAt = now + timeout.toMillis();
    Optional<RecordedOperation> winner =
        record(
            at,
            SLEEP,
            OperationOutcome.output(serializer.serialize(wakeAt, long.class), serializer.name()),
            now);
    return winner.isPresent() ? recordedWakeUp(at, winner.get()) : wakeAt;
  }

  /** Records that a wait ended with nothing (a null output), unless another execution recorded. */
  Optional<Object> recordNothing(Operation operation, String name, Type type) {
    Optional<RecordedOperation> winner =
        record(operation, name, OperationOutcome.nothing(serializer.name()), services.now());
    return winner.isPresent()
        ? recordedValue(operation, winner.get(), name, type)
        : Optional.empty();
  }

  /** The value a wait recorded (empty: it ended with nothing), read as {@code type}. */
  Optional<Object> recordedValue(
      Operation operation, RecordedOperation recorded, String name, Type type) {
    requireName(operation, recorded, name);
    if (recorded.output() == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(
        services.read(recorded.serialization()).deserialize(recorded.output(), type));
  }

  /** Refuses a replay that reaches, at this position, another operation than the one recorded. */
  void requireName(Operation operation, RecordedOperation recorded, String name) {
    if (!recorded.functionName().equals(name)) {
      throw nonDeterministic(operation, recorded.functionName(), name);
    }
  }

  private long recordedWakeUp(Operation operation, RecordedOperation recorded) {
    if (!recorded.functionName().equals(SLEEP)) {
      throw nonDeterministic(operation, recorded.functionName(), SLEEP);
    }
    return (Long)
        services.read(recorded.serialization()).deserialize(recorded.output(), Long.class);
  }

  /**
   * The error of a replay that does not match what was recorded, marked on the workflow so that it
   * ends in ERROR even if the body catches it.
   */
  DBOSNonDeterministicWorkflowException nonDeterministic(
      Operation operation, String recordedName, String calledName) {
    WorkflowContext context = operation.context();
    DBOSNonDeterministicWorkflowException e =
        new DBOSNonDeterministicWorkflowException(
            context.workflowId, operation.functionId(), recordedName, calledName);
    context.fail(e);
    return e;
  }

  /**
   * Records that the parent's operation is child workflow {@code childId}.
   *
   * @return the child's id: {@code childId}, or the one another execution recorded first
   */
  String recordChild(Operation operation, WorkflowDefinition definition, String childId) {
    Optional<RecordedOperation> winner =
        record(
            operation,
            definition.name(),
            OperationOutcome.child(childId, serializer.name()),
            services.now());
    return winner.isPresent() ? recordedChild(operation, winner.get(), definition) : childId;
  }

  /** The child workflow an earlier execution recorded at this position. */
  String recordedChild(
      Operation operation, RecordedOperation recorded, WorkflowDefinition definition) {
    if (recorded.childWorkflowId() == null || !recorded.functionName().equals(definition.name())) {
      throw nonDeterministic(
          operation, recorded.functionName(), "child workflow " + definition.name());
    }
    return recorded.childWorkflowId();
  }
}
