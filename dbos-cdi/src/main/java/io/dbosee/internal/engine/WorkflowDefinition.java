package io.dbosee.internal.engine;

import java.lang.reflect.Type;
import java.util.List;
import java.util.Objects;

/**
 * A registered workflow: how it is addressed in the system database, how its values bind to Java
 * types, and how recovery starts it again.
 *
 * @param name the workflow name
 * @param className the class that declares it (with the name, its address)
 * @param parameterTypes the declared parameter types
 * @param returnType the declared return type (see {@link #resultType})
 * @param maxRecoveryAttempts starts allowed after the first one before it is parked
 * @param classLoader where recorded exception types are looked up
 * @param invoker how recovery starts it
 * @param wrapsStep whether this is a step enqueued or started on its own: the engine runs it as a
 *     one-step workflow by calling {@code invoker}, which calls the step through its interceptor
 * @param parameterNames the parameters' names, to bind the named arguments another SDK's client may
 *     give; null when unknown (compiled without {@code -parameters})
 */
public record WorkflowDefinition(
    String name,
    String className,
    Type[] parameterTypes,
    Type returnType,
    int maxRecoveryAttempts,
    ClassLoader classLoader,
    WorkflowInvoker invoker,
    boolean wrapsStep,
    List<String> parameterNames) {

  /** The name prefix of the one-step workflows that run a step enqueued on its own. */
  public static final String STEP_WRAPPER_PREFIX = "<temp>.";

  public WorkflowDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(className, "className");
    Objects.requireNonNull(parameterTypes, "parameterTypes");
    Objects.requireNonNull(returnType, "returnType");
    Objects.requireNonNull(classLoader, "classLoader");
    if (maxRecoveryAttempts < 0) {
      throw new IllegalArgumentException(
          "maxRecoveryAttempts must be zero or more, got " + maxRecoveryAttempts);
    }
    parameterTypes = parameterTypes.clone();
    if (parameterNames != null) {
      parameterNames = List.copyOf(parameterNames);
      if (parameterNames.size() != parameterTypes.length) {
        throw new IllegalArgumentException(
            parameterNames.size() + " parameter names for " + parameterTypes.length + " types");
      }
    }
  }

  /** A workflow whose parameter names are not known. */
  public WorkflowDefinition(
      String name,
      String className,
      Type[] parameterTypes,
      Type returnType,
      int maxRecoveryAttempts,
      ClassLoader classLoader,
      WorkflowInvoker invoker,
      boolean wrapsStep) {
    this(
        name,
        className,
        parameterTypes,
        returnType,
        maxRecoveryAttempts,
        classLoader,
        invoker,
        wrapsStep,
        null);
  }

  /** A workflow whose body is the intercepted method. */
  public WorkflowDefinition(
      String name,
      String className,
      Type[] parameterTypes,
      Type returnType,
      int maxRecoveryAttempts,
      ClassLoader classLoader,
      WorkflowInvoker invoker) {
    this(
        name,
        className,
        parameterTypes,
        returnType,
        maxRecoveryAttempts,
        classLoader,
        invoker,
        false);
  }

  /**
   * Whether the method returns a {@code CompletionStage} (or {@code CompletableFuture}): a call
   * starts the workflow in the background and returns the stage of its result.
   */
  public boolean returnsStage() {
    return !wrapsStep && ReturnedStages.isStage(returnType);
  }

  /** The type of the recorded result: for a method returning a stage, the stage's value type. */
  public Type resultType() {
    return wrapsStep ? returnType : ReturnedStages.valueType(returnType);
  }

  /** The key recovery uses to find this workflow from a {@code workflow_status} row. */
  public String key() {
    return key(className, name);
  }

  static String key(String className, String name) {
    return className + "/" + name;
  }

  @Override
  public Type[] parameterTypes() {
    return parameterTypes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WorkflowDefinition d && d.key().equals(key());
  }

  @Override
  public int hashCode() {
    return key().hashCode();
  }

  @Override
  public String toString() {
    return "workflow " + key();
  }
}
