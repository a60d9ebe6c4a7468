package io.dbosee.internal.engine.db;

import io.dbosee.internal.engine.db.QueueDatabase.Claim;
import io.dbosee.internal.engine.db.QueueDatabase.Claimant;
import io.dbosee.internal.engine.db.QueueDatabase.Claimed;
import io.dbosee.internal.engine.db.QueueDatabase.Limits;
import io.dbosee.internal.engine.db.QueueDatabase.QueueLimits;
import io.dbosee.internal.engine.db.QueueDatabase.ServerCap;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * Owns the claim: which ENQUEUED workflows of a queue (of one partition of it) a server may start
 * under the queue's limits, and taking them.
 *
 * <p>A claim bound by a count that other servers change (a concurrency or a rate limit, of the
 * queue or of the partition) is serialized by a transaction-scoped advisory lock on that scope, so
 * the counts that enforce it are exact: no two servers can both see a free slot and both take it.
 * The scope is the whole queue when a queue-wide such limit is set (every partition's claim counts
 * against it), else the partition, so that other partitions are claimed meanwhile. Other claims
 * need no lock: {@code FOR UPDATE SKIP LOCKED} keeps two servers from taking the same workflow, and
 * the only counts they read (a worker concurrency, the server's cap) are of the server's own
 * workflows, which only its own claims (one round at a time) add to. Each count is one statement
 * whatever the scopes: the partition's share is a {@code FILTER} of the queue's.
 */
final class QueueClaims {
  private static final int MAX_CLAIM = QueueDatabase.MAX_CLAIM;

  private final String schema;
  private final String table;

  /** The application this server acts for ({@link ApplicationScope}), or null. */
  private final String applicationName;

  QueueClaims(String schema, String applicationName) {
    this.schema = schema;
    this.applicationName = applicationName;
    this.table = "\"" + schema + "\".workflow_status";
  }

  /**
   * What one claim is about: a queue, the partition key (null: the queue is not partitioned), the
   * claiming executor, and the limits of the queue and of the partition (none without a key).
   */
  private record Scope(
      String queueName, String partitionKey, String executorId, Limits queue, Limits partition) {
    /** Whether a count that other servers change bounds the claim: it takes the lock. */
    boolean shared() {
      return queue.shared() || partition.shared();
    }

    boolean countsRunning() {
      return queue.concurrency() > 0
          || queue.workerConcurrency() > 0
          || partition.concurrency() > 0
          || partition.workerConcurrency() > 0;
    }

    boolean rateLimited() {
      return queue.rateLimitMax() > 0 || partition.rateLimitMax() > 0;
    }
  }

  /** See {@link QueueDatabase#claim}; {@code c} is in auto-commit mode, and left so. */
  Claim claim(Connection c, QueueLimits limits, String partitionKey, Claimant claimant)
      throws SQLException {
    Scope scope =
        new Scope(
            limits.queueName(),
            partitionKey,
            claimant.executorId(),
            limits.queueWide(),
            partitionKey == null ? Limits.NONE : limits.perPartition());
    // The server's cap covers the queues without a worker concurrency of their own.
    ServerCap serverCap = scope.queue().workerConcurrency() > 0 ? null : claimant.cap();
    LongSupplier clock = claimant.clock();
    if (!scope.shared()) {
      // No count other servers change: SKIP LOCKED alone keeps two claims from taking the same
      // row, and this server's own counts cannot change under it, so autocommit statements do,
      // without the lock and its transaction.
      if (!scope.countsRunning()) {
        return claimWithinCap(c, scope, serverCap, claimant, clock.getAsLong());
      }
      int serverRoom = serverRoom(c, serverCap, scope.executorId());
      int room = runningRoom(c, scope, serverRoom);
      List<Claimed> claimed =
          room > 0 ? claimUpTo(c, scope, room, claimant, clock.getAsLong()) : List.of();
      return new Claim(claimed, OptionalLong.empty(), capped(serverRoom, claimed));
    }
    c.setAutoCommit(false);
    try {
      // The queue's lock when a queue-wide count is shared, else only this key's.
      lock(c, scope.queueName(), scope.queue().shared() ? null : partitionKey);
      // Read after the lock: another server's claim may have kept this one waiting.
      long now = clock.getAsLong();
      int serverRoom = serverRoom(c, serverCap, scope.executorId());
      int room = runningRoom(c, scope, serverRoom);
      OptionalLong retryAt = OptionalLong.empty();
      if (room > 0 && scope.rateLimited()) {
        Starts starts = starts(c, scope, now);
        room = Math.min(room, starts.room(scope));
        if (room <= 0) {
          retryAt = OptionalLong.of(starts.retryAt(scope));
        }
      }
      // The clock is read after the counts: a start is never dated before the finish it followed.
      List<Claimed> claimed =
          room > 0 ? claimUpTo(c, scope, room, claimant, clock.getAsLong()) : List.of();
      c.commit();
      return new Claim(claimed, retryAt, capped(serverRoom, claimed));
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /**
   * A claim bound by the server's cap at most: the cap's count is part of the claim's statement,
   * one round trip. Only a claim that took nothing counts again, to tell whether the cap stopped
   * it.
   */
  private Claim claimWithinCap(
      Connection c, Scope scope, ServerCap serverCap, Claimant claimant, long now)
      throws SQLException {
    Rows rows = claimRows(c, scope, MAX_CLAIM, serverCap, claimant, now);
    List<Claimed> claimed = rows.claimed();
    int serverRoom =
        serverCap == null
            ? MAX_CLAIM
            : claimed.isEmpty() ? serverRoom(c, serverCap, scope.executorId()) : rows.serverRoom();
    return new Claim(claimed, OptionalLong.empty(), capped(serverRoom, claimed));
  }

  /** {@code room}, less what the running limits leave. */
  private int runningRoom(Connection c, Scope scope, int room) throws SQLException {
    return room > 0 && scope.countsRunning() ? Math.min(room, running(c, scope).room(scope)) : room;
  }

  /** Whether the server's cap, not a limit of the queue, is what stopped this claim. */
  private static boolean capped(int serverRoom, List<Claimed> claimed) {
    return serverRoom < MAX_CLAIM && claimed.size() == serverRoom;
  }

  /** Serializes the claims of one scope (the queue's when {@code partitionKey} is null). */
  private void lock(Connection c, String queueName, String partitionKey) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
      ps.setString(1, "dbosee-queue/" + schema + "/" + queueName + "/" + partitionKey);
      ps.executeQuery().close();
    }
  }

  /** The PENDING workflows of the queue and of the partition: on every server, and on this one. */
  private record Running(int queueAll, int queueMine, int partitionAll, int partitionMine) {
    /** What the running limits leave (zero or more, at most a claim). */
    int room(Scope scope) {
      Limits queue = scope.queue();
      Limits partition = scope.partition();
      int room = MAX_CLAIM;
      room = within(room, queue.concurrency(), queueAll);
      room = within(room, queue.workerConcurrency(), queueMine);
      room = within(room, partition.concurrency(), partitionAll);
      room = within(room, partition.workerConcurrency(), partitionMine);
      return Math.max(0, room);
    }

    private static int within(int room, int limit, int used) {
      return limit > 0 ? Math.min(room, limit - used) : room;
    }
  }

  private Running running(Connection c, Scope scope) throws SQLException {
    String partitionKey = scope.partitionKey();
    String executorId = scope.executorId();
    // Without a queue-wide running limit, the partition's rows are all the count needs.
    boolean wholeQueue = scope.queue().concurrency() > 0 || scope.queue().workerConcurrency() > 0;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT count(*), count(*) FILTER (WHERE executor_id = ?),"
                + " count(*) FILTER (WHERE queue_partition_key = ?),"
                + " count(*) FILTER (WHERE queue_partition_key = ? AND executor_id = ?) FROM "
                + table
                + " WHERE status = 'PENDING' AND queue_name = ?"
                + (wholeQueue ? "" : partitionFilter(partitionKey))
                // As the SDKs count: another application's workflows spend its own limits.
                + " AND "
                + ApplicationScope.ownOrUnclaimed(""))) {
      int i = 1;
      ps.setString(i++, executorId);
      ps.setString(i++, partitionKey);
      ps.setString(i++, partitionKey);
      ps.setString(i++, executorId);
      ps.setString(i++, scope.queueName());
      if (!wholeQueue && partitionKey != null) {
        ps.setString(i++, partitionKey);
      }
      ApplicationScope.bind(ps, i, applicationName);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Running(rs.getInt(1), rs.getInt(2), rs.getInt(3), rs.getInt(4));
      }
    }
  }

  /**
   * The rate-limited starts within each rate limit's window, of the queue and of the partition, and
   * the oldest of each (when a window frees its next slot).
   */
  private record Starts(int queue, long queueOldest, int partition, long partitionOldest) {
    int room(Scope scope) {
      Limits queueLimits = scope.queue();
      Limits partitionLimits = scope.partition();
      int room = MAX_CLAIM;
      if (queueLimits.rateLimitMax() > 0) {
        room = Math.min(room, queueLimits.rateLimitMax() - queue);
      }
      if (partitionLimits.rateLimitMax() > 0) {
        room = Math.min(room, partitionLimits.rateLimitMax() - partition);
      }
      return room;
    }

    /** When every exhausted window has a slot again. */
    long retryAt(Scope scope) {
      Limits queueLimits = scope.queue();
      Limits partitionLimits = scope.partition();
      long at = Long.MIN_VALUE;
      if (queueLimits.rateLimitMax() > 0 && queue >= queueLimits.rateLimitMax()) {
        at = Math.max(at, queueOldest + queueLimits.rateLimitPeriodMs() + 1);
      }
      if (partitionLimits.rateLimitMax() > 0 && partition >= partitionLimits.rateLimitMax()) {
        at = Math.max(at, partitionOldest + partitionLimits.rateLimitPeriodMs() + 1);
      }
      return at;
    }
  }

  private Starts starts(Connection c, Scope scope, long now) throws SQLException {
    String partitionKey = scope.partitionKey();
    Limits queue = scope.queue();
    Limits partition = scope.partition();
    boolean wholeQueue = queue.rateLimitMax() > 0;
    long queueSince = wholeQueue ? now - queue.rateLimitPeriodMs() : Long.MAX_VALUE;
    long partitionSince =
        partition.rateLimitMax() > 0 ? now - partition.rateLimitPeriodMs() : Long.MAX_VALUE;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT count(*) FILTER (WHERE started_at_epoch_ms > ?),"
                + " min(started_at_epoch_ms) FILTER (WHERE started_at_epoch_ms > ?),"
                + " count(*) FILTER (WHERE queue_partition_key = ? AND started_at_epoch_ms > ?),"
                + " min(started_at_epoch_ms) FILTER (WHERE queue_partition_key = ? AND"
                + " started_at_epoch_ms > ?) FROM "
                + table
                + " WHERE rate_limited AND queue_name = ? AND started_at_epoch_ms > ?"
                + (wholeQueue ? "" : partitionFilter(partitionKey))
                + " AND "
                + ApplicationScope.ownOrUnclaimed(""))) {
      int i = 1;
      ps.setLong(i++, queueSince);
      ps.setLong(i++, queueSince);
      ps.setString(i++, partitionKey);
      ps.setLong(i++, partitionSince);
      ps.setString(i++, partitionKey);
      ps.setLong(i++, partitionSince);
      ps.setString(i++, scope.queueName());
      ps.setLong(i++, Math.min(queueSince, partitionSince));
      if (!wholeQueue && partitionKey != null) {
        ps.setString(i++, partitionKey);
      }
      ApplicationScope.bind(ps, i, applicationName);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Starts(rs.getInt(1), rs.getLong(2), rs.getInt(3), rs.getLong(4));
      }
    }
  }

  /** The server's running workflows of the capped queues: executor id, then queue names. */
  private static final String SERVER_RUNNING =
      " WHERE status = 'PENDING' AND executor_id = ? AND queue_name = ANY (?)";

  /** At most a claim, less what the server cap leaves (zero or more). */
  private int serverRoom(Connection c, ServerCap cap, String executorId) throws SQLException {
    if (cap == null) {
      return MAX_CLAIM;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT GREATEST(0, LEAST(?, ? - count(*)))::int FROM " + table + SERVER_RUNNING)) {
      bindServerRunning(c, ps, 1, cap, MAX_CLAIM, executorId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /**
   * Binds at most {@code room}, the cap, and {@link #SERVER_RUNNING}'s parameters from {@code i}.
   */
  private static int bindServerRunning(
      Connection c, PreparedStatement ps, int i, ServerCap cap, int room, String executorId)
      throws SQLException {
    int n = i;
    ps.setInt(n++, room);
    ps.setInt(n++, cap.limit());
    ps.setString(n++, executorId);
    ps.setArray(n++, c.createArrayOf("text", cap.queueNames().toArray()));
    return n;
  }

  /** Takes up to {@code room} ENQUEUED workflows ({@link #claimRows}, without a cap). */
  private List<Claimed> claimUpTo(Connection c, Scope scope, int room, Claimant claimant, long now)
      throws SQLException {
    return claimRows(c, scope, room, null, claimant, now).claimed();
  }

  /**
   * What a claim took, and the server's room it counted (its cap less its running workflows; known
   * only when it took any).
   */
  private record Rows(List<Claimed> claimed, int serverRoom) {}

  /**
   * Takes up to {@code room} ENQUEUED workflows of the queue (partition) for this executor, marked
   * rate-limited when a rate limit counts them; with {@code cap}, no more than the cap leaves,
   * counted in the same statement.
   */
  private Rows claimRows(
      Connection c, Scope scope, int room, ServerCap cap, Claimant claimant, long now)
      throws SQLException {
    String queueName = scope.queueName();
    String partitionKey = scope.partitionKey();
    boolean rateLimited = scope.rateLimited();
    String executorId = claimant.executorId();
    String applicationVersion = claimant.applicationVersion();
    List<String> runnableKeys = claimant.runnableKeys();
    String t = table;
    List<Claimed> claimed = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            (cap == null
                    ? "WITH"
                    : "WITH room AS (SELECT GREATEST(0, LEAST(?, ? - count(*)))::int AS n FROM "
                        + t
                        + SERVER_RUNNING
                        + "),")
                + " picked AS (SELECT workflow_uuid, priority AS p, created_at AS c FROM "
                + t
                + " WHERE status = 'ENQUEUED' AND queue_name = ?"
                + partitionFilter(partitionKey)
                + " AND (application_version IS NULL OR application_version = ?)"
                + " AND (COALESCE(class_name, '') || '/' || name) = ANY (?)"
                + " AND "
                + ApplicationScope.ownOrUnclaimed("")
                + " ORDER BY priority, created_at LIMIT "
                + (cap == null ? "?" : "(SELECT n FROM room)")
                + " FOR UPDATE SKIP LOCKED),"
                + " upd AS (UPDATE "
                + t
                + " AS ws SET status = 'PENDING', executor_id = ?, application_version = ?,"
                + " started_at_epoch_ms = ?, updated_at = ?, rate_limited = ?, "
                // An unclaimed row becomes this application's as it runs here, as in the SDKs.
                + ApplicationScope.claim("ws")
                + ","
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
                + ", upd.has_operations"
                + (cap == null ? "" : ", (SELECT n FROM room) AS server_room")
                + " FROM upd"
                + SystemDatabase.payloadJoins("\"" + schema + "\"", "upd")
                + " ORDER BY upd.p, upd.c")) {
      int i = 1;
      if (cap != null) {
        i = bindServerRunning(c, ps, i, cap, room, executorId);
      }
      ps.setString(i++, queueName);
      if (partitionKey != null) {
        ps.setString(i++, partitionKey);
      }
      ps.setString(i++, applicationVersion);
      ps.setArray(i++, c.createArrayOf("text", runnableKeys.toArray()));
      ApplicationScope.bind(ps, i++, applicationName);
      if (cap == null) {
        ps.setInt(i++, room);
      }
      ps.setString(i++, executorId);
      ps.setString(i++, applicationVersion);
      ps.setLong(i++, now);
      ps.setLong(i++, now);
      ps.setBoolean(i++, rateLimited);
      ApplicationScope.bind(ps, i++, applicationName);
      ps.setLong(i, now);
      int serverRoom = -1;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          claimed.add(new Claimed(SystemDatabase.workflowRow(rs), rs.getBoolean("has_operations")));
          if (cap != null) {
            serverRoom = rs.getInt("server_room");
          }
        }
      }
      return new Rows(claimed, serverRoom);
    }
  }

  private static String prefixed(String prefix, String columns) {
    StringBuilder b = new StringBuilder();
    for (String column : columns.split(",")) {
      b.append(b.length() == 0 ? "" : ", ").append(prefix).append(column.trim());
    }
    return b.toString();
  }

  private static String partitionFilter(String partitionKey) {
    return partitionKey == null ? "" : " AND queue_partition_key = ?";
  }
}
