package io.dbosee;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a {@link Workflow} method on a cron schedule, exactly once per tick across every server that
 * shares the system database. The method takes the tick's scheduled time and the time it was
 * actually started.
 *
 * <pre>{@code
 * @Scheduled(cron = "* * * * * *")              // every second (six fields: seconds first)
 * @Workflow
 * public void runEverySecond(Instant scheduledTime, Instant actualTime) {
 *   LOG.info("I am a scheduled workflow. It is currently " + scheduledTime + ".");
 * }
 *
 * @Scheduled(cron = "0 2 * * *", timeZone = "Europe/Paris")   // five fields: 02:00 in Paris
 * @Workflow
 * public void nightly(Instant scheduledTime, Instant actualTime) { ... }
 * }</pre>
 *
 * <p>Each tick runs as the workflow {@code sched-<schedule name>-<scheduled time, ISO-8601>}, so a
 * tick started by two servers, or again after a restart, runs once. The schedule is stored in the
 * system database ({@code workflow_schedules}) when the application starts, where {@link
 * DBOS#pauseSchedule} and the other schedule methods manage it.
 *
 * <p>Pitfalls:
 *
 * <ul>
 *   <li>The parameters must be exactly {@code (Instant scheduledTime, Instant actualTime)}, and the
 *       method must also be a {@code @Workflow}; otherwise the deployment fails (DBOS-CDI-031). An
 *       invalid cron expression fails it too (DBOS-CDI-030), as does an unknown time zone
 *       (DBOS-CDI-032).
 *   <li>Ticks missed while no server ran are skipped, unless {@link #automaticBackfill()} is set.
 *   <li>Every value can be overridden, and the schedule switched off on a server, through
 *       MicroProfile Config: {@code dbos.schedule."<class>/<method>".enabled=false} (or {@code
 *       .cron}, {@code .time-zone}, {@code .queue}, {@code .automatic-backfill}); {@code
 *       dbos.schedules.enabled=false} switches off every schedule on that server.
 *   <li>Removing the annotation (or renaming the schedule) deletes the stored schedule when the
 *       application next starts with that workflow.
 * </ul>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Scheduled {

  /**
   * The cron expression: six fields with seconds first ({@code "0/30 * * * * *"}: every 30
   * seconds), or the usual five starting with minutes ({@code "0 9 * * MON-FRI"}). Lists, ranges,
   * steps, month and day names, {@code ?} and {@code L} are accepted.
   */
  String cron();

  /** The time zone the expression is read in (an IANA name such as {@code "Europe/Paris"}). */
  String timeZone() default "UTC";

  /** The queue each tick is enqueued on (a declared queue); empty: started at once. */
  String queue() default "";

  /**
   * Whether the ticks missed while no server ran are started when a server starts again (each
   * once); by default they are skipped.
   */
  boolean automaticBackfill() default false;

  /**
   * The schedule's name in {@code workflow_schedules}, and so in each tick's workflow id; {@code
   * <class>/<workflow name>} when empty.
   */
  String name() default "";
}
