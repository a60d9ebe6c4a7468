package io.dbosee.internal.engine.db;

import io.dbosee.DBOSSystemDatabaseException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import javax.sql.DataSource;

/**
 * The queue's reads and writes of {@code workflow_status}: enqueuing, claiming the next workflows a
 * queue's limits allow, promoting delayed workflows, and putting a stopped server's queued
 * workflows back on their queue.
 *
 * <p>Claims on a queue (one partition of a partitioned queue) with a global concurrency or a rate
 * limit are serialized across every server by a transaction-scoped advisory lock, so the counts
 * that enforce them are exact: no two servers can both see a free slot and both take it. Other
 * claims need no lock: {@code FOR UPDATE SKIP LOCKED} keeps two servers from taking the same
 * workflow, and the only counts they read (a worker concurrency, the server's cap) are of the
 * server's own workflows, which only its own claims (one round at a time) add to.
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
  private final String promoteSql;
  private final String nextDelayedSql;
  private final String partitionsSql;
  private final String requeueSql;

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
   * The limits a claim keeps for one queue (zero: no limit): how many of its workflows run at once
   * on all servers ({@code concurrency}) and on each ({@code workerConcurrency}), and how many may
   * start in a period ({@code rateLimitMax} per {@code rateLimitPeriodMs}).
   */
  public record QueueLimits(
      String queueName,
      int concurrency,
      int workerConcurrency,
      int rateLimitMax,
      long rateLimitPeriodMs) {}

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
    this.dataSource = dataSource;
    this.schema = schema;
    this.origin = origin;
    String t = "\"" + schema + "\".workflow_status";
    // One statement: the row, its inputs in their own table, and the announcement.
    this.enqueueSql =
        "WITH ins AS (INSERT INTO "
            + t
            + " (workflow_uuid, status, name, class_name, queue_name, deduplication_id, priority,"
            + " queue_partition_key, delay_until_epoch_ms, serialization,"
            + " application_version, executor_id, recovery_attempts, parent_workflow_id,"
            + " created_at, updated_at, workflow_timeout_ms, is_debounced,"
            + " debounce_deadline_epoch_ms, creator_xid)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?,"
            + " gen_random_uuid()::text)"
            + " ON CONFLICT (workflow_uuid) DO NOTHING RETURNING workflow_uuid),"
            + " inputs AS (INSERT INTO \""
            + schema
            + "\".workflow_input (workflow_uuid, inputs) SELECT workflow_uuid, ? FROM ins"
            + Payloads.REPLACE_LEFTOVER_INPUTS
            + ")"
            + " SELECT pg_notify(?, ?) FROM ins";
    // A debounced workflow's deduplication id is its debounce key, held only while it waits:
    // cleared as it leaves DELAYED (as the DBOS SDKs do), so that a later call debounces afresh.
    this.promoteSql =
        "UPDATE "
            + t
            + " SET status = 'ENQUEUED', updated_at = ?, deduplication_id = CASE WHEN"
            + " is_debounced THEN NULL ELSE deduplication_id END WHERE status = 'DELAYED' AND"
            + " queue_name = ? AND delay_until_epoch_ms <= ?";
    this.nextDelayedSql =
        "SELECT min(delay_until_epoch_ms) FROM "
            + t
            + " WHERE status = 'DELAYED' AND queue_name = ANY (?)";
    this.partitionsSql =
        "SELECT DISTINCT queue_partition_key FROM "
            + t
            + " WHERE status = 'ENQUEUED' AND queue_name = ?";
    this.requeueSql =
        "UPDATE "
            + t
            + " SET status = 'ENQUEUED', started_at_epoch_ms = NULL, rate_limited = false,"
            + " updated_at = ? WHERE status = 'PENDING' AND queue_name IS NOT NULL AND"
            + " executor_id = ? AND application_version = ? AND NOT (workflow_uuid = ANY (?))"
            + " RETURNING workflow_uuid";
  }

  /**
   * Writes an ENQUEUED (or, with {@code delayUntil}, DELAYED) workflow and announces it on {@link
   * #CHANNEL} in the same commit.
   */
  public EnqueueOutcome enqueue(NewWorkflow workflow, QueueEntry entry) {
    String workflowId = workflow.workflowId();
    String queueName = entry.queueName();
    Long delayUntil = entry.delayUntil();
    Long timeoutMs = workflow.timeoutMs();
    try (Connection c = connection();
        PreparedStatement ps = c.prepareStatement(enqueueSql)) {
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
      ps.setString(19, workflow.inputs());
      ps.setString(20, CHANNEL);
      ps.setString(21, payload(queueName));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? EnqueueOutcome.ENQUEUED : EnqueueOutcome.EXISTS;
      }
    } catch (SQLException e) {
      // The primary key conflict is absorbed above: only the (queue_name, deduplication_id)
      // unique index can still be violated.
      if ("23505".equals(e.getSQLState())) {
        return EnqueueOutcome.DUPLICATED;
      }
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
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long due = rs.getLong(1);
        return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(due);
      }
    } catch (SQLException e) {
      throw failure("read the delayed workflows of queues " + queueNames, e);
    }
  }

  /** The partition keys that have ENQUEUED workflows on a partitioned queue. */
  public List<String> partitions(String queueName) {
    List<String> keys = new ArrayList<>();
    try (Connection c = connection();
        PreparedStatement ps = c.prepareStatement(partitionsSql)) {
      ps.setString(1, queueName);
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
    String queueName = limits.queueName();
    int concurrency = limits.concurrency();
    int workerConcurrency = limits.workerConcurrency();
    int rateLimitMax = limits.rateLimitMax();
    long rateLimitPeriodMs = limits.rateLimitPeriodMs();
    String executorId = claimant.executorId();
    ServerCap cap = claimant.cap();
    LongSupplier clock = claimant.clock();
    // The server's own count needs no lock: this server's claims run one at a time.
    ServerCap serverCap = workerConcurrency > 0 ? null : cap;
    try (Connection c = connection()) {
      if (concurrency <= 0 && rateLimitMax <= 0) {
        // No global count to keep exact: SKIP LOCKED alone keeps two claims from taking the same
        // row, and this server's own counts cannot change under it, so autocommit statements do,
        // without the lock and its transaction.
        int room =
            workerConcurrency > 0
                ? workerRoom(c, queueName, partitionKey, executorId, workerConcurrency)
                : serverRoom(c, serverCap, executorId, MAX_CLAIM);
        List<Claimed> claimed =
            room > 0
                ? claimRows(c, queueName, partitionKey, room, false, claimant, clock.getAsLong())
                : List.of();
        return new Claim(
            claimed,
            OptionalLong.empty(),
            serverCap != null && room < MAX_CLAIM && claimed.size() == room);
      }
      c.setAutoCommit(false);
      try {
        try (PreparedStatement ps =
            c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
          ps.setString(1, "dbosee-queue/" + schema + "/" + queueName + "/" + partitionKey);
          ps.executeQuery().close();
        }
        // Read after the lock: another server's claim may have kept this one waiting.
        long now = clock.getAsLong();
        int serverRoom = serverRoom(c, serverCap, executorId, MAX_CLAIM);
        int room = serverRoom;
        if (concurrency > 0 || workerConcurrency > 0) {
          int[] pending = pending(c, queueName, partitionKey, executorId);
          if (concurrency > 0) {
            room = Math.min(room, concurrency - pending[0]);
          }
          if (workerConcurrency > 0) {
            room = Math.min(room, workerConcurrency - pending[1]);
          }
        }
        OptionalLong retryAt = OptionalLong.empty();
        if (rateLimitMax > 0 && room > 0) {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT count(*), min(started_at_epoch_ms) FROM "
                      + table()
                      + " WHERE rate_limited AND queue_name = ? AND started_at_epoch_ms > ?"
                      + partitionFilter(partitionKey))) {
            ps.setString(1, queueName);
            ps.setLong(2, now - rateLimitPeriodMs);
            if (partitionKey != null) {
              ps.setString(3, partitionKey);
            }
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              int started = rs.getInt(1);
              room = Math.min(room, rateLimitMax - started);
              if (room <= 0) {
                retryAt = OptionalLong.of(rs.getLong(2) + rateLimitPeriodMs + 1);
              }
            }
          }
        }
        // The clock is read after the counts: a start is never dated before the finish it followed.
        List<Claimed> claimed =
            room > 0
                ? claimRows(
                    c, queueName, partitionKey, room, rateLimitMax > 0, claimant, clock.getAsLong())
                : List.of();
        c.commit();
        return new Claim(claimed, retryAt, serverRoom < MAX_CLAIM && claimed.size() == serverRoom);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw failure("claim workflows of queue '" + queueName + "'", e);
    }
  }

  /** What the queue's worker concurrency leaves this server (zero or more, at most a claim). */
  private int workerRoom(
      Connection c, String queueName, String partitionKey, String executorId, int limit)
      throws SQLException {
    int mine = pending(c, queueName, partitionKey, executorId)[1];
    return Math.max(0, Math.min(MAX_CLAIM, limit - mine));
  }

  /** The queue's (partition's) PENDING workflows: on every server, and on this one. */
  private int[] pending(Connection c, String queueName, String partitionKey, String executorId)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT count(*), count(*) FILTER (WHERE executor_id = ?) FROM "
                + table()
                + " WHERE status = 'PENDING' AND queue_name = ?"
                + partitionFilter(partitionKey))) {
      ps.setString(1, executorId);
      ps.setString(2, queueName);
      if (partitionKey != null) {
        ps.setString(3, partitionKey);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new int[] {rs.getInt(1), rs.getInt(2)};
      }
    }
  }

  /** At most {@code max}, less what the server cap leaves (zero or more). */
  private int serverRoom(Connection c, ServerCap cap, String executorId, int max)
      throws SQLException {
    if (cap == null) {
      return max;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT count(*) FROM "
                + table()
                + " WHERE status = 'PENDING' AND executor_id = ? AND queue_name = ANY (?)")) {
      ps.setString(1, executorId);
      ps.setArray(2, c.createArrayOf("text", cap.queueNames().toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return Math.max(0, Math.min(max, cap.limit() - rs.getInt(1)));
      }
    }
  }

  /** Takes up to {@code room} ENQUEUED workflows of the queue (partition) for this executor. */
  private List<Claimed> claimRows(
      Connection c,
      String queueName,
      String partitionKey,
      int room,
      boolean rateLimited,
      Claimant claimant,
      long now)
      throws SQLException {
    String executorId = claimant.executorId();
    String applicationVersion = claimant.applicationVersion();
    List<String> runnableKeys = claimant.runnableKeys();
    String t = table();
    List<Claimed> claimed = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "WITH picked AS (SELECT workflow_uuid, priority AS p, created_at AS c FROM "
                + t
                + " WHERE status = 'ENQUEUED' AND queue_name = ?"
                + partitionFilter(partitionKey)
                + " AND (application_version IS NULL OR application_version = ?)"
                + " AND (COALESCE(class_name, '') || '/' || name) = ANY (?)"
                + " ORDER BY priority, created_at LIMIT ? FOR UPDATE SKIP LOCKED),"
                + " upd AS (UPDATE "
                + t
                + " AS ws SET status = 'PENDING', executor_id = ?, application_version = ?,"
                + " started_at_epoch_ms = ?, updated_at = ?, rate_limited = ?,"
                // The start is counted here, so running it needs no second write.
                + " recovery_attempts = ws.recovery_attempts + 1,"
                + " workflow_deadline_epoch_ms = CASE WHEN ws.workflow_timeout_ms IS NULL"
                + " THEN ws.workflow_deadline_epoch_ms ELSE ? + ws.workflow_timeout_ms END"
                + " FROM picked WHERE ws.workflow_uuid = picked.workflow_uuid RETURNING "
                + prefixed("ws.", SystemDatabase.ROW_COLUMNS)
                + ", EXISTS (SELECT 1 FROM \""
                + schema
                + "\".operation_outputs o WHERE o.workflow_uuid = ws.workflow_uuid)"
                + " AS has_operations, picked.p, picked.c)"
                + " SELECT "
                + SystemDatabase.rowColumns("upd")
                + ", upd.has_operations FROM upd"
                + SystemDatabase.payloadJoins("\"" + schema + "\"", "upd")
                + " ORDER BY upd.p, upd.c")) {
      int i = 1;
      ps.setString(i++, queueName);
      if (partitionKey != null) {
        ps.setString(i++, partitionKey);
      }
      ps.setString(i++, applicationVersion);
      ps.setArray(i++, c.createArrayOf("text", runnableKeys.toArray()));
      ps.setInt(i++, room);
      ps.setString(i++, executorId);
      ps.setString(i++, applicationVersion);
      ps.setLong(i++, now);
      ps.setLong(i++, now);
      ps.setBoolean(i++, rateLimited);
      ps.setLong(i, now);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          claimed.add(new Claimed(SystemDatabase.workflowRow(rs), rs.getBoolean("has_operations")));
        }
      }
    }
    return claimed;
  }

  private String table() {
    return "\"" + schema + "\".workflow_status";
  }

  private static String partitionFilter(String partitionKey) {
    return partitionKey == null ? "" : " AND queue_partition_key = ?";
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

  private static String prefixed(String prefix, String columns) {
    StringBuilder b = new StringBuilder();
    for (String column : columns.split(",")) {
      b.append(b.length() == 0 ? "" : ", ").append(prefix).append(column.trim());
    }
    return b.toString();
  }

  private Connection connection() throws SQLException {
    return Sql.autoCommitted(dataSource);
  }

  private DBOSSystemDatabaseException failure(String what, SQLException e) {
    return Sql.failure(schema, what, e);
  }
}
