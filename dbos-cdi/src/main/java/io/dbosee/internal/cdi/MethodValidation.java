package io.dbosee.internal.cdi;

import io.dbosee.Scheduled;
import io.dbosee.Step;
import io.dbosee.Transaction;
import io.dbosee.Workflow;
import io.dbosee.internal.errors.ErrorCode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.AnnotatedMethod;
import jakarta.enterprise.inject.spi.AnnotatedType;
import jakarta.enterprise.inject.spi.Bean;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

/**
 * Owns the rules a durable method and its bean must follow before anything is prepared: public, not
 * static or final, one of {@code @Workflow}/{@code @Step}/{@code @Transaction}, a compatible
 * {@code @Transactional}, the {@code @Scheduled} signature, the bean's scope. CDI would otherwise
 * skip the interceptor silently, so each broken rule is a definition error that stops the
 * deployment.
 */
final class MethodValidation {
  private static final String TRANSACTIONAL = "jakarta.transaction.Transactional";

  private final List<String> definitionErrors;

  MethodValidation(List<String> definitionErrors) {
    this.definitionErrors = definitionErrors;
  }

  /**
   * Checks the type's class-level annotations and each annotated method; true when the type
   * declares or inherits a durable method, so that the extension prepares it.
   */
  <T> boolean validate(AnnotatedType<T> type) {
    if (type.isAnnotationPresent(Workflow.class)
        || type.isAnnotationPresent(Step.class)
        || type.isAnnotationPresent(Transaction.class)) {
      if (!type.isAnnotationPresent(jakarta.interceptor.Interceptor.class)) {
        definitionErrors.add(
            ErrorCode.CLASS_LEVEL.message(
                type.getJavaClass().getName()
                    + " is annotated @Workflow, @Step or @Transaction at class level, which would"
                    + " make every"
                    + " method durable. Annotate the individual public methods instead."));
      }
    }
    boolean annotated = false;
    for (AnnotatedMethod<? super T> method : type.getMethods()) {
      boolean workflow = method.isAnnotationPresent(Workflow.class);
      boolean step = method.isAnnotationPresent(Step.class);
      boolean transaction = method.isAnnotationPresent(Transaction.class);
      if (method.isAnnotationPresent(Scheduled.class)) {
        validateScheduled(method.getJavaMember(), workflow);
      }
      if (workflow || step || transaction) {
        annotated = true;
        validateMethod(type.getJavaClass(), method.getJavaMember(), workflow, step, transaction);
      }
    }
    if (annotated && Modifier.isFinal(type.getJavaClass().getModifiers())) {
      definitionErrors.add(
          ErrorCode.FINAL_CLASS.message(
              type.getJavaClass().getName()
                  + " is final, so CDI cannot intercept its @Workflow/@Step methods. Remove"
                  + " 'final' from the class."));
    }
    return annotated;
  }

  /** Workflows must live on application-scoped beans, since recovery runs outside any request. */
  void validateScope(Class<?> type, Bean<?> bean, AnnotatedType<?> annotated) {
    boolean hasWorkflow =
        annotated.getMethods().stream().anyMatch(m -> m.isAnnotationPresent(Workflow.class));
    if (hasWorkflow && bean.getScope() != ApplicationScoped.class) {
      definitionErrors.add(
          ErrorCode.WRONG_SCOPE.message(
              type.getName()
                  + " declares @Workflow methods but is @"
                  + bean.getScope().getSimpleName()
                  + ". Workflows must live on @ApplicationScoped beans: recovery restarts them"
                  + " after a crash, outside any request. Annotate the class @ApplicationScoped"
                  + " and pass request data as workflow arguments."));
    }
  }

  private void validateScheduled(Method method, boolean workflow) {
    String where = MethodDescription.of(method);
    if (!workflow) {
      definitionErrors.add(
          ErrorCode.SCHEDULED_SIGNATURE.message(
              where
                  + " is @Scheduled but not @Workflow. Only a workflow can be scheduled: add"
                  + " @Workflow to the method (each tick then runs durably, once)."));
    }
    Class<?>[] parameters = method.getParameterTypes();
    if (parameters.length != 2
        || parameters[0] != Instant.class
        || parameters[1] != Instant.class) {
      definitionErrors.add(
          ErrorCode.SCHEDULED_SIGNATURE.message(
              where
                  + " is @Scheduled, so it must take exactly (Instant scheduledTime, Instant"
                  + " actualTime): the tick's time and the time the tick actually started."
                  + " Change its parameters to those two."));
    }
  }

  private void validateMethod(
      Class<?> beanClass, Method method, boolean workflow, boolean step, boolean transaction) {
    String what = workflow ? "@Workflow" : step ? "@Step" : "@Transaction";
    String where = MethodDescription.of(method);
    int modifiers = method.getModifiers();
    if ((workflow ? 1 : 0) + (step ? 1 : 0) + (transaction ? 1 : 0) > 1) {
      definitionErrors.add(
          ErrorCode.WORKFLOW_AND_STEP.message(
              where
                  + " has more than one of @Workflow, @Step and @Transaction. A method is one of"
                  + " them: a workflow orchestrates steps; a step does one unit of work; a"
                  + " transaction step does one unit of database work exactly once."));
    }
    if (Modifier.isStatic(modifiers)) {
      definitionErrors.add(
          ErrorCode.STATIC_METHOD.message(
              where
                  + " is static and annotated "
                  + what
                  + ". CDI intercepts only instance methods; make it an instance method of the"
                  + " bean."));
    } else if (!Modifier.isPublic(modifiers)) {
      definitionErrors.add(
          ErrorCode.NOT_PUBLIC.message(
              where
                  + " is annotated "
                  + what
                  + " but is not public. CDI does not intercept private methods, nor"
                  + " package-private or protected methods called through a self-reference, so"
                  + " it would run without a checkpoint. Make it public."));
    }
    if (Modifier.isFinal(modifiers)) {
      definitionErrors.add(
          ErrorCode.FINAL_METHOD.message(
              where
                  + " is final and annotated "
                  + what
                  + ". CDI cannot intercept final methods; remove 'final'."));
    }
    validateTransactional(beanClass, method, what, workflow, transaction);
    validateFutureReturn(method, where, what, workflow);
  }

  /** A workflow may return a stage (it then starts in the background); nothing else a future. */
  private void validateFutureReturn(Method method, String where, String what, boolean workflow) {
    Class<?> type = method.getReturnType();
    if (!Future.class.isAssignableFrom(type) && !CompletionStage.class.isAssignableFrom(type)) {
      return;
    }
    if (workflow && (type == CompletionStage.class || type == CompletableFuture.class)) {
      return;
    }
    definitionErrors.add(
        ErrorCode.FUTURE_RETURN_TYPE.message(
            where
                + " is annotated "
                + what
                + " and returns "
                + type.getName()
                + (workflow
                    ? ". A workflow may return CompletionStage<T> or CompletableFuture<T> (a call"
                        + " then starts it in the background and returns the stage of its"
                        + " result), not another future type. Declare CompletionStage<T>."
                    : ". Its result is recorded as a value, so a future would be recorded before"
                        + " its work is done. Return the value itself; declare the calling"
                        + " workflow CompletionStage<T> if its caller should not wait.")));
  }

  /**
   * A {@code @Transactional} that would start, join or require a transaction around a workflow, or
   * any around a {@code @Transaction} step, contradicts how the library runs them.
   */
  private void validateTransactional(
      Class<?> beanClass, Method method, String what, boolean workflow, boolean transaction) {
    String where = MethodDescription.of(method);
    String txType = transactionalType(method, beanClass);
    if (txType != null && transaction) {
      definitionErrors.add(
          ErrorCode.TRANSACTION_AND_TRANSACTIONAL.message(
              where
                  + " is @Transaction and @Transactional("
                  + txType
                  + ") (on the method or its class). A @Transaction step starts and commits its"
                  + " own JTA transaction, in which it also records its outcome; @Transactional"
                  + " would start, join or suspend another. Remove @Transactional from the method"
                  + " (or move the method to a class without it), and choose the isolation level"
                  + " with @Transaction(isolation = ...) instead. For a plain transactional"
                  + " method that is not a durable step, keep @Transactional and remove"
                  + " @Transaction."));
    } else if (txType != null) {
      boolean incompatible =
          workflow
              ? txType.equals("REQUIRED")
                  || txType.equals("REQUIRES_NEW")
                  || txType.equals("MANDATORY")
              : txType.equals("MANDATORY");
      if (incompatible) {
        definitionErrors.add(
            ErrorCode.INCOMPATIBLE_TRANSACTIONAL.message(
                where
                    + " is "
                    + what
                    + " and @Transactional("
                    + txType
                    + ") (on the method or its class). "
                    + (workflow
                        ? "A workflow must not run inside one JTA transaction: it runs on an"
                            + " executor thread and checkpoints each step separately. Remove"
                            + " @Transactional (NOT_SUPPORTED, NEVER and SUPPORTS are allowed) and"
                            + " put transactional work in @Step or @Transaction methods."
                        : "A step runs on the workflow's thread, where no transaction is ever"
                            + " active, so MANDATORY always fails. Use REQUIRED or REQUIRES_NEW,"
                            + " or a @Transaction step.")));
      }
    }
  }

  /**
   * The {@code TxType} of a {@code @Transactional} on the method or its class, or null. Read by
   * name so that applications on servers without JTA do not need its classes.
   */
  private static String transactionalType(Method method, Class<?> beanClass) {
    for (Annotation[] annotations : List.of(method.getAnnotations(), beanClass.getAnnotations())) {
      for (Annotation annotation : annotations) {
        if (annotation.annotationType().getName().equals(TRANSACTIONAL)) {
          try {
            return String.valueOf(
                annotation.annotationType().getMethod("value").invoke(annotation));
          } catch (ReflectiveOperationException e) {
            return "REQUIRED";
          }
        }
      }
    }
    return null;
  }
}
