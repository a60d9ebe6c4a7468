package io.dbosee;

/**
 * Thrown by {@link DBOS#createSchedule} when a schedule of that name is already stored (created
 * earlier, by another server, or from a {@link Scheduled} annotation). React by choosing another
 * name, or delete the existing schedule first ({@link DBOS#deleteSchedule}) to replace it.
 */
public final class DBOSScheduleExistsException extends DBOSException {
  private static final long serialVersionUID = 1L;
  private final String scheduleName;

  public DBOSScheduleExistsException(String scheduleName) {
    super(
        "A schedule named '"
            + scheduleName
            + "' already exists; choose another name, or delete it first"
            + " (DBOS.deleteSchedule) to replace it.");
    this.scheduleName = scheduleName;
  }

  public String scheduleName() {
    return scheduleName;
  }
}
