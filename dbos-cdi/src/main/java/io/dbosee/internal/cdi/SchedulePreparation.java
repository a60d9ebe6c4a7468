package io.dbosee.internal.cdi;

import io.dbosee.Scheduled;
import io.dbosee.WorkflowSchedule;
import io.dbosee.internal.engine.CronSchedule;
import io.dbosee.internal.errors.ErrorCode;
import java.lang.reflect.Method;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Owns the application's {@code @Scheduled} workflows from discovery to deployment: which methods
 * are scheduled, and at deployment their resolved schedules (configuration applied, cron, time zone
 * and queue validated) and the names of those switched off by configuration. A schedule that could
 * never tick fails the deployment rather than staying silent.
 */
final class SchedulePreparation {
  private static final Logger LOG = Logger.getLogger(SchedulePreparation.class.getName());

  /** {@code @Scheduled} workflow methods, with their bean class and workflow name. */
  private final Map<Method, ScheduledMethod> scheduledMethods = new LinkedHashMap<>();

  private record ScheduledMethod(Class<?> beanClass, String workflowName, Scheduled annotation) {}

  private final List<WorkflowSchedule> schedules = new ArrayList<>();
  private final Set<String> disabledSchedules = new HashSet<>();

  /** Remembers a scheduled workflow method of a bean class, prepared once queues are known. */
  void add(Method method, Class<?> beanClass, String workflowName, Scheduled annotation) {
    scheduledMethods.put(method, new ScheduledMethod(beanClass, workflowName, annotation));
  }

  /**
   * Resolves every {@code @Scheduled} method's configuration and validates its cron expression,
   * time zone and queue; schedules switched off by configuration are only remembered by name.
   */
  void prepare(ScheduleSettings scheduleSettings, Set<String> queueNames, List<String> problems) {
    Map<String, Method> names = new HashMap<>();
    for (Map.Entry<Method, ScheduledMethod> entry : scheduledMethods.entrySet()) {
      Method method = entry.getKey();
      Class<?> beanClass = entry.getValue().beanClass();
      Scheduled annotation = entry.getValue().annotation();
      String name =
          annotation.name().isBlank()
              ? beanClass.getName() + "/" + entry.getValue().workflowName()
              : annotation.name();
      Method clash = names.putIfAbsent(name, method);
      if (clash != null) {
        problems.add(
            ErrorCode.DUPLICATE_SCHEDULE.message(
                MethodDescription.of(clash)
                    + " and "
                    + MethodDescription.of(method)
                    + " are both schedule '"
                    + name
                    + "'. Schedule names are unique (each tick's workflow id holds it): set"
                    + " @Scheduled(name = \"...\") on one of them."));
        continue;
      }
      ScheduleSettings.Values configured = scheduleSettings.of(method, beanClass, annotation);
      prepare(method, entry.getValue(), name, configured, queueNames, problems);
    }
  }

  /** One schedule whose name is unique: validated, then kept, or only remembered when off. */
  private void prepare(
      Method method,
      ScheduledMethod scheduled,
      String name,
      ScheduleSettings.Values configured,
      Set<String> queueNames,
      List<String> problems) {
    Class<?> beanClass = scheduled.beanClass();
    String where = MethodDescription.of(method);
    String key = ScheduleSettings.PREFIX + beanClass.getName() + "/" + method.getName() + "\"";
    String cron = configured.cron();
    String queue = configured.queue();
    ZoneId zone = zone(where, key, configured.timeZone(), problems);
    if (!validCron(where, key, cron, zone, problems)) {
      return;
    }
    if (!queue.isBlank() && !queueNames.contains(queue.trim())) {
      problems.add(
          ErrorCode.UNKNOWN_QUEUE.message(
              where
                  + " is scheduled on queue '"
                  + queue
                  + "', which is not declared (declared: "
                  + queueNames
                  + "). Declare it with @WorkflowQueue or dbos.queue.\""
                  + queue
                  + "\".* configuration, or correct @Scheduled(queue)."));
      return;
    }
    if (zone == null) {
      return;
    }
    if (!configured.enabled()) {
      disabledSchedules.add(name);
      LOG.log(
          Level.INFO, "Schedule ''{0}'' is switched off by {1}.enabled", new Object[] {name, key});
      return;
    }
    schedules.add(
        new WorkflowSchedule(
            name,
            beanClass.getName(),
            scheduled.workflowName(),
            cron.trim(),
            zone,
            queue.trim(),
            configured.automaticBackfill()));
  }

  /** The schedule's time zone, or null (and a problem) when the name is unknown. */
  private static ZoneId zone(String where, String key, String zoneId, List<String> problems) {
    try {
      return ZoneId.of(zoneId.trim());
    } catch (DateTimeException e) {
      problems.add(
          ErrorCode.INVALID_TIME_ZONE.message(
              where
                  + " is scheduled in time zone '"
                  + zoneId
                  + "', which is unknown ("
                  + e.getMessage()
                  + "). Use an IANA name such as 'UTC' or 'Europe/Paris', in @Scheduled(timeZone)"
                  + " or "
                  + key
                  + ".time-zone."));
      return null;
    }
  }

  /** Parsed in UTC when the zone is unknown, so that a bad cron is reported in the same run. */
  private static boolean validCron(
      String where, String key, String cron, ZoneId zone, List<String> problems) {
    try {
      CronSchedule.parse(cron, zone == null ? ZoneId.of("UTC") : zone);
      return true;
    } catch (IllegalArgumentException e) {
      problems.add(
          ErrorCode.INVALID_CRON.message(
              where
                  + " has an invalid schedule: "
                  + e.getMessage()
                  + " Correct @Scheduled(cron) or "
                  + key
                  + ".cron."));
      return false;
    }
  }

  /** The schedules the application declares with {@code @Scheduled} and has not switched off. */
  List<WorkflowSchedule> schedules() {
    return Collections.unmodifiableList(schedules);
  }

  /** The names of the {@code @Scheduled} schedules switched off by configuration. */
  Set<String> disabledSchedules() {
    return Collections.unmodifiableSet(disabledSchedules);
  }
}
