package io.dbosee.internal.engine;

import io.dbosee.internal.engine.StepExecution.RecordedOutcome;
import io.dbosee.internal.engine.serialization.Serializer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One execution of a step at one position of one workflow, as handed to a {@link StepExecution}:
 * the ids to record the outcome under, and the engine's serializer bound to the step's declared
 * types, so that the outcome recorded outside the system database reads back exactly like a
 * checkpoint.
 */
public final class StepCall {
  private final String workflowId;
  private final int functionId;
  private final StepDefinition step;
  private final Serializer serializer;
  private final Function<String, Serializer> readers;
  private final Predicate<Throwable> stopping;

  StepCall(
      String workflowId,
      int functionId,
      StepDefinition step,
      Serializer serializer,
      Function<String, Serializer> readers,
      Predicate<Throwable> stopping) {
    this.workflowId = workflowId;
    this.functionId = functionId;
    this.step = step;
    this.serializer = serializer;
    this.readers = readers;
    this.stopping = stopping;
  }

  public String workflowId() {
    return workflowId;
  }

  /** The step's position in the workflow: the {@code function_id} of its checkpoint. */
  public int functionId() {
    return functionId;
  }

  public String stepName() {
    return step.name();
  }

  /** The format name written next to every value this call serializes. */
  public String serialization() {
    return serializer.name();
  }

  /** The body's result as text, bound to the step's declared return type. */
  public String serializeResult(Object result) {
    return serializer.serialize(result, step.returnType());
  }

  public String serializeError(Throwable error) {
    return serializer.serializeError(error);
  }

  /**
   * Whether {@code failure} means the engine is stopping or the thread was interrupted: such an
   * outcome is never recorded, and the workflow stays PENDING.
   */
  public boolean mustStayPending(Throwable failure) {
    return stopping.test(failure);
  }

  /**
   * Returns the recorded result, or throws the recorded exception as its original type (checked or
   * not), as a replay of a checkpoint would.
   */
  public Object replay(RecordedOutcome outcome) {
    Serializer reader = readers.apply(outcome.serialization());
    if (outcome.error() != null) {
      throw Outcomes.<RuntimeException>sneakyThrow(
          reader.deserializeError(outcome.error(), step.classLoader()));
    }
    return reader.deserialize(outcome.output(), step.returnType());
  }
}
