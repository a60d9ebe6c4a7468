package io.dbosee.internal.engine.db;

import io.dbosee.DBOSNonExistentWorkflowException;
import io.dbosee.DBOSSystemDatabaseException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Messages ({@code notifications}) and events ({@code workflow_events} and their history): each
 * write that a workflow makes is one statement that also records its operation, so the effect and
 * its checkpoint commit together, and a replay neither sends nor consumes twice.
 */
public final class MessageDatabase {
  /** How a null topic is stored, as the DBOS SDKs store it. */
  public static final String NULL_TOPIC = "__null__topic__";

  private final DataSource dataSource;
  private final String schema;
  private final String s;

  /** A stored value and the format it is written in. */
  public record Value(String text, String serialization) {}

  /**
   * A message to send: its id (a retried send with the same id delivers once), its destination
   * workflow and topic (null: the default topic), and its value.
   */
  public record Message(String messageId, String destinationId, String topic, Value value) {}

  /** The application this server acts for ({@link ApplicationScope}), or null. */
  private final String applicationName;

  public MessageDatabase(DataSource dataSource, String schema) {
    this(dataSource, schema, null);
  }

  /**
   * @param applicationName recorded with the operations a workflow records here, as the SDKs record
   *     it, or null
   */
  public MessageDatabase(DataSource dataSource, String schema, String applicationName) {
    this.applicationName = applicationName;
    this.dataSource = dataSource;
    this.schema = schema;
    this.s = "\"" + schema + "\"";
  }

  /**
   * Inserts a message, once per {@link Message#messageId}; sent by a workflow, also records the
   * send as that workflow's operation, in the same statement.
   *
   * @param sender the workflow operation that sends it, or null for a send from outside workflows
   * @throws DBOSNonExistentWorkflowException if no workflow has the destination id
   */
  public void send(Message message, WrittenBy sender, long now) {
    try (Connection c = connection()) {
      send(c, message, sender, now);
    } catch (SQLException e) {
      throw failure("send a message to workflow '" + message.destinationId() + "'", e);
    }
  }

  /**
   * As {@link #send(Message, WrittenBy, long)}, on {@code c}: in a caller's transaction, the
   * message commits (or rolls back) with it, and so does its notification to the receiver. A send
   * from outside workflows to a workflow that does not exist fails without failing the statement,
   * so that the caller's transaction stays usable.
   */
  public void send(Connection c, Message message, WrittenBy sender, long now) {
    String messageId = message.messageId();
    String destinationId = message.destinationId();
    String topic = message.topic();
    String serialization = message.value().serialization();
    String workflowId = sender == null ? null : sender.workflowId();
    String sql =
        workflowId == null
            ? insertMessage(
                " WHERE EXISTS (SELECT 1 FROM "
                    + s
                    + ".workflow_status WHERE workflow_uuid = v.destination)")
            : "WITH n AS ("
                + insertMessage(" WHERE true")
                + ") INSERT INTO "
                + s
                + ".operation_outputs (workflow_uuid, function_id, function_name,"
                + " started_at_epoch_ms, completed_at_epoch_ms, serialization, application_name)"
                + " VALUES (?, ?, 'DBOS.send', ?, ?, ?, ?) ON CONFLICT DO NOTHING";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, messageId);
      ps.setString(2, destinationId);
      ps.setString(3, topic == null ? NULL_TOPIC : topic);
      ps.setString(4, message.value().text());
      ps.setString(5, serialization);
      if (workflowId == null) {
        if (ps.executeUpdate() == 0 && !workflowExists(c, destinationId)) {
          throw new DBOSNonExistentWorkflowException(destinationId);
        }
        return;
      }
      ps.setString(6, workflowId);
      ps.setInt(7, sender.functionId());
      ps.setLong(8, now);
      ps.setLong(9, now);
      ps.setString(10, serialization);
      ApplicationScope.bind(ps, 11, applicationName);
      ps.executeUpdate();
    } catch (SQLException e) {
      if ("23503".equals(e.getSQLState())) {
        throw new DBOSNonExistentWorkflowException(destinationId);
      }
      throw failure("send a message to workflow '" + destinationId + "'", e);
    }
  }

  /**
   * Inserts a message from five parameters (id, destination, topic, message, serialization), once
   * per id, stamped with the server's clock but never before an unconsumed message of the same
   * destination and topic: messages sent one after another within a millisecond, or in one
   * transaction (where {@code now()} stands still), still reach the receiver in the order they were
   * sent, which {@link #receive} takes from the stamp.
   *
   * @param condition a WHERE clause over the row {@code v}
   */
  private String insertMessage(String condition) {
    return "INSERT INTO "
        + s
        + ".notifications (message_uuid, destination_uuid, topic, message, serialization,"
        + " created_at_epoch_ms) SELECT v.id, v.destination, v.topic, v.message, v.serialization,"
        + " GREATEST((extract(epoch FROM clock_timestamp()) * 1000)::bigint,"
        + " (SELECT max(p.created_at_epoch_ms) + 1 FROM "
        + s
        + ".notifications p WHERE p.destination_uuid = v.destination AND p.topic = v.topic"
        + " AND NOT p.consumed))"
        + " FROM (VALUES (?, ?, ?, ?, ?)) AS v (id, destination, topic, message, serialization)"
        + condition
        + " ON CONFLICT (message_uuid) DO NOTHING";
  }

  /** Whether a workflow has that id: asked only once an insert found nothing to insert. */
  private boolean workflowExists(Connection c, String workflowId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM " + s + ".workflow_status WHERE workflow_uuid = ?")) {
      ps.setString(1, workflowId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * Consumes the oldest unconsumed message of a topic for a workflow and records it as that
   * workflow's operation, in one statement: a message is never consumed without being recorded. The
   * message keeps which operation consumed it ({@code consumed_by_function_id}).
   *
   * @return the message, or empty when there is none
   */
  public Optional<Value> receive(String workflowId, String topic, int functionId, long now) {
    String sql =
        "WITH m AS (SELECT message_uuid FROM "
            + s
            + ".notifications WHERE destination_uuid = ? AND topic = ? AND NOT consumed"
            + " ORDER BY created_at_epoch_ms, message_uuid LIMIT 1 FOR UPDATE SKIP LOCKED),"
            + " c AS (UPDATE "
            + s
            + ".notifications AS n SET consumed = true, consumed_by_function_id = ? FROM m"
            + " WHERE n.message_uuid ="
            + " m.message_uuid RETURNING n.message, n.serialization),"
            + " o AS (INSERT INTO "
            + s
            + ".operation_outputs (workflow_uuid, function_id, function_name, output,"
            + " started_at_epoch_ms, completed_at_epoch_ms, serialization, application_name)"
            + " SELECT ?, ?, 'DBOS.recv', c.message, ?, ?, c.serialization, ? FROM c"
            + " ON CONFLICT DO NOTHING)"
            + " SELECT message, serialization FROM c";
    try (Connection c = connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, workflowId);
      ps.setString(2, topic == null ? NULL_TOPIC : topic);
      ps.setInt(3, functionId);
      ps.setString(4, workflowId);
      ps.setInt(5, functionId);
      ps.setLong(6, now);
      ps.setLong(7, now);
      ApplicationScope.bind(ps, 8, applicationName);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(new Value(rs.getString(1), rs.getString(2)))
            : Optional.empty();
      }
    } catch (SQLException e) {
      throw failure("receive a message for workflow '" + workflowId + "'", e);
    }
  }

  /**
   * Sets an event (the latest value wins), adds it to the history at the writer's position,
   * announces it, and, when the writer is the workflow's own operation, records that operation: one
   * statement.
   */
  public void setEvent(WrittenBy writer, String key, Value event, long now) {
    String workflowId = writer.workflowId();
    int functionId = writer.functionId();
    String value = event.text();
    String serialization = event.serialization();
    boolean recordOperation = writer.recordsOperation();
    String sql =
        "WITH e AS (INSERT INTO "
            + s
            + ".workflow_events (workflow_uuid, key, value, serialization) VALUES (?, ?, ?, ?)"
            + " ON CONFLICT (workflow_uuid, key) DO UPDATE SET value = EXCLUDED.value,"
            + " serialization = EXCLUDED.serialization),"
            + " h AS (INSERT INTO "
            + s
            + ".workflow_events_history (workflow_uuid, function_id, key, value, serialization)"
            + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (workflow_uuid, function_id, key) DO UPDATE"
            + " SET value = EXCLUDED.value, serialization = EXCLUDED.serialization)"
            + (recordOperation
                ? ", o AS (INSERT INTO "
                    + s
                    + ".operation_outputs (workflow_uuid, function_id, function_name,"
                    + " started_at_epoch_ms, completed_at_epoch_ms, serialization, application_name)"
                    + " VALUES (?, ?, 'DBOS.setEvent', ?, ?, ?, ?) ON CONFLICT DO NOTHING)"
                : "")
            // Announced by the writer: migration 44 dropped the table's trigger (which, besides,
            // fired on a first insert only).
            + " SELECT pg_notify('dbos_workflow_events_channel', ? || '::' || ?)";
    try (Connection c = connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      ps.setString(i++, workflowId);
      ps.setString(i++, key);
      ps.setString(i++, value);
      ps.setString(i++, serialization);
      ps.setString(i++, workflowId);
      ps.setInt(i++, functionId);
      ps.setString(i++, key);
      ps.setString(i++, value);
      ps.setString(i++, serialization);
      if (recordOperation) {
        ps.setString(i++, workflowId);
        ps.setInt(i++, functionId);
        ps.setLong(i++, now);
        ps.setLong(i++, now);
        ps.setString(i++, serialization);
        ApplicationScope.bind(ps, i++, applicationName);
      }
      ps.setString(i++, workflowId);
      ps.setString(i, key);
      ps.executeQuery().close();
    } catch (SQLException e) {
      throw failure("set event '" + key + "' of workflow '" + workflowId + "'", e);
    }
  }

  /** The latest value of an event, if it was set. */
  public Optional<Value> getEvent(String workflowId, String key) {
    try (Connection c = connection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT value, serialization FROM "
                    + s
                    + ".workflow_events WHERE workflow_uuid = ? AND key = ?")) {
      ps.setString(1, workflowId);
      ps.setString(2, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(new Value(rs.getString(1), rs.getString(2)))
            : Optional.empty();
      }
    } catch (SQLException e) {
      throw failure("read event '" + key + "' of workflow '" + workflowId + "'", e);
    }
  }

  /** The value that ends a stream, as the DBOS SDKs write it. */
  public static final String STREAM_CLOSED = "__DBOS_STREAM_CLOSED__";

  /** One value of a stream. */
  public record StreamEntry(int offset, String text, String serialization) {
    /** Whether this entry closes the stream (written raw or as a JSON string). */
    public boolean closes() {
      return STREAM_CLOSED.equals(text) || ("\"" + STREAM_CLOSED + "\"").equals(text);
    }
  }

  /**
   * Appends a value to a workflow's stream at the next offset; when the writer is the workflow's
   * own operation, also records that operation, named {@code operationName} (DBOS.writeStream or
   * DBOS.closeStream, as the DBOS SDKs name them and a replay expects): one statement.
   */
  public void writeStream(
      WrittenBy writer, String key, Value entry, long now, String operationName) {
    String workflowId = writer.workflowId();
    int functionId = writer.functionId();
    String value = entry.text();
    String serialization = entry.serialization();
    boolean recordOperation = writer.recordsOperation();
    String insert =
        "INSERT INTO "
            + s
            + ".streams (workflow_uuid, key, value, \"offset\", function_id, serialization)"
            + " SELECT ?, ?, ?, COALESCE(max(\"offset\") + 1, 0), ?, ? FROM "
            + s
            + ".streams WHERE workflow_uuid = ? AND key = ?";
    // Readers are woken by the writer (migration 43 dropped the table's trigger), in the same
    // statement: on the channel and with the payload every DBOS SDK listens for.
    String sql =
        "WITH w AS ("
            + insert
            + ")"
            + (recordOperation
                ? ", o AS (INSERT INTO "
                    + s
                    + ".operation_outputs (workflow_uuid, function_id, function_name,"
                    + " started_at_epoch_ms, completed_at_epoch_ms, serialization, application_name)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING)"
                : "")
            + " SELECT pg_notify('dbos_streams_channel', ? || '::' || ?)";
    try (Connection c = connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      ps.setString(i++, workflowId);
      ps.setString(i++, key);
      ps.setString(i++, value);
      ps.setInt(i++, functionId);
      ps.setString(i++, serialization);
      ps.setString(i++, workflowId);
      ps.setString(i++, key);
      if (recordOperation) {
        ps.setString(i++, workflowId);
        ps.setInt(i++, functionId);
        ps.setString(i++, operationName);
        ps.setLong(i++, now);
        ps.setLong(i++, now);
        ps.setString(i++, serialization);
        ApplicationScope.bind(ps, i++, applicationName);
      }
      ps.setString(i++, workflowId);
      ps.setString(i, key);
      ps.executeQuery().close();
    } catch (SQLException e) {
      throw failure("write stream '" + key + "' of workflow '" + workflowId + "'", e);
    }
  }

  /** The values of a stream from {@code fromOffset} on, in order (at most {@code limit}). */
  public java.util.List<StreamEntry> readStream(
      String workflowId, String key, int fromOffset, int limit) {
    try (Connection c = connection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT \"offset\", value, serialization FROM "
                    + s
                    + ".streams WHERE workflow_uuid = ? AND key = ? AND \"offset\" >= ?"
                    + " ORDER BY \"offset\" LIMIT ?")) {
      ps.setString(1, workflowId);
      ps.setString(2, key);
      ps.setInt(3, fromOffset);
      ps.setInt(4, limit);
      java.util.List<StreamEntry> entries = new java.util.ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          entries.add(new StreamEntry(rs.getInt(1), rs.getString(2), rs.getString(3)));
        }
      }
      return entries;
    } catch (SQLException e) {
      throw failure("read stream '" + key + "' of workflow '" + workflowId + "'", e);
    }
  }

  private Connection connection() throws SQLException {
    return Sql.autoCommitted(dataSource);
  }

  private DBOSSystemDatabaseException failure(String what, SQLException e) {
    return Sql.failure(schema, what, e);
  }
}
