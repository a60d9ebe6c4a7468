package io.dbosee.internal.cdi;

import io.dbosee.CheckedRunnable;
import io.dbosee.CheckedSupplier;
import io.dbosee.EnqueueOptions;
import io.dbosee.Queue;
import io.dbosee.WorkflowHandle;
import io.dbosee.internal.engine.StartSpec;
import java.util.Objects;

/** A {@link Queue} by name; the engine checks the name and the options on each enqueue. */
final class EngineQueue implements Queue {
  private final String name;
  private final DBOSRuntime runtime;

  EngineQueue(String name, DBOSRuntime runtime) {
    this.name = name;
    this.runtime = runtime;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public <T, X extends Exception> WorkflowHandle<T, X> enqueue(CheckedSupplier<T, X> call) {
    return enqueue(call, EnqueueOptions.DEFAULT);
  }

  @Override
  public <T, X extends Exception> WorkflowHandle<T, X> enqueue(
      CheckedSupplier<T, X> call, EnqueueOptions options) {
    Objects.requireNonNull(call, "call");
    return runtime.start(spec(options), call::get);
  }

  @Override
  public <X extends Exception> WorkflowHandle<Void, X> enqueue(CheckedRunnable<X> call) {
    return enqueue(call, EnqueueOptions.DEFAULT);
  }

  @Override
  public <X extends Exception> WorkflowHandle<Void, X> enqueue(
      CheckedRunnable<X> call, EnqueueOptions options) {
    Objects.requireNonNull(call, "call");
    return runtime.start(
        spec(options),
        () -> {
          call.run();
          return null;
        });
  }

  private StartSpec spec(EnqueueOptions options) {
    Objects.requireNonNull(options, "options");
    return StartSpec.onQueue(name)
        .withWorkflowId(options.workflowId())
        .withDeduplicationId(options.deduplicationId())
        .withPriority(options.priority())
        .withPartitionKey(options.partitionKey())
        .withDelay(options.delay())
        .withTimeout(options.timeout());
  }

  @Override
  public String toString() {
    return "Queue[" + name + "]";
  }
}
