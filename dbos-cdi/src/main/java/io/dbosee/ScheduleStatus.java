package io.dbosee;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A stored schedule as the system database has it: its definition, whether it is paused, and the
 * last cron tick a server started for it.
 *
 * <pre>{@code
 * for (ScheduleStatus s : dbos.listSchedules()) {
 *   LOG.info(s.schedule().name() + (s.paused() ? " (paused)" : "") + " last fired " + s.lastFiredAt());
 * }
 * }</pre>
 *
 * <p>Pitfall: {@code lastFiredAt} counts cron ticks only; {@link DBOS#triggerSchedule} and {@link
 * DBOS#backfillSchedule} do not move it.
 *
 * @param schedule the schedule's definition
 * @param paused whether it is paused ({@link DBOS#pauseSchedule}); no server starts its ticks then
 * @param lastFiredAt the last tick a server started, empty before the first one
 */
public record ScheduleStatus(
    WorkflowSchedule schedule, boolean paused, Optional<Instant> lastFiredAt) {

  public ScheduleStatus {
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(lastFiredAt, "lastFiredAt");
  }
}
