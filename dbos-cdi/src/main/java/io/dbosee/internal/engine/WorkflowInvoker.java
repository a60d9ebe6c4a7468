package io.dbosee.internal.engine;

/**
 * Starts a registered workflow from recovery: calls the workflow method the way an application
 * would, so that every interceptor applies. The engine has already set the workflow id to use.
 */
@FunctionalInterface
public interface WorkflowInvoker {
  Object invoke(Object[] arguments) throws Exception;
}
