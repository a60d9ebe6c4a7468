package io.dbosee;

/**
 * Thrown when a schedule name names no schedule in the system database: {@link DBOS#pauseSchedule},
 * {@link DBOS#resumeSchedule}, {@link DBOS#triggerSchedule} or {@link DBOS#backfillSchedule} with
 * an unknown name. React by checking the name ({@link DBOS#listSchedules}); a schedule deleted on
 * another server is gone for every server.
 */
public final class DBOSNonExistentScheduleException extends DBOSException {
  private static final long serialVersionUID = 1L;
  private final String scheduleName;

  public DBOSNonExistentScheduleException(String scheduleName) {
    super(
        "No schedule is named '"
            + scheduleName
            + "' in the system database: check the name (DBOS.listSchedules()), and that this"
            + " server uses the same system database and schema as the one that created it.");
    this.scheduleName = scheduleName;
  }

  public String scheduleName() {
    return scheduleName;
  }
}
