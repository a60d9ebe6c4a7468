package io.dbosee.internal.engine;

import io.dbosee.internal.engine.db.MessageDatabase;
import io.dbosee.internal.engine.db.SystemDatabase;
import io.dbosee.internal.engine.serialization.Serializer;
import io.dbosee.internal.engine.serialization.Serializers;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * What every part of the engine shares: its configuration, clock, system database, serializer,
 * executor and hooks; whether it runs; the registered workflows; the executions running here; and
 * each thread's hand-offs. {@link DBOSEngine} builds one and gives it to each part.
 */
final class EngineServices {
  final EngineConfig config;
  final TimeSource time;
  final SystemDatabase db;

  /** Writes every value this engine records; {@link #read} picks the reader of a recorded one. */
  final Serializer serializer;

  final Executor executor;
  final ExecutionHooks hooks;
  final EngineLifecycle lifecycle = new EngineLifecycle();
  final WorkflowRegistry registry = new WorkflowRegistry();

  /** Workflows executing in this JVM, so that concurrent calls with one id run the body once. */
  final Map<String, RunningWorkflow> active = new ConcurrentHashMap<>();

  /** Queued workflows claimed here on their way to {@link #active}, which recovery spares. */
  final ClaimedHere claimed = new ClaimedHere();

  /** What the engine keeps on each thread: the workflow running there, and per-call hand-offs. */
  final ThreadHandoffs threads = new ThreadHandoffs();

  /** The hosting layer's transactions, which starts, enqueues and sends from outside join. */
  private volatile CallerTransactions callerTransactions = CallerTransactions.NONE;

  /** Set before launch when an {@link ExecutionObserver} is enabled; null: nothing observed. */
  private volatile Tracing tracing;

  /** Set before launch when an {@link EngineMetrics} is enabled; null: nothing counted. */
  private volatile EngineMetrics metrics;

  EngineServices(
      EngineConfig config,
      TimeSource time,
      SystemDatabase db,
      Serializer serializer,
      Executor executor,
      ExecutionHooks hooks) {
    this.config = config;
    this.time = time;
    this.db = db;
    this.serializer = serializer;
    this.executor = executor;
    this.hooks = hooks;
  }

  long now() {
    return time.currentTimeMillis();
  }

  /** The serializer that reads a value recorded in {@code format} (null: this engine's). */
  Serializer read(String format) {
    return format == null || format.equals(serializer.name())
        ? serializer
        : Serializers.forName(format, serializer);
  }

  /** A message, event or stream value, serialized as its own class. */
  MessageDatabase.Value serializeValue(Object value) {
    return new MessageDatabase.Value(
        serializer.serialize(value, value == null ? Object.class : value.getClass()),
        serializer.name());
  }

  /**
   * The caller's transaction that {@code what} (a start, enqueue or send from outside a workflow)
   * joins, or null when it commits on its own ({@link CallerTransactions#join}).
   */
  CallerTransactions.Transaction callerTransaction(String what) {
    return callerTransactions.join(what);
  }

  void joinCallerTransactions(CallerTransactions transactions) {
    this.callerTransactions = transactions;
  }

  Tracing tracing() {
    return tracing;
  }

  void trace(Tracing tracing) {
    this.tracing = tracing;
  }

  /** The enabled metrics, or null: then the engine counts nothing. */
  EngineMetrics metrics() {
    return metrics;
  }

  void measure(EngineMetrics metrics) {
    this.metrics = metrics;
  }
}
