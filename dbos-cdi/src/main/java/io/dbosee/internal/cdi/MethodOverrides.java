package io.dbosee.internal.cdi;

import io.dbosee.StepOptions;
import io.dbosee.Transaction;
import io.dbosee.internal.errors.ErrorCode;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Owns the per-method overrides of annotation values for workflows, steps and transaction steps
 * ({@code dbos.workflow.*}, {@code dbos.step.*}, {@code dbos.transaction.*}), resolved the way
 * MicroProfile Fault Tolerance does: method key, class key, global key, then the annotation.
 */
final class MethodOverrides {
  private static final String PREFIX = "dbos.";

  private final ConfigValues values;
  private final List<String> problems;

  MethodOverrides(ConfigValues values) {
    this.values = values;
    this.problems = values.problems();
  }

  /** Max recovery attempts of a workflow method: method key, class key, global key, annotation. */
  int maxRecoveryAttempts(Method method, Class<?> beanClass, int annotated) {
    return layered(
        "workflow",
        "max-recovery-attempts",
        method,
        beanClass,
        Integer.class,
        annotated,
        n -> n >= 0,
        "an integer of at least 0");
  }

  /** A transaction step's isolation level: method key, class key, global key, annotation. */
  Transaction.Isolation isolation(
      Method method, Class<?> beanClass, Transaction.Isolation annotated) {
    String value =
        layered(
            "transaction",
            "isolation",
            method,
            beanClass,
            String.class,
            configName(annotated),
            s -> parseIsolation(s) != null,
            "read-committed, repeatable-read or serializable");
    Transaction.Isolation parsed = parseIsolation(value);
    return parsed == null ? annotated : parsed;
  }

  static String configName(Transaction.Isolation isolation) {
    return isolation.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static Transaction.Isolation parseIsolation(String s) {
    String normal = s.trim().toUpperCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
    for (Transaction.Isolation isolation : Transaction.Isolation.values()) {
      if (isolation.name().equals(normal)) {
        return isolation;
      }
    }
    return null;
  }

  /** A step's retry policy with every override applied; the annotation's value otherwise. */
  StepOptions stepOptions(
      Method method, Class<?> beanClass, int maxAttempts, double intervalSeconds, double rate) {
    int attempts =
        layered(
            "step",
            "max-attempts",
            method,
            beanClass,
            Integer.class,
            maxAttempts,
            n -> n >= 1,
            "an integer of at least 1 (1 means no retry)");
    double interval =
        layered(
            "step",
            "interval-seconds",
            method,
            beanClass,
            Double.class,
            intervalSeconds,
            d -> d >= 0 && Double.isFinite(d),
            "a number of seconds, at least 0");
    double backoff =
        layered(
            "step",
            "backoff-rate",
            method,
            beanClass,
            Double.class,
            rate,
            d -> d >= 1.0 && Double.isFinite(d),
            "a number of at least 1.0");
    try {
      return new StepOptions(attempts, Duration.ofNanos((long) (interval * 1e9)), backoff);
    } catch (IllegalArgumentException e) {
      problems.add(
          ErrorCode.INVALID_CONFIG.message(
              "The retry policy of step "
                  + MethodDescription.of(method)
                  + " is invalid: "
                  + e.getMessage()));
      return StepOptions.DEFAULT;
    }
  }

  private <T> T layered(
      String kind,
      String property,
      Method method,
      Class<?> beanClass,
      Class<T> type,
      T annotated,
      Function<T, Boolean> valid,
      String allowed) {
    String[] keys = {
      PREFIX + kind + ".\"" + beanClass.getName() + "/" + method.getName() + "\"." + property,
      PREFIX + kind + ".\"" + beanClass.getName() + "\"." + property,
      PREFIX + kind + "." + property
    };
    for (String key : keys) {
      Optional<T> value = values.optional(key, type, valid, allowed);
      if (value.isPresent()) {
        return value.get();
      }
    }
    if (!valid.apply(annotated)) {
      problems.add(
          ErrorCode.INVALID_CONFIG.message(
              "The annotation on "
                  + MethodDescription.of(method)
                  + " sets "
                  + property
                  + " to "
                  + annotated
                  + ", but it must be "
                  + allowed
                  + "."));
    }
    return annotated;
  }
}
