package io.dbosee.internal.cdi;

import io.dbosee.Scheduled;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.function.Function;

/**
 * Owns the configuration of each {@code @Scheduled} method: the {@code
 * dbos.schedule."<class>/<method>".*} and {@code dbos.schedule."<class>".*} keys that override the
 * annotation's values, so that an environment can move or switch off a schedule without a rebuild.
 * There is no global key: one cron for every schedule would make no sense.
 */
final class ScheduleSettings {
  static final String PREFIX = "dbos.schedule.\"";

  /** A schedule's values with every override applied, before they are validated. */
  record Values(
      boolean enabled, String cron, String timeZone, String queue, boolean automaticBackfill) {}

  private final ConfigValues values;

  ScheduleSettings(ConfigValues values) {
    this.values = values;
  }

  Values of(Method method, Class<?> beanClass, Scheduled annotation) {
    boolean enabled =
        scheduleValue(
            method, beanClass, "enabled", Boolean.class, true, b -> true, "true or false");
    String cron =
        scheduleValue(
            method,
            beanClass,
            "cron",
            String.class,
            annotation.cron(),
            c -> !c.isBlank(),
            "a cron expression");
    String zoneId =
        scheduleValue(
            method,
            beanClass,
            "time-zone",
            String.class,
            annotation.timeZone(),
            z -> !z.isBlank(),
            "a time zone name");
    String queue =
        scheduleValue(
            method, beanClass, "queue", String.class, annotation.queue(), q -> true, "a queue");
    boolean backfill =
        scheduleValue(
            method,
            beanClass,
            "automatic-backfill",
            Boolean.class,
            annotation.automaticBackfill(),
            b -> true,
            "true or false");
    return new Values(enabled, cron, zoneId, queue, backfill);
  }

  /**
   * A value of a {@code @Scheduled} method: the method key, then the class key ({@code
   * dbos.schedule."<class>/<method>".<property>}, {@code dbos.schedule."<class>".<property>}), then
   * the annotation's value.
   */
  private <T> T scheduleValue(
      Method method,
      Class<?> beanClass,
      String property,
      Class<T> type,
      T annotated,
      Function<T, Boolean> valid,
      String allowed) {
    String[] keys = {
      PREFIX + beanClass.getName() + "/" + method.getName() + "\"." + property,
      PREFIX + beanClass.getName() + "\"." + property
    };
    for (String key : keys) {
      Optional<T> value = values.optional(key, type, valid, allowed);
      if (value.isPresent()) {
        return value.get();
      }
    }
    return annotated;
  }
}
