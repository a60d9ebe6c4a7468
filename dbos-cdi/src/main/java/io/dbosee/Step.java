package io.dbosee;

import jakarta.enterprise.util.Nonbinding;
import jakarta.interceptor.InterceptorBinding;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a public bean method a durable step: called from a workflow, its outcome (return value or
 * exception) is checkpointed when it completes, and a replay of the workflow returns the recorded
 * outcome instead of running it again.
 *
 * <pre>{@code
 * @Step(maxAttempts = 5, intervalSeconds = 0.5, backoffRate = 2.0)
 * public Receipt charge(String orderId) { return paymentGateway.charge(orderId); }
 * }</pre>
 *
 * <p>Every attribute can be overridden through MicroProfile Config, most specific first: {@code
 * dbos.step."<class>/<method>".max-attempts}, {@code dbos.step."<class>".max-attempts}, {@code
 * dbos.step.max-attempts}, then the annotation (likewise {@code interval-seconds} and {@code
 * backoff-rate}).
 *
 * <p>Pitfalls: a step may run more than once if the server dies after its work but before its
 * checkpoint, so make its side effects idempotent (or use a {@code @Transaction} step for database
 * work). A step called outside a workflow, or from inside another step, is a plain call.
 */
@InterceptorBinding
@Documented
@Retention(RetentionPolicy.RUNTIME)
// TYPE only so that the library's interceptor can carry the binding; on an application class
// it is a deployment error (annotate the methods).
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Step {

  /** The step's name in the checkpoint table; the method name when empty. */
  @Nonbinding
  String name() default "";

  /** Total attempts, the first included; 1 (the default) means no retry. */
  @Nonbinding
  int maxAttempts() default 1;

  /** Seconds to wait before the first retry. */
  @Nonbinding
  double intervalSeconds() default 1.0;

  /** Factor applied to the wait after each failed retry; 1.0 keeps it constant. */
  @Nonbinding
  double backoffRate() default 2.0;
}
