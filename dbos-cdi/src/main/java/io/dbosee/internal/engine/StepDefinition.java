package io.dbosee.internal.engine;

import io.dbosee.StepOptions;
import java.lang.reflect.Type;
import java.util.Objects;

/**
 * A step as the engine runs it.
 *
 * @param name the name recorded in {@code operation_outputs}
 * @param options its retry policy
 * @param returnType the declared return type its recorded output binds to
 * @param classLoader where recorded exception types are looked up
 * @param execution how the body runs when its outcome is recorded elsewhere too (a transaction
 *     step); null for an ordinary step, which the engine runs and retries itself
 */
public record StepDefinition(
    String name,
    StepOptions options,
    Type returnType,
    ClassLoader classLoader,
    StepExecution execution) {

  public StepDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(returnType, "returnType");
    Objects.requireNonNull(classLoader, "classLoader");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a step name must not be blank");
    }
  }

  /** An ordinary step. */
  public StepDefinition(
      String name, StepOptions options, Type returnType, ClassLoader classLoader) {
    this(name, options, returnType, classLoader, null);
  }

  /** The same step, run through {@code execution}. */
  public StepDefinition withExecution(StepExecution execution) {
    return new StepDefinition(
        name, options, returnType, classLoader, Objects.requireNonNull(execution, "execution"));
  }
}
