package io.dbosee.internal.cdi;

import io.dbosee.Step;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

/**
 * Runs a {@code @Step} method through the engine. Its priority puts it outside a
 * {@code @Transactional} on the same method, so the checkpoint follows the commit.
 */
@Step
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_BEFORE + 100)
public class StepInterceptor {
  @Inject DBOSRuntime runtime;

  @AroundInvoke
  public Object runStep(InvocationContext context) throws Exception {
    return runtime.runStep(context.getMethod(), context.getParameters(), context::proceed);
  }
}
