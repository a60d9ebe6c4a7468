package io.dbosee.internal.bytecode;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One call path from a workflow method to a durable method of the same bean where the receiver is
 * {@code this}, so CDI does not intercept it and the durable method runs as a plain call.
 *
 * <p>Pitfalls: {@link #path()} holds JVM names and descriptors ({@code
 * "charge(Ljava/lang/String;)V"}), including synthetic {@code lambda$...} methods; use {@link
 * #describe()} for people. A finding with {@link #inLambda()} set was reached through a lambda or
 * method reference whose invocation the inspector cannot see (it might run later, on another
 * thread, or never), so callers may report it with less severity.
 *
 * @param beanClass the bean class inspected (the receiver's class at run time)
 * @param caller the workflow method the path starts from
 * @param callee the durable method called through {@code this}
 * @param calleeLabel how the caller's predicate labelled the callee, such as {@code "@Step"}
 * @param path the methods from {@code caller} to {@code callee}, both included, each as name
 *     followed by descriptor
 * @param sourceFile the source file holding the offending call, or {@code null} when the class was
 *     compiled without it
 * @param lineNumber the line of the offending call, or {@code -1} when the class was compiled
 *     without line numbers (the convention of {@link StackTraceElement})
 * @param inLambda whether the path goes through a lambda or method reference
 */
public record SelfCall(
    Class<?> beanClass,
    Method caller,
    Method callee,
    String calleeLabel,
    List<String> path,
    String sourceFile,
    int lineNumber,
    boolean inLambda) {

  /** Checks the required components and copies the path. */
  public SelfCall {
    Objects.requireNonNull(beanClass, "beanClass");
    Objects.requireNonNull(caller, "caller");
    Objects.requireNonNull(callee, "callee");
    Objects.requireNonNull(calleeLabel, "calleeLabel");
    path = List.copyOf(Objects.requireNonNull(path, "path"));
    if (path.size() < 2) {
      throw new IllegalArgumentException(
          "a path holds at least the caller and the callee: " + path);
    }
  }

  /**
   * One line naming the caller, the callee, where the call is, the path and the fix, for a
   * deployment error or warning.
   */
  public String describe() {
    String bean = beanClass.getSimpleName();
    String name = callee.getName();
    StringBuilder line = new StringBuilder();
    line.append(bean).append('.').append(signature(caller));
    line.append(" calls the ").append(calleeLabel).append(" method ").append(signature(callee));
    line.append(" through 'this'");
    if (inLambda) {
      line.append(" inside a lambda or method reference");
    }
    line.append(" (").append(location()).append(", via ").append(displayPath()).append("): ");
    line.append("CDI does not intercept calls through 'this', so it would run as a plain call,");
    line.append(" without being recorded by the workflow. Call it through an injected reference");
    line.append(" (@Inject ").append(bean).append(" self; self.").append(name).append("(...))");
    if ("@Step".equals(calleeLabel)) {
      line.append(" or as an inline step (dbos.runStep(\"").append(name).append("\", () -> ...))");
    }
    line.append('.');
    return line.toString();
  }

  private String location() {
    String file = sourceFile == null ? "unknown source" : sourceFile;
    return lineNumber < 0 ? file : file + ":" + lineNumber;
  }

  // Synthetic lambda bodies are named lambda$<enclosing>$<n> by javac; people know them as lambdas.
  private String displayPath() {
    return path.stream()
        .map(m -> m.substring(0, m.indexOf('(')))
        .map(n -> n.startsWith("lambda$") ? "lambda" : n)
        .collect(Collectors.joining(" -> "));
  }

  private static String signature(Method method) {
    return method.getName()
        + Arrays.stream(method.getParameterTypes())
            .map(Class::getSimpleName)
            .collect(Collectors.joining(", ", "(", ")"));
  }
}
