package io.dbosee.internal.engine;

import java.util.concurrent.Callable;

/**
 * What the hosting layer wraps around every workflow body the engine runs on an executor thread,
 * for example activating a CDI request context.
 */
@FunctionalInterface
public interface ExecutionHooks {
  ExecutionHooks NONE = Callable::call;

  <T> T aroundWorkflow(Callable<T> body) throws Exception;
}
