package io.dbosee.internal.engine.db;

import io.dbosee.internal.engine.db.QueueDatabase.Limits;
import io.dbosee.internal.engine.db.QueueDatabase.QueueLimits;
import io.dbosee.internal.errors.ErrorCode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import javax.sql.DataSource;

/**
 * Owns this application's rows of the {@code queues} table: each declared queue's definition, as
 * the DBOS SDKs write it when they register a queue, so that other SDKs, the DBOS clients and tools
 * sharing the system database see the queue and its limits.
 */
public final class QueueCatalog {
  private final DataSource dataSource;
  private final String schema;
  private final String upsertSql;

  /**
   * A queue as its row records it: its limits, whether enqueues may give a priority, whether it is
   * partitioned, and its polling interval.
   */
  public record QueueRow(
      QueueLimits limits, boolean priorityEnabled, boolean partitioned, long pollingIntervalMs) {}

  /** The application this server acts for ({@link ApplicationScope}), or null. */
  private final String applicationName;

  public QueueCatalog(DataSource dataSource, String schema) {
    this(dataSource, schema, null);
  }

  /**
   * @param applicationName the application that owns these queues, or null: unclaimed
   */
  public QueueCatalog(DataSource dataSource, String schema, String applicationName) {
    this.applicationName = applicationName;
    this.dataSource = dataSource;
    this.schema = schema;
    String now = "(extract(epoch FROM now()) * 1000)::bigint";
    this.upsertSql =
        "INSERT INTO \""
            + schema
            + "\".queues (name, concurrency, worker_concurrency, rate_limit_max,"
            + " rate_limit_period_sec, priority_enabled, partition_queue, partition_concurrency,"
            + " partition_worker_concurrency, partition_rate_limit_max,"
            + " partition_rate_limit_period_sec, polling_interval_sec, updated_at,"
            + " application_name)"
            // Without dbos.application-name the rows are unclaimed (NULL), as the SDKs write them
            // for an unnamed application.
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            + now
            + ", ?) ON CONFLICT (name) DO UPDATE SET concurrency = EXCLUDED.concurrency,"
            + " worker_concurrency = EXCLUDED.worker_concurrency,"
            + " rate_limit_max = EXCLUDED.rate_limit_max,"
            + " rate_limit_period_sec = EXCLUDED.rate_limit_period_sec,"
            + " priority_enabled = EXCLUDED.priority_enabled,"
            + " partition_queue = EXCLUDED.partition_queue,"
            + " partition_concurrency = EXCLUDED.partition_concurrency,"
            + " partition_worker_concurrency = EXCLUDED.partition_worker_concurrency,"
            + " partition_rate_limit_max = EXCLUDED.partition_rate_limit_max,"
            + " partition_rate_limit_period_sec = EXCLUDED.partition_rate_limit_period_sec,"
            + " polling_interval_sec = EXCLUDED.polling_interval_sec,"
            + " updated_at = EXCLUDED.updated_at,"
            // An owner another SDK recorded stays: the name is its address.
            + " application_name = COALESCE(\""
            + schema
            + "\".queues.application_name, EXCLUDED.application_name)";
  }

  /**
   * Writes each queue's row, inserting it or replacing the limits a previous start (or another SDK)
   * recorded: the server that starts last is the one whose declaration the row shows. One batch, in
   * one transaction.
   */
  public void write(List<QueueRow> queues) {
    if (queues.isEmpty()) {
      return;
    }
    try (Connection c = Sql.autoCommitted(dataSource)) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(upsertSql)) {
        refuseOthersQueues(c, queues);
        for (QueueRow queue : queues) {
          bind(ps, queue, applicationName);
          ps.addBatch();
        }
        ps.executeBatch();
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw Sql.failure(schema, "record the declared queues in the queues table", e);
    }
  }

  /**
   * Refuses queue names another application has registered, as the SDKs refuse them: the name is
   * the queue's address, and this application's limits would replace the owner's.
   */
  private void refuseOthersQueues(Connection c, List<QueueRow> queues) throws SQLException {
    if (applicationName == null) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT name, application_name FROM \""
                + schema
                + "\".queues WHERE name = ANY (?) AND application_name <> ? ORDER BY name")) {
      ps.setArray(
          1, c.createArrayOf("text", queues.stream().map(q -> q.limits().queueName()).toArray()));
      ps.setString(2, applicationName);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          throw ErrorCode.QUEUE_OF_ANOTHER_APPLICATION.illegalState(
              "Queue '"
                  + rs.getString(1)
                  + "' is already registered by application '"
                  + rs.getString(2)
                  + "' in this system database (schema '"
                  + schema
                  + "'), and queue names must be unique across the applications that share it."
                  + " Give this application's queue another name (@WorkflowQueue), or, if '"
                  + rs.getString(2)
                  + "' was renamed to '"
                  + applicationName
                  + "', set application_name of its rows to the new name first.");
        }
      }
    }
  }

  private static void bind(PreparedStatement ps, QueueRow queue, String applicationName)
      throws SQLException {
    Limits wide = queue.limits().queueWide();
    Limits partition = queue.limits().perPartition();
    int i = 1;
    ps.setString(i++, queue.limits().queueName());
    i = bindLimits(ps, i, wide);
    ps.setBoolean(i++, queue.priorityEnabled());
    ps.setBoolean(i++, queue.partitioned());
    i = bindLimits(ps, i, partition);
    ps.setDouble(i++, queue.pollingIntervalMs() / 1000.0);
    ApplicationScope.bind(ps, i, applicationName);
  }

  /** Binds a scope's four columns, a limit that is not set (0) as NULL, as the SDKs write it. */
  private static int bindLimits(PreparedStatement ps, int i, Limits limits) throws SQLException {
    optional(ps, i++, limits.concurrency());
    optional(ps, i++, limits.workerConcurrency());
    optional(ps, i++, limits.rateLimitMax());
    if (limits.rateLimitMax() > 0) {
      ps.setDouble(i++, limits.rateLimitPeriodMs() / 1000.0);
    } else {
      ps.setNull(i++, Types.DOUBLE);
    }
    return i;
  }

  private static void optional(PreparedStatement ps, int i, int value) throws SQLException {
    if (value > 0) {
      ps.setInt(i, value);
    } else {
      ps.setNull(i, Types.INTEGER);
    }
  }
}
