package io.dbosee.internal.cdi;

import io.dbosee.Workflow;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

/**
 * Runs a {@code @Workflow} method through the engine. Its priority puts it outside
 * {@code @Transactional} (PLATFORM_BEFORE + 200), so no caller transaction reaches the body.
 */
@Workflow
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_BEFORE + 100)
public class WorkflowInterceptor {
  @Inject DBOSRuntime runtime;

  @AroundInvoke
  public Object runWorkflow(InvocationContext context) throws Exception {
    return runtime.runWorkflow(context.getMethod(), context.getParameters(), context::proceed);
  }
}
