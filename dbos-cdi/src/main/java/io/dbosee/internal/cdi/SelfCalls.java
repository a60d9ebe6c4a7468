package io.dbosee.internal.cdi;

import io.dbosee.Step;
import io.dbosee.Workflow;
import io.dbosee.internal.bytecode.Inspection;
import io.dbosee.internal.bytecode.SelfCall;
import io.dbosee.internal.bytecode.SelfCallInspector;
import io.dbosee.internal.errors.ErrorCode;
import jakarta.interceptor.InterceptorBinding;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns the bytecode inspector's findings into deployment problems (or warnings): a workflow that
 * calls its own durable method through {@code this} would run it without a checkpoint.
 */
final class SelfCalls {
  private SelfCalls() {}

  static void check(
      Class<?> beanClass,
      List<Method> workflows,
      GlobalSettings.SelfCallCheck mode,
      List<String> problems,
      Logger log) {
    if (workflows.isEmpty()) {
      return;
    }
    SelfCallInspector inspector = new SelfCallInspector(SelfCalls::durableLabel);
    for (Method workflow : workflows) {
      Inspection inspection = inspector.inspect(beanClass, workflow);
      for (String diagnostic : inspection.diagnostics()) {
        log.log(
            Level.FINE, "DBOS self-call check of {0}: {1}", new Object[] {workflow, diagnostic});
      }
      for (SelfCall call : inspection.selfCalls()) {
        // A lambda may run later or elsewhere, so what is found inside one is only a warning.
        if (mode == GlobalSettings.SelfCallCheck.FAIL && !call.inLambda()) {
          problems.add(
              ErrorCode.SELF_CALL.message(
                  call.describe() + " (Set dbos.self-call-check=warn to deploy anyway.)"));
        } else {
          log.warning(ErrorCode.SELF_CALL.message(call.describe()));
        }
      }
    }
  }

  /** "@Step", "@Workflow" or "@Transaction" (any interceptor binding of that name), or null. */
  static String durableLabel(Method method) {
    if (method.isAnnotationPresent(Workflow.class)) {
      return "@Workflow";
    }
    if (method.isAnnotationPresent(Step.class)) {
      return "@Step";
    }
    for (Annotation annotation : method.getAnnotations()) {
      Class<? extends Annotation> type = annotation.annotationType();
      if (type.getSimpleName().equals("Transaction")
          && type.isAnnotationPresent(InterceptorBinding.class)) {
        return "@Transaction";
      }
    }
    return null;
  }
}
