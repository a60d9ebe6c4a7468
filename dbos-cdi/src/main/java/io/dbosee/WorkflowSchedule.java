package io.dbosee;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A schedule that runs a {@link Workflow} on a cron expression: what {@link DBOS#createSchedule}
 * stores in the system database and what {@link DBOS#listSchedules} returns.
 *
 * <pre>{@code
 * dbos.createSchedule(
 *     WorkflowSchedule.of("nightly-report", Reports.class, "nightly", "0 0 2 * * *")
 *         .withTimeZone(ZoneId.of("Europe/Paris"))
 *         .withQueue("reports")
 *         .withAutomaticBackfill(true));
 * }</pre>
 *
 * <p>Pitfalls: the workflow is addressed by its bean class and workflow name
 * ({@code @Workflow(name)}, the method name by default) and must take {@code (Instant
 * scheduledTime, Instant actualTime)}. The cron expression is checked when the schedule is created,
 * not here.
 *
 * @param name the schedule's unique name; part of every tick's workflow id
 * @param className the bean class that declares the workflow
 * @param workflowName the workflow's name
 * @param cron six fields with seconds first, or five starting with minutes
 * @param timeZone the zone the expression is read in (UTC by default)
 * @param queueName the queue each tick is enqueued on, or null to start ticks at once
 * @param automaticBackfill whether ticks missed while no server ran are started when one starts
 */
public record WorkflowSchedule(
    String name,
    String className,
    String workflowName,
    String cron,
    ZoneId timeZone,
    String queueName,
    boolean automaticBackfill) {

  public WorkflowSchedule {
    requireText(name, "name");
    requireText(className, "className");
    requireText(workflowName, "workflowName");
    requireText(cron, "cron");
    timeZone = timeZone == null ? ZoneOffset.UTC : timeZone;
    queueName = queueName == null || queueName.isBlank() ? null : queueName;
  }

  /** A schedule of the workflow {@code workflowName} of {@code beanClass}, in UTC, no queue. */
  public static WorkflowSchedule of(
      String name, Class<?> beanClass, String workflowName, String cron) {
    Objects.requireNonNull(beanClass, "beanClass");
    return of(name, beanClass.getName(), workflowName, cron);
  }

  /** Like {@link #of(String, Class, String, String)}, with the class given by name. */
  public static WorkflowSchedule of(
      String name, String className, String workflowName, String cron) {
    return new WorkflowSchedule(name, className, workflowName, cron, ZoneOffset.UTC, null, false);
  }

  public WorkflowSchedule withCron(String cron) {
    return new WorkflowSchedule(
        name, className, workflowName, cron, timeZone, queueName, automaticBackfill);
  }

  public WorkflowSchedule withTimeZone(ZoneId timeZone) {
    return new WorkflowSchedule(
        name,
        className,
        workflowName,
        cron,
        Objects.requireNonNull(timeZone, "timeZone"),
        queueName,
        automaticBackfill);
  }

  /** Enqueues each tick on {@code queueName} (a declared queue) instead of starting it at once. */
  public WorkflowSchedule withQueue(String queueName) {
    return new WorkflowSchedule(
        name, className, workflowName, cron, timeZone, queueName, automaticBackfill);
  }

  public WorkflowSchedule withAutomaticBackfill(boolean automaticBackfill) {
    return new WorkflowSchedule(
        name, className, workflowName, cron, timeZone, queueName, automaticBackfill);
  }

  private static void requireText(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          "A workflow schedule needs a " + what + ", got '" + value + "'");
    }
  }
}
