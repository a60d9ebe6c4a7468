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
 */
public record StepDefinition(
    String name, StepOptions options, Type returnType, ClassLoader classLoader) {

  public StepDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(returnType, "returnType");
    Objects.requireNonNull(classLoader, "classLoader");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a step name must not be blank");
    }
  }
}
