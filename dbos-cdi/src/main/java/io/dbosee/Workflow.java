package io.dbosee;

import jakarta.enterprise.util.Nonbinding;
import jakarta.interceptor.InterceptorBinding;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a public method of an {@code @ApplicationScoped} bean a durable workflow: its inputs, every
 * step's outcome and its result are checkpointed, and after a crash it resumes from its last
 * completed step.
 *
 * <pre>{@code
 * @ApplicationScoped
 * public class Orders {
 *   @Inject Orders self;
 *
 *   @Workflow
 *   public String checkout(String orderId) {
 *     self.reserveStock(orderId); // a @Step called through the injected reference
 *     self.charge(orderId);
 *     return "done";
 *   }
 * }
 * }</pre>
 *
 * <p>Pitfalls:
 *
 * <ul>
 *   <li>The body must be deterministic: on replay it must call the same steps in the same order. Do
 *       non-deterministic work (clocks, random numbers, I/O) in steps.
 *   <li>Steps must be called through an injected reference, never through {@code this}: CDI does
 *       not intercept self-calls. Deployment fails when a workflow calls its own step directly.
 *   <li>The body runs on the server's managed executor, with a fresh request context and without
 *       the caller's JTA transaction.
 * </ul>
 */
@InterceptorBinding
@Documented
@Retention(RetentionPolicy.RUNTIME)
// TYPE only so that the library's interceptor can carry the binding; on an application class
// it is a deployment error (annotate the methods).
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Workflow {

  /** The default of {@link #maxRecoveryAttempts()}. */
  int DEFAULT_MAX_RECOVERY_ATTEMPTS = 100;

  /**
   * The workflow's name in the system database; the method name when empty. Together with the bean
   * class name it addresses the workflow, so changing it strands workflows in flight.
   */
  @Nonbinding
  String name() default "";

  /**
   * How many times an unfinished workflow is started again (by recovery or by a call with its id)
   * before it is parked as {@code MAX_RECOVERY_ATTEMPTS_EXCEEDED}. Overridable through MicroProfile
   * Config: {@code dbos.workflow."<class>/<method>".max-recovery-attempts}.
   */
  @Nonbinding
  int maxRecoveryAttempts() default DEFAULT_MAX_RECOVERY_ATTEMPTS;
}
