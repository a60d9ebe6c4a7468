package io.dbosee.internal.jpa;

import io.dbosee.Transaction;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

/**
 * Runs a {@code @Transaction} method as a transaction step. Same priority as the step interceptor:
 * both are outermost, and {@code @Transactional} on the same method is rejected at deployment, so
 * the step's transaction is always the one this interceptor begins, on the thread that runs it.
 */
@Transaction
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_BEFORE + 100)
public class TransactionInterceptor {
  @Inject TransactionSteps steps;

  @AroundInvoke
  public Object runTransaction(InvocationContext context) throws Exception {
    return steps.run(context.getMethod(), context::proceed);
  }
}
