package io.dbosee.internal.engine.db;

import io.dbosee.DBOSSystemDatabaseException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Leases that say which servers are alive, in this project's own table {@code dbosee_executors}
 * beside the DBOS tables (whose shape it leaves alone). A server renews its lease on a timer; a
 * server whose lease has expired is dead, and a live server of the same application and application
 * version takes its PENDING workflows over. A lease is keyed by application and executor id: two
 * applications whose servers keep the same executor id hold a lease each, so one of them renewing
 * never hides that the other died. Every time is the database's clock, so the servers' clocks need
 * not agree.
 *
 * <p>Taking over deletes the dead server's lease and moves its workflows in one transaction, and a
 * renewal locks the same row: a server that comes back just as another takes it over either keeps
 * its lease (and its workflows) or finds both gone, never half of each.
 */
public final class ExecutorLeases {
  private static final String NOW = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

  private final DataSource dataSource;
  private final String schema;
  private final String quotedSchema;
  private final String table;

  /** The application this server acts for ({@link ApplicationScope}), or null. */
  private final String applicationName;

  /** This server's application as the leases key it: its name, or {@code ''} for none. */
  private final String leaseApplication;

  public ExecutorLeases(DataSource dataSource, String schema) {
    this(dataSource, schema, null);
  }

  /**
   * @param applicationName the application this server acts for, or null: it takes over only its
   *     own and unclaimed workflows
   */
  public ExecutorLeases(DataSource dataSource, String schema, String applicationName) {
    this.applicationName = applicationName;
    this.leaseApplication = applicationName == null ? "" : applicationName;
    this.dataSource = dataSource;
    this.schema = schema;
    this.quotedSchema = SystemSchema.quote(schema);
    this.table = OwnTable.EXECUTORS.qualified(quotedSchema);
  }

  /**
   * Makes sure the table exists, without DDL when it does.
   *
   * @param mayCreate whether a missing table is created (under the schema's migration lock) or
   *     refused with the command that creates it
   */
  public void createTable(boolean mayCreate) {
    SystemSchema.createOwnTable(dataSource, schema, OwnTable.EXECUTORS, mayCreate);
  }

  /**
   * Renews (or takes) this server's lease until {@code leaseMs} from now.
   *
   * @param starting whether the server is starting: its start time is recorded
   * @return whether the lease existed before (false: new, or taken over while this server could not
   *     renew it)
   */
  public boolean renew(
      String executorId, String applicationVersion, long leaseMs, boolean starting) {
    String sql =
        "INSERT INTO "
            + table
            + " AS l (application_name, executor_id, application_version, started_at_epoch_ms,"
            + " renewed_at_epoch_ms, lease_until_epoch_ms) VALUES (?, ?, ?, "
            + NOW
            + ", "
            + NOW
            + ", "
            + NOW
            + " + ?) ON CONFLICT (application_name, executor_id) DO UPDATE SET application_version ="
            + " EXCLUDED.application_version, renewed_at_epoch_ms = EXCLUDED.renewed_at_epoch_ms,"
            + " lease_until_epoch_ms = EXCLUDED.lease_until_epoch_ms"
            + (starting ? ", started_at_epoch_ms = EXCLUDED.started_at_epoch_ms" : "")
            + " RETURNING (xmax <> 0)";
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, leaseApplication);
      ps.setString(2, executorId);
      ps.setString(3, applicationVersion);
      ps.setLong(4, leaseMs);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    } catch (SQLException e) {
      throw failure("renew the lease of server '" + executorId + "'", e);
    }
  }

  /**
   * The servers of this application and {@code applicationVersion} whose lease has expired, other
   * than this one.
   */
  public List<String> expired(String executorId, String applicationVersion) {
    String sql =
        "SELECT executor_id FROM "
            + table
            + " WHERE lease_until_epoch_ms < "
            + NOW
            + " AND application_name = ? AND application_version = ? AND executor_id <> ?"
            + " ORDER BY lease_until_epoch_ms";
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, leaseApplication);
      ps.setString(2, applicationVersion);
      ps.setString(3, executorId);
      List<String> ids = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
      return ids;
    } catch (SQLException e) {
      throw failure("look for servers whose lease expired", e);
    }
  }

  /**
   * Takes over the PENDING workflows of {@code deadExecutorId} (of this application and {@code
   * applicationVersion}) if its lease is still expired: they become {@code executorId}'s, and its
   * lease is removed.
   *
   * @return the ids of the workflows taken over; empty when the lease was renewed or another server
   *     took them first
   */
  public List<String> takeOver(
      String deadExecutorId, String executorId, String applicationVersion, long now) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        List<String> ids = new ArrayList<>();
        try (PreparedStatement delete =
            c.prepareStatement(
                "DELETE FROM "
                    + table
                    + " WHERE application_name = ? AND executor_id = ? AND application_version = ?"
                    + " AND lease_until_epoch_ms < "
                    + NOW)) {
          delete.setString(1, leaseApplication);
          delete.setString(2, deadExecutorId);
          delete.setString(3, applicationVersion);
          if (delete.executeUpdate() == 0) {
            c.rollback();
            return ids;
          }
        }
        try (PreparedStatement move =
            c.prepareStatement(
                "UPDATE "
                    + quotedSchema
                    + ".workflow_status SET executor_id = ?, updated_at = ? WHERE executor_id = ?"
                    + " AND status = 'PENDING' AND application_version = ? AND "
                    + ApplicationScope.ownOrUnclaimed("")
                    + " RETURNING workflow_uuid")) {
          move.setString(1, executorId);
          move.setLong(2, now);
          move.setString(3, deadExecutorId);
          move.setString(4, applicationVersion);
          ApplicationScope.bind(move, 5, applicationName);
          try (ResultSet rs = move.executeQuery()) {
            while (rs.next()) {
              ids.add(rs.getString(1));
            }
          }
        }
        c.commit();
        return ids;
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw failure("take over the workflows of server '" + deadExecutorId + "'", e);
    }
  }

  private DBOSSystemDatabaseException failure(String what, SQLException e) {
    return Sql.failure(schema, what, e);
  }
}
