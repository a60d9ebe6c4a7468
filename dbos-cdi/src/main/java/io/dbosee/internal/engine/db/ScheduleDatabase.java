package io.dbosee.internal.engine.db;

import io.dbosee.DBOSSystemDatabaseException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The reads and writes of {@code workflow_schedules}, each one auto-committed statement. Rows are
 * the DBOS shape: the cron expression with six fields, {@code status} ACTIVE or PAUSED, {@code
 * last_fired_at} an ISO-8601 instant, {@code context} the portable-JSON {@code null} (this
 * library's scheduled workflows take no context).
 */
public final class ScheduleDatabase {
  public static final String ACTIVE = "ACTIVE";
  public static final String PAUSED = "PAUSED";

  /** The context stored with schedules this library creates: portable JSON for "none". */
  private static final String NO_CONTEXT = "null";

  /** The id prefix of schedules stored from the application's declarations (annotations). */
  public static final String DECLARED = "declared:";

  private static final String COLUMNS =
      "schedule_id, schedule_name, workflow_name, workflow_class_name, schedule, status, last_fired_at,"
          + " automatic_backfill, cron_timezone, queue_name";

  /**
   * One row of {@code workflow_schedules}; {@code timeZone}, {@code queueName} may be null. {@code
   * declared}: stored from a declaration of the application, not created at run time.
   */
  public record Row(
      boolean declared,
      String name,
      String workflowName,
      String className,
      String cron,
      String status,
      String lastFiredAt,
      boolean automaticBackfill,
      String timeZone,
      String queueName) {

    public boolean active() {
      return ACTIVE.equals(status);
    }
  }

  private final DataSource dataSource;
  private final String schema;
  private final String table;

  /** The application this server acts for ({@link ApplicationScope}), or null. */
  private final String applicationName;

  public ScheduleDatabase(DataSource dataSource, String schema) {
    this(dataSource, schema, null);
  }

  /**
   * @param applicationName the application this server acts for, or null: it stores its schedules
   *     claimed with that name, and lists only its own and unclaimed ones
   */
  public ScheduleDatabase(DataSource dataSource, String schema, String applicationName) {
    this.applicationName = applicationName;
    this.dataSource = dataSource;
    this.schema = schema;
    this.table = "\"" + schema + "\".workflow_schedules";
  }

  /** This application's schedules and the unclaimed ones: what it runs, lists and tidies. */
  public List<Row> list() {
    try (Connection c = connection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT "
                    + COLUMNS
                    + " FROM "
                    + table
                    + " WHERE "
                    + ApplicationScope.ownOrUnclaimed("")
                    + " ORDER BY schedule_name")) {
      ApplicationScope.bind(ps, 1, applicationName);
      List<Row> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(row(rs));
        }
      }
      return rows;
    } catch (SQLException e) {
      throw failure("list the schedules", e);
    }
  }

  public Optional<Row> read(String name) {
    try (Connection c = connection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT " + COLUMNS + " FROM " + table + " WHERE schedule_name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw failure("read schedule '" + name + "'", e);
    }
  }

  /**
   * Inserts an ACTIVE schedule, or (with {@code replace}) updates the definition of the one of the
   * same name while keeping its status and last tick.
   *
   * @return whether a row was inserted or updated (false: it existed and {@code replace} was off)
   */
  public boolean store(Row row, boolean replace) {
    String sql =
        "INSERT INTO "
            + table
            + " (schedule_id, schedule_name, workflow_name, workflow_class_name, schedule, status,"
            + " context, automatic_backfill, cron_timezone, queue_name, application_name)"
            + " VALUES (?, ?, ?, ?, ?, '"
            + ACTIVE
            + "', ?, ?, ?, ?, ?) ON CONFLICT (schedule_name) DO "
            + (replace
                ? "UPDATE SET workflow_name = EXCLUDED.workflow_name, workflow_class_name ="
                    + " EXCLUDED.workflow_class_name, schedule = EXCLUDED.schedule,"
                    + " automatic_backfill = EXCLUDED.automatic_backfill, cron_timezone ="
                    + " EXCLUDED.cron_timezone, queue_name = EXCLUDED.queue_name,"
                    // An owner already recorded stays, as the SDKs keep it.
                    + " application_name = COALESCE("
                    + table
                    + ".application_name, EXCLUDED.application_name)"
                : "NOTHING");
    try (Connection c = connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, (row.declared() ? DECLARED : "") + UUID.randomUUID());
      ps.setString(2, row.name());
      ps.setString(3, row.workflowName());
      ps.setString(4, row.className());
      ps.setString(5, row.cron());
      ps.setString(6, NO_CONTEXT);
      ps.setBoolean(7, row.automaticBackfill());
      ps.setString(8, row.timeZone());
      ps.setString(9, row.queueName());
      ApplicationScope.bind(ps, 10, applicationName);
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw failure("store schedule '" + row.name() + "'", e);
    }
  }

  /** Sets ACTIVE or PAUSED; false when no schedule has that name. */
  public boolean setStatus(String name, String status) {
    return update(
        "UPDATE " + table + " SET status = ? WHERE schedule_name = ?",
        "set the status of schedule '" + name + "'",
        status,
        name);
  }

  /** Deletes a schedule; false when none had that name. */
  public boolean delete(String name) {
    return update(
        "DELETE FROM " + table + " WHERE schedule_name = ?",
        "delete schedule '" + name + "'",
        name);
  }

  /**
   * Records that the tick {@code firedAt} (ISO-8601) was started, unless a later one already is:
   * servers that fire the same ticks only ever move it forward.
   */
  public void advanceLastFired(String name, String firedAt) {
    update(
        "UPDATE "
            + table
            + " SET last_fired_at = ? WHERE schedule_name = ? AND (last_fired_at IS NULL OR"
            + " last_fired_at::timestamptz < ?::timestamptz)",
        "record the last tick of schedule '" + name + "'",
        firedAt,
        name,
        firedAt);
  }

  /**
   * Tags a tick's workflow with its schedule ({@code workflow_status.schedule_name}).
   *
   * @return whether this call tagged it: false when it was tagged already (another server, or an
   *     earlier round, started the same tick)
   */
  public boolean tagWorkflow(String workflowId, String scheduleName) {
    return update(
        "UPDATE \""
            + schema
            + "\".workflow_status SET schedule_name = ? WHERE workflow_uuid = ? AND schedule_name"
            + " IS NULL",
        "tag workflow '" + workflowId + "' with its schedule",
        scheduleName,
        workflowId);
  }

  private boolean update(String sql, String what, String... parameters) {
    try (Connection c = connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        ps.setString(i + 1, parameters[i]);
      }
      return ps.executeUpdate() > 0;
    } catch (SQLException e) {
      throw failure(what, e);
    }
  }

  private static Row row(ResultSet rs) throws SQLException {
    String id = rs.getString("schedule_id");
    return new Row(
        id != null && id.startsWith(DECLARED),
        rs.getString("schedule_name"),
        rs.getString("workflow_name"),
        rs.getString("workflow_class_name"),
        rs.getString("schedule"),
        rs.getString("status"),
        rs.getString("last_fired_at"),
        rs.getBoolean("automatic_backfill"),
        rs.getString("cron_timezone"),
        rs.getString("queue_name"));
  }

  private Connection connection() throws SQLException {
    Connection c = dataSource.getConnection();
    if (!c.getAutoCommit()) {
      c.setAutoCommit(true);
    }
    return c;
  }

  private DBOSSystemDatabaseException failure(String what, SQLException e) {
    return new DBOSSystemDatabaseException(
        "Could not "
            + what
            + " in the system database (schema '"
            + schema
            + "'): "
            + e.getMessage()
            + " [SQLSTATE "
            + e.getSQLState()
            + "]. Check that PostgreSQL is reachable.",
        e);
  }
}
