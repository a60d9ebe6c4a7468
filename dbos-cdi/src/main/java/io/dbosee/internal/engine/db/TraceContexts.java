package io.dbosee.internal.engine.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The propagated trace context of each workflow's starting caller, in this project's own table
 * {@code dbosee_trace_contexts} beside the DBOS tables (whose shape it leaves alone), so that a
 * queued, recovered or resumed execution continues the caller's trace. A row is written before the
 * workflow is recorded (so no execution can start without it) and deleted once the workflow has
 * finished; it is used only while tracing is on.
 */
public final class TraceContexts {
  private final DataSource dataSource;
  private final String schema;
  private final String table;
  private final String statusTable;

  public TraceContexts(DataSource dataSource, String schema) {
    this.dataSource = dataSource;
    this.schema = schema;
    String quoted = SystemSchema.quote(schema);
    this.table = OwnTable.TRACE_CONTEXTS.qualified(quoted);
    this.statusTable = quoted + ".workflow_status";
  }

  /**
   * Makes sure the table exists, without DDL when it does.
   *
   * @param mayCreate whether a missing table is created (under the schema's migration lock) or
   *     refused with the command that creates it
   */
  public void createTable(boolean mayCreate) {
    SystemSchema.createOwnTable(dataSource, schema, OwnTable.TRACE_CONTEXTS, mayCreate);
  }

  /**
   * Stores the context of the caller starting {@code workflowId}, unless the workflow is recorded
   * already (a call again with the id of an existing workflow keeps the first caller's trace).
   */
  public void save(String workflowId, String context) {
    String sql =
        "INSERT INTO "
            + table
            + " (workflow_uuid, context) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM "
            + statusTable
            + " WHERE workflow_uuid = ?) ON CONFLICT (workflow_uuid) DO NOTHING";
    try (Connection c = Sql.autoCommitted(dataSource);
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, workflowId);
      s.setString(2, context);
      s.setString(3, workflowId);
      s.executeUpdate();
    } catch (SQLException e) {
      throw Sql.failure(schema, "store the trace context of workflow '" + workflowId + "'", e);
    }
  }

  /** The stored context of {@code workflowId}, if any. */
  public Optional<String> load(String workflowId) {
    try (Connection c = Sql.autoCommitted(dataSource);
        PreparedStatement s =
            c.prepareStatement("SELECT context FROM " + table + " WHERE workflow_uuid = ?")) {
      s.setString(1, workflowId);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw Sql.failure(schema, "read the trace context of workflow '" + workflowId + "'", e);
    }
  }

  /** Forgets the context of a finished workflow. */
  public void delete(String workflowId) {
    try (Connection c = Sql.autoCommitted(dataSource);
        PreparedStatement s =
            c.prepareStatement("DELETE FROM " + table + " WHERE workflow_uuid = ?")) {
      s.setString(1, workflowId);
      s.executeUpdate();
    } catch (SQLException e) {
      throw Sql.failure(schema, "delete the trace context of workflow '" + workflowId + "'", e);
    }
  }
}
