package io.dbosee.internal.engine.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The debounce's write of {@code workflow_status}, as the DBOS SDKs make it (TypeScript SDK 5.3's
 * {@code debounceDelayedWorkflow}): a debounced workflow is a DELAYED row on a queue whose
 * deduplication id is the debounce key and whose {@code is_debounced} is true; a later call with
 * the key pushes its delay back (never past {@code debounce_deadline_epoch_ms}) and replaces its
 * inputs, in one transaction. When no such row takes the call, the row that holds the key (if any)
 * is reported, so that the caller enqueues a fresh one or reports the conflict.
 */
public final class DebounceDatabase {
  private final DataSource dataSource;
  private final String schema;
  private final String bounceSql;
  private final String inputsSql;
  private final String holderSql;

  /**
   * One call of a debounce: the workflow it debounces, where it waits, the delay it asks for, and
   * its serialized arguments.
   */
  public record Call(
      String workflowName,
      String className,
      String queueName,
      String deduplicationId,
      long delayUntil,
      String inputs,
      String serialization) {}

  /**
   * What a call did: pushed back the workflow {@code bouncedId}; or found the key held by {@code
   * holderId} (debounced or not, of that workflow name and class, owned by that application or
   * unclaimed: null); or found the key free (all null).
   */
  public record Bounce(
      String bouncedId,
      String holderId,
      boolean holderDebounced,
      String holderName,
      String holderClassName,
      String holderApplicationName) {

    static final Bounce FREE = new Bounce(null, null, false, null, null, null);
  }

  /** The application this server acts for ({@link ApplicationScope}), or null. */
  private final String applicationName;

  public DebounceDatabase(DataSource dataSource, String schema) {
    this(dataSource, schema, null);
  }

  /**
   * @param applicationName the application this server acts for, or null: a call pushes back only
   *     its own or an unclaimed workflow, and claims an unclaimed one
   */
  public DebounceDatabase(DataSource dataSource, String schema, String applicationName) {
    this.applicationName = applicationName;
    this.dataSource = dataSource;
    this.schema = schema;
    String t = "\"" + schema + "\".workflow_status";
    this.bounceSql =
        "UPDATE "
            + t
            + " SET delay_until_epoch_ms = CASE WHEN debounce_deadline_epoch_ms IS NOT NULL AND"
            + " debounce_deadline_epoch_ms < ? THEN debounce_deadline_epoch_ms ELSE ? END,"
            + " serialization = ?, updated_at = ?, "
            // Claimed as its dequeue would claim it: left unclaimed, every application's calls
            // would collapse onto the one workflow (as the SDKs reason).
            + ApplicationScope.claim("")
            + " WHERE name = ? AND class_name IS NOT DISTINCT FROM ? AND queue_name = ?"
            + " AND deduplication_id = ? AND status = 'DELAYED' AND is_debounced AND "
            + ApplicationScope.ownOrUnclaimed("")
            + " RETURNING workflow_uuid";
    this.inputsSql =
        "INSERT INTO \""
            + schema
            + "\".workflow_input (workflow_uuid, inputs, retention_timestamp) VALUES (?, ?, ?)"
            + " ON CONFLICT (workflow_uuid) DO UPDATE SET inputs = EXCLUDED.inputs";
    this.holderSql =
        "SELECT workflow_uuid, is_debounced, name, class_name, application_name FROM "
            + t
            + " WHERE queue_name = ? AND deduplication_id = ?";
  }

  /**
   * Pushes back the debounced DELAYED workflow that holds {@code call}'s key and gives it the
   * call's inputs, or reports who holds the key. One transaction: a concurrent promotion (which
   * clears the key) either happens before, and the call finds the key free, or after, and the
   * workflow runs with these inputs.
   */
  public Bounce bounce(Call call, long now) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Bounce result = bounce(c, call, now);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw Sql.failure(
          schema,
          "debounce workflow '"
              + call.workflowName()
              + "' under key '"
              + call.deduplicationId()
              + "' on queue '"
              + call.queueName()
              + "'",
          e);
    }
  }

  private Bounce bounce(Connection c, Call call, long now) throws SQLException {
    String bounced = null;
    try (PreparedStatement ps = c.prepareStatement(bounceSql)) {
      ps.setLong(1, call.delayUntil());
      ps.setLong(2, call.delayUntil());
      ps.setString(3, call.serialization());
      ps.setLong(4, now);
      ApplicationScope.bind(ps, 5, applicationName);
      ps.setString(6, call.workflowName());
      // The SDKs write an empty class name as NULL.
      ps.setString(
          7, call.className() == null || call.className().isEmpty() ? null : call.className());
      ps.setString(8, call.queueName());
      ps.setString(9, call.deduplicationId());
      ApplicationScope.bind(ps, 10, applicationName);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          bounced = rs.getString(1);
        }
      }
    }
    if (bounced != null) {
      try (PreparedStatement ps = c.prepareStatement(inputsSql)) {
        ps.setString(1, bounced);
        ps.setString(2, call.inputs());
        ps.setLong(3, now);
        ps.executeUpdate();
      }
      return new Bounce(bounced, null, false, null, null, null);
    }
    try (PreparedStatement ps = c.prepareStatement(holderSql)) {
      ps.setString(1, call.queueName());
      ps.setString(2, call.deduplicationId());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Bounce.FREE;
        }
        return new Bounce(
            null,
            rs.getString(1),
            rs.getBoolean(2),
            rs.getString(3),
            rs.getString(4),
            rs.getString(5));
      }
    }
  }
}
