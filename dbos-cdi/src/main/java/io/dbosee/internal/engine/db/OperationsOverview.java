package io.dbosee.internal.engine.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The reads behind the operations console that the management API has no call for: queue depth by
 * partition, application versions, server leases, and one workflow's messages, events, streams and
 * forks. Read-only plain statements; each sees this application's rows and unclaimed ones ({@link
 * ApplicationScope}).
 */
public final class OperationsOverview {
  /**
   * The value that closes a stream, as written raw or as a JSON string ({@link MessageDatabase}).
   */
  private static final String CLOSES =
      "value IN ('"
          + MessageDatabase.STREAM_CLOSED
          + "', '\""
          + MessageDatabase.STREAM_CLOSED
          + "\"')";

  private final DataSource dataSource;
  private final String schema;
  private final String quotedSchema;
  private final String applicationName;

  /**
   * @param applicationName the application this server acts for, or null for every application
   */
  public OperationsOverview(DataSource dataSource, String schema, String applicationName) {
    this.dataSource = dataSource;
    this.schema = schema;
    this.quotedSchema = SystemSchema.quote(schema);
    this.applicationName = applicationName;
  }

  /**
   * One queue partition's waiting and running workflows ({@code partitionKey} null: the queue is
   * not partitioned, or the workflows gave no key).
   *
   * @param oldestEnqueuedAt epoch milliseconds of the oldest ENQUEUED workflow's creation, or null
   */
  public record QueueActivity(
      String queueName, String partitionKey, long enqueued, long running, Long oldestEnqueuedAt) {}

  /** An application version as registered by a server that ran it (epoch milliseconds). */
  public record ApplicationVersion(String name, long timestamp, long createdAt) {}

  /** A server's failover lease (epoch milliseconds); {@code applicationName} empty for none. */
  public record ExecutorLease(
      String executorId,
      String applicationName,
      String applicationVersion,
      long startedAt,
      long renewedAt,
      long leaseUntil) {}

  /** A message sent to a workflow, as stored (serialized). */
  public record Message(String topic, String message, long createdAt, boolean consumed) {}

  /** An event a workflow set, as stored (serialized). */
  public record Event(String key, String value) {}

  /** A stream a workflow wrote: how many values, and whether it was closed. */
  public record StreamSummary(String key, long values, boolean closed) {}

  /** A workflow forked from another one. */
  public record Fork(String workflowId, String status, long createdAt) {}

  /** ENQUEUED and PENDING counts of every queue, by partition; queues with neither are left out. */
  public List<QueueActivity> queueActivity() {
    String sql =
        "SELECT queue_name, queue_partition_key, count(*) FILTER (WHERE status = 'ENQUEUED'),"
            + " count(*) FILTER (WHERE status = 'PENDING'),"
            + " min(created_at) FILTER (WHERE status = 'ENQUEUED') FROM "
            + quotedSchema
            + ".workflow_status WHERE status IN ('ENQUEUED', 'PENDING') AND queue_name IS NOT NULL"
            + " AND "
            + ApplicationScope.ownOrUnclaimed("")
            + " GROUP BY queue_name, queue_partition_key ORDER BY queue_name, queue_partition_key";
    return query(
        "read the queues' activity",
        sql,
        true,
        rs -> {
          long oldest = rs.getLong(5);
          Long oldestOrNull = rs.wasNull() ? null : oldest;
          return new QueueActivity(
              rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), oldestOrNull);
        });
  }

  /** The application versions servers registered, the latest first. */
  public List<ApplicationVersion> applicationVersions() {
    String sql =
        "SELECT version_name, version_timestamp, created_at FROM "
            + quotedSchema
            + ".application_versions WHERE "
            + ApplicationScope.ownOrUnclaimed("")
            + " ORDER BY version_timestamp DESC, version_name";
    return query(
        "read the application versions",
        sql,
        true,
        rs -> new ApplicationVersion(rs.getString(1), rs.getLong(2), rs.getLong(3)));
  }

  /**
   * The servers' failover leases, the latest renewed first; empty when no server of this system
   * database has failover on (the leases' table does not exist then).
   */
  public List<ExecutorLease> executorLeases() {
    String table = OwnTable.EXECUTORS.qualified(quotedSchema);
    if (!exists(table)) {
      return List.of();
    }
    String sql =
        "SELECT executor_id, application_name, application_version, started_at_epoch_ms,"
            + " renewed_at_epoch_ms, lease_until_epoch_ms FROM "
            + table
            + " WHERE application_name = COALESCE(CAST(? AS text), application_name)"
            + " ORDER BY renewed_at_epoch_ms DESC, executor_id";
    return query(
        "read the servers' leases",
        sql,
        true,
        rs ->
            new ExecutorLease(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getLong(4),
                rs.getLong(5),
                rs.getLong(6)));
  }

  /** The messages sent to a workflow, oldest first. */
  public List<Message> messages(String workflowId) {
    String sql =
        "SELECT topic, message, created_at_epoch_ms, consumed FROM "
            + quotedSchema
            + ".notifications WHERE destination_uuid = ? ORDER BY created_at_epoch_ms, message_uuid";
    return query(
        "read the messages of workflow '" + workflowId + "'",
        sql,
        workflowId,
        rs -> new Message(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getBoolean(4)));
  }

  /** The events a workflow set (their latest values), by key. */
  public List<Event> events(String workflowId) {
    String sql =
        "SELECT key, value FROM "
            + quotedSchema
            + ".workflow_events WHERE workflow_uuid = ? ORDER BY key";
    return query(
        "read the events of workflow '" + workflowId + "'",
        sql,
        workflowId,
        rs -> new Event(rs.getString(1), rs.getString(2)));
  }

  /** The streams a workflow wrote, by key. */
  public List<StreamSummary> streams(String workflowId) {
    String sql =
        "SELECT key, count(*) FILTER (WHERE NOT "
            + CLOSES
            + "), bool_or("
            + CLOSES
            + ") FROM "
            + quotedSchema
            + ".streams WHERE workflow_uuid = ? GROUP BY key ORDER BY key";
    return query(
        "read the streams of workflow '" + workflowId + "'",
        sql,
        workflowId,
        rs -> new StreamSummary(rs.getString(1), rs.getLong(2), rs.getBoolean(3)));
  }

  /** The workflows forked from this one, oldest first. */
  public List<Fork> forks(String workflowId) {
    String sql =
        "SELECT workflow_uuid, status, created_at FROM "
            + quotedSchema
            + ".workflow_status WHERE forked_from = ? ORDER BY created_at, workflow_uuid";
    return query(
        "read the forks of workflow '" + workflowId + "'",
        sql,
        workflowId,
        rs -> new Fork(rs.getString(1), rs.getString(2), rs.getLong(3)));
  }

  /** Reads one row of a result into a value. */
  @FunctionalInterface
  private interface Row<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /** A statement whose one parameter is this application's name. */
  private <T> List<T> query(String what, String sql, boolean scoped, Row<T> row) {
    return query(what, sql, scoped ? applicationName : null, row);
  }

  /** A statement whose one parameter is {@code parameter}. */
  private <T> List<T> query(String what, String sql, String parameter, Row<T> row) {
    try (Connection c = Sql.autoCommitted(dataSource);
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, parameter);
      List<T> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(row.read(rs));
        }
      }
      return rows;
    } catch (SQLException e) {
      throw Sql.failure(schema, what, e);
    }
  }

  private boolean exists(String qualifiedTable) {
    try (Connection c = Sql.autoCommitted(dataSource)) {
      return SystemSchema.tableExists(c, qualifiedTable);
    } catch (SQLException e) {
      throw Sql.failure(schema, "look for table " + qualifiedTable, e);
    }
  }
}
