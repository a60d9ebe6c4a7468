package io.dbosee.internal.engine.db;

import io.dbosee.DBOSSystemDatabaseException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import javax.sql.DataSource;

/**
 * The queue's reads and writes of {@code workflow_status}: enqueuing, claiming the next workflows a
 * queue's limits allow, promoting delayed workflows, and putting a stopped server's queued
 * workflows back on their queue.
 *
 * <p>The claim, and how it keeps the limits exact across servers, is {@link QueueClaims}'s.
 */
public final class QueueDatabase {
  /** The channel on which enqueues and finished queued workflows are announced. */
  public static final String CHANNEL = "dbosee_queues";

  /**
   * Separates the parts of a notification's payload: the schema, the executor that sent it, and the
   * queue. A character that identifiers and names do not contain in practice.
   */
  public static final String SEPARATOR = "\u001f";

  /** At most this many workflows are claimed in one transaction; the runner asks again. */
  public static final int MAX_CLAIM = 200;

  private final DataSource dataSource;
  private final String schema;
  private final String origin;
  private final String enqueueSql;
  private final String existsSql;
  private final String promoteSql;
  private final String nextDelayedSql;
  private final String depthsSql;
  private final String partitionsSql;
  private final String requeueSql;
  private final QueueClaims claims;

  /** The application this server acts for ({@link ApplicationScope}), or null. */
  private final String applicationName;

  /** What {@link #enqueue} did. */
  public enum EnqueueOutcome {
    /** A new row was written. */
    ENQUEUED,
    /** A workflow with the id exists already; nothing was written. */
    EXISTS,
    /**
     * The queue already holds an active workflow with the deduplication id; nothing was written.
     */
    DUPLICATED
  }

  /**
   * The workflows one claim took, and when the queue (partition) may have room again if a rate
   * limit held it back (or empty).
   */
  public record Claim(List<Claimed> claimed, OptionalLong retryAt, boolean capped) {}

  /**
   * How many workflows of the queues that declare no worker concurrency one server runs at once:
   * {@code limit} over {@code queueNames}, counted in the database (PENDING rows that name the
   * server), so that a parked, resumed or cancelled workflow is counted exactly as it is.
   */
  public record ServerCap(int limit, List<String> queueNames) {
    public ServerCap {
      queueNames = List.copyOf(queueNames);
    }
  }

  /**
   * Limits at one scope (zero: no limit): how many workflows run at once on all servers ({@code
   * concurrency}) and on each ({@code workerConcurrency}), and how many may start in a period
   * ({@code rateLimitMax} per {@code rateLimitPeriodMs}).
   */
  public record Limits(
      int concurrency, int workerConcurrency, int rateLimitMax, long rateLimitPeriodMs) {
    public static final Limits NONE = new Limits(0, 0, 0, 0);

    /** Whether a count that other servers change bounds them: they need the claim lock. */
    boolean shared() {
      return concurrency > 0 || rateLimitMax > 0;
    }
  }

  /**
   * The limits a claim keeps for one queue: those of the whole queue ({@code queueWide}, across its
   * partitions), and those of each partition of a partitioned queue ({@code perPartition}), as the
   * DBOS SDKs define them.
   */
  public record QueueLimits(String queueName, Limits queueWide, Limits perPartition) {}

  /**
   * The server that claims: its executor id and application version, the workflows it can run
   * ({@code runnableKeys}: "class/name" of those registered there), its cap over the queues that
   * declare no worker concurrency (or null), and the clock that dates the starts.
   */
  public record Claimant(
      String executorId,
      String applicationVersion,
      List<String> runnableKeys,
      ServerCap cap,
      LongSupplier clock) {}

  /**
   * A claimed workflow: its row as the claim left it (PENDING here, one more start counted), and
   * whether it has recorded operations to replay.
   */
  public record Claimed(WorkflowRow row, boolean hasOperations) {}

  /**
   * @param origin this server's executor id, sent with its notifications so that it can ignore its
   *     own
   */
  public QueueDatabase(DataSource dataSource, String schema, String origin) {
    this(dataSource, schema, origin, null);
  }

  /**
   * @param origin this server's executor id, sent with its notifications so that it can ignore its
   *     own
   * @param applicationName the application this server acts for, or null ({@link ApplicationScope})
   */
  public QueueDatabase(
      DataSource dataSource, String schema, String origin, String applicationName) {
    this.dataSource = dataSource;
    this.schema = schema;
    this.origin = origin;
    this.applicationName = applicationName;
    this.claims = new QueueClaims(schema, applicationName);
    String t = "\"" + schema + "\".workflow_status";
    // One statement: the row, its inputs in their own table, and the announcement.
    this.enqueueSql =
        "WITH ins AS (INSERT INTO "
            + t
            + " (workflow_uuid, status, name, class_name, queue_name, deduplication_id, priority,"
            + " queue_partition_key, delay_until_epoch_ms, serialization,"
            + " application_version, executor_id, recovery_attempts, parent_workflow_id,"
            + " created_at, updated_at, workflow_timeout_ms, is_debounced,"
            + " debounce_deadline_epoch_ms, creator_xid, application_name)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?,"
            + " gen_random_uuid()::text, ?)"
            // Any conflict, the id's or the deduplication id's, inserts nothing instead of failing:
            // in a caller's transaction a failed statement would doom the caller's own work.
            + " ON CONFLICT DO NOTHING RETURNING workflow_uuid),"
            + " inputs AS (INSERT INTO \""
            + schema
            + "\".workflow_input (workflow_uuid, inputs) SELECT workflow_uuid, ? FROM ins"
            + Payloads.REPLACE_LEFTOVER_INPUTS
            + ")"
            + " SELECT pg_notify(?, ?) FROM ins";
    // A debounced workflow's deduplication id is its debounce key, held only while it waits:
    // cleared as it leaves DELAYED (as the DBOS SDKs do), so that a later call debounces afresh.
    this.existsSql = "SELECT 1 FROM " + t + " WHERE workflow_uuid = ?";
    this.promoteSql =
        "UPDATE "
            + t
            + " SET status = 'ENQUEUED', updated_at = ?, deduplication_id = CASE WHEN"
            + " is_debounced THEN NULL ELSE deduplication_id END WHERE status = 'DELAYED' AND"
            + " queue_name = ? AND delay_until_epoch_ms <= ? AND "
            // Another application's debounce key is not this one's to clear, as in the SDKs.
            + ApplicationScope.ownOrUnclaimed("");
    this.nextDelayedSql =
        "SELECT min(delay_until_epoch_ms) FROM "
            + t
            + " WHERE status = 'DELAYED' AND queue_name = ANY (?) AND "
            + ApplicationScope.ownOrUnclaimed("");
    this.depthsSql =
        "SELECT queue_name, count(*) FROM "
            + t
            + " WHERE status = 'ENQUEUED' AND queue_name = ANY (?) AND "
            + ApplicationScope.ownOrUnclaimed("")
            + " GROUP BY queue_name";
    this.partitionsSql =
        "SELECT DISTINCT queue_partition_key FROM "
            + t
            // A row without a key (SQL, another SDK) is not dequeued, as in the SDKs: a claim
            // without a key would take every key's rows past their partition limits.
            + " WHERE status = 'ENQUEUED' AND queue_name = ? AND queue_partition_key IS NOT NULL"
            + " AND "
            + ApplicationScope.ownOrUnclaimed("");
    this.requeueSql =
        "UPDATE "
            + t
            + " SET status = 'ENQUEUED', started_at_epoch_ms = NULL, rate_limited = false,"
            + " updated_at = ? WHERE status = 'PENDING' AND queue_name IS NOT NULL AND"
            + " executor_id = ? AND application_version = ? AND NOT (workflow_uuid = ANY (?))"
            // executor_id is "local" by default, the same in every application.
            + " AND "
            + ApplicationScope.ownOrUnclaimed("")
            + " RETURNING workflow_uuid";
  }

  /**
   * Writes an ENQUEUED (or, with {@code delayUntil}, DELAYED) workflow and announces it on {@link
   * #CHANNEL} in the same commit.
   */
  public EnqueueOutcome enqueue(NewWorkflow workflow, QueueEntry entry) {
    try (Connection c = connection()) {
      return enqueue(c, workflow, entry);
    } catch (SQLException e) {
      throw failure(
          "enqueue workflow '" + workflow.workflowId() + "' on queue '" + entry.queueName() + "'",
          e);
    }
  }

  /**
   * As {@link #enqueue(NewWorkflow, QueueEntry)}, on {@code c}: in a caller's transaction, the row
   * and its announcement commit (or roll back) with it. A conflict never fails the statement, so
   * the caller's transaction stays usable after {@link EnqueueOutcome#DUPLICATED}.
   */
  public EnqueueOutcome enqueue(Connection c, NewWorkflow workflow, QueueEntry entry) {
    String workflowId = workflow.workflowId();
    String queueName = entry.queueName();
    Long delayUntil = entry.delayUntil();
    Long timeoutMs = workflow.timeoutMs();
    try (PreparedStatement ps = c.prepareStatement(enqueueSql)) {
      ps.setString(1, workflowId);
      ps.setString(2, delayUntil == null ? "ENQUEUED" : "DELAYED");
      ps.setString(3, workflow.name());
      ps.setString(4, workflow.className());
      ps.setString(5, queueName);
      ps.setString(6, entry.deduplicationId());
      ps.setInt(7, entry.priority());
      ps.setString(8, entry.partitionKey());
      if (delayUntil == null) {
        ps.setNull(9, Types.BIGINT);
      } else {
        ps.setLong(9, delayUntil);
      }
      ps.setString(10, workflow.serialization());
      ps.setString(11, workflow.applicationVersion());
      ps.setString(12, workflow.executorId());
      ps.setString(13, workflow.parentWorkflowId());
      ps.setLong(14, workflow.createdAt());
      ps.setLong(15, workflow.createdAt());
      if (timeoutMs == null) {
        ps.setNull(16, Types.BIGINT);
      } else {
        ps.setLong(16, timeoutMs);
      }
      ps.setBoolean(17, entry.debounced());
      if (entry.debounceDeadline() == null) {
        ps.setNull(18, Types.BIGINT);
      } else {
        ps.setLong(18, entry.debounceDeadline());
      }
      ApplicationScope.bind(ps, 19, applicationName);
      ps.setString(20, workflow.inputs());
      ps.setString(21, CHANNEL);
      ps.setString(22, payload(queueName));
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return EnqueueOutcome.ENQUEUED;
        }
      }
      // Nothing inserted: the id is taken, or else the (queue_name, deduplication_id) index
      // held another row. Only this rare case costs a second statement.
      try (PreparedStatement exists = c.prepareStatement(existsSql)) {
        exists.setString(1, workflowId);
        try (ResultSet rs = exists.executeQuery()) {
          return rs.next() ? EnqueueOutcome.EXISTS : EnqueueOutcome.DUPLICATED;
        }
      }
    } catch (SQLException e) {
      throw failure("enqueue workflow '" + workflowId + "' on queue '" + queueName + "'", e);
    }
  }

  /** Announces that a queue may have room (a queued workflow finished). */
  public void announce(String queueName) {
    try (Connection c = connection();
        PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      ps.setString(1, CHANNEL);
      ps.setString(2, payload(queueName));
      ps.executeQuery().close();
    } catch (SQLException e) {
      throw failure("announce queue '" + queueName + "'", e);
    }
  }

  /**
   * The text {@link #enqueue} and {@link #announce} send: the schema (schemas sharing one database
   * are told apart), the sender and the queue.
   */
  private String payload(String queueName) {
    return schema + SEPARATOR + origin + SEPARATOR + queueName;
  }

  /** Makes the queue's delayed workflows whose delay has passed ENQUEUED. */
  public int promoteDelayed(String queueName, long now) {
    try (Connection c = connection();
        PreparedStatement ps = c.prepareStatement(promoteSql)) {
      ps.setLong(1, now);
      ps.setString(2, queueName);
      ps.setLong(3, now);
      ApplicationScope.bind(ps, 4, applicationName);
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw failure("start the delayed workflows of queue '" + queueName + "'", e);
    }
  }

  /** When the earliest delayed workflow of these queues becomes due. */
  public OptionalLong nextDelayed(List<String> queueNames) {
    try (Connection c = connection();
        PreparedStatement ps = c.prepareStatement(nextDelayedSql)) {
      ps.setArray(1, c.createArrayOf("text", queueNames.toArray()));
      ApplicationScope.bind(ps, 2, applicationName);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long due = rs.getLong(1);
        return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(due);
      }
    } catch (SQLException e) {
      throw failure("read the delayed workflows of queues " + queueNames, e);
    }
  }

  /**
   * The ENQUEUED workflows of each of these queues that this application may run; a queue without
   * any has 0. One query over the index of ENQUEUED and PENDING rows by queue.
   */
  public Map<String, Long> depths(List<String> queueNames) {
    Map<String, Long> depths = new HashMap<>();
    queueNames.forEach(name -> depths.put(name, 0L));
    try (Connection c = connection();
        PreparedStatement ps = c.prepareStatement(depthsSql)) {
      ps.setArray(1, c.createArrayOf("text", queueNames.toArray()));
      ApplicationScope.bind(ps, 2, applicationName);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          depths.put(rs.getString(1), rs.getLong(2));
        }
      }
      return depths;
    } catch (SQLException e) {
      throw failure("count the workflows waiting on queues " + queueNames, e);
    }
  }

  /** The partition keys that have ENQUEUED workflows on a partitioned queue (not NULL). */
  public List<String> partitions(String queueName) {
    List<String> keys = new ArrayList<>();
    try (Connection c = connection();
        PreparedStatement ps = c.prepareStatement(partitionsSql)) {
      ps.setString(1, queueName);
      ApplicationScope.bind(ps, 2, applicationName);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          keys.add(rs.getString(1));
        }
      }
      return keys;
    } catch (SQLException e) {
      throw failure("list the partitions of queue '" + queueName + "'", e);
    }
  }

  /**
   * Claims, for {@code executorId}, the next ENQUEUED workflows of a queue (or of one partition)
   * that its limits allow and this server can run ({@code runnableKeys}: "class/name" of the
   * workflows registered here), in priority then creation order: they become PENDING on this
   * executor, with their start time (and, when they have a timeout, their deadline) set.
   *
   * @param partitionKey the partition, or null for a queue that is not partitioned
   * @param claimant its clock is read once the claim holds the queue's lock, for the start time
   */
  public Claim claim(QueueLimits limits, String partitionKey, Claimant claimant) {
    try (Connection c = connection()) {
      return claims.claim(c, limits, partitionKey, claimant);
    } catch (SQLException e) {
      throw failure("claim workflows of queue '" + limits.queueName() + "'", e);
    }
  }

  /**
   * Puts this executor's PENDING queued workflows (those of a server that stopped) back on their
   * queues, except those running here.
   *
   * @return the ids put back
   */
  public List<String> requeue(
      String executorId, String applicationVersion, List<String> runningHere, long now) {
    List<String> ids = new ArrayList<>();
    try (Connection c = connection();
        PreparedStatement ps = c.prepareStatement(requeueSql)) {
      ps.setLong(1, now);
      ps.setString(2, executorId);
      ps.setString(3, applicationVersion);
      ps.setArray(4, c.createArrayOf("text", runningHere.toArray()));
      ApplicationScope.bind(ps, 5, applicationName);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
      return ids;
    } catch (SQLException e) {
      throw failure("put the queued workflows of executor '" + executorId + "' back", e);
    }
  }

  /**
   * The queue a notification on {@link #CHANNEL} is about, when it is about this schema and was
   * sent by another server; empty otherwise.
   */
  public Optional<String> queueOf(String payload) {
    String[] parts = payload.split(SEPARATOR, 3);
    if (parts.length == 3 && parts[0].equals(schema) && !parts[1].equals(origin)) {
      return Optional.of(parts[2]);
    }
    return Optional.empty();
  }

  private Connection connection() throws SQLException {
    return Sql.autoCommitted(dataSource);
  }

  private DBOSSystemDatabaseException failure(String what, SQLException e) {
    return Sql.failure(schema, what, e);
  }
}
