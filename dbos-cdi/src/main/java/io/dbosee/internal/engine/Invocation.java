package io.dbosee.internal.engine;

/** The body of a workflow or step: an intercepted method's {@code proceed()}, or a lambda. */
@FunctionalInterface
public interface Invocation {
  Object proceed() throws Exception;
}
