package io.dbosee.internal.engine.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbosee.testing.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** The SQL functions and triggers other DBOS clients rely on behave as the contract says. */
class SystemFunctionsTest {

  private DataSource ds;

  @BeforeEach
  void migrate() {
    ds = TestPostgres.newDatabase().dataSource();
    SystemSchema.migrate(ds, "dbos");
  }

  @Test
  void enqueueWorkflowInsertsAnEnqueuedPortableJsonRowAndReturnsItsId() throws SQLException {
    String id =
        single(
            "SELECT dbos.enqueue_workflow(workflow_name => 'process', queue_name => 'q',"
                + " positional_args => ARRAY['1'::json, '\"a\"'::json],"
                + " named_args => '{\"k\": true}'::json, class_name => 'com.example.Orders',"
                + " workflow_id => 'wf-1', app_version => 'v1', priority => 3,"
                + " authenticated_user => 'alice', authenticated_roles => '[\"admin\"]',"
                + " application_name => 'shop')");

    assertThat(id).isEqualTo("wf-1");
    assertThat(
            row(
                "SELECT status, name, queue_name, class_name, application_version,"
                    + " priority::text, serialization, authenticated_user, authenticated_roles,"
                    + " (wi.inputs::jsonb = '{\"positionalArgs\": [1, \"a\"],"
                    + " \"namedArgs\": {\"k\": true}}'::jsonb)::text, recovery_attempts::text,"
                    + " (owner_xid IS NOT NULL)::text, (ws.inputs IS NULL)::text, application_name"
                    + " FROM dbos.workflow_status ws JOIN dbos.workflow_input wi"
                    + " USING (workflow_uuid) WHERE workflow_uuid = 'wf-1'"))
        .containsExactly(
            "ENQUEUED",
            "process",
            "q",
            "com.example.Orders",
            "v1",
            "3",
            "portable_json",
            "alice",
            "[\"admin\"]",
            "true",
            "0",
            "true",
            "true",
            "shop");
  }

  @Test
  void enqueueWorkflowWithoutAnIdGeneratesAUuidAndDefaultsItsArguments() throws SQLException {
    String id = single("SELECT dbos.enqueue_workflow('process', 'q')");

    assertThat(UUID.fromString(id).toString()).isEqualTo(id);
    assertThat(
            row(
                "SELECT (wi.inputs::jsonb = '{\"positionalArgs\": [], \"namedArgs\": {}}'::jsonb)"
                    + "::text, priority::text FROM dbos.workflow_status"
                    + " JOIN dbos.workflow_input wi USING (workflow_uuid)"
                    + " WHERE workflow_uuid = '"
                    + id
                    + "'"))
        .containsExactly("true", "0");
  }

  @Test
  void enqueueWorkflowWithADelayInsertsADelayedRow() throws SQLException {
    single(
        "SELECT dbos.enqueue_workflow('process', 'q', workflow_id => 'later',"
            + " delay_until_epoch_ms => 4102444800000)");

    assertThat(
            row(
                "SELECT status, delay_until_epoch_ms::text FROM dbos.workflow_status"
                    + " WHERE workflow_uuid = 'later'"))
        .containsExactly("DELAYED", "4102444800000");
  }

  @Test
  void enqueueingTheSameIdTwiceKeepsTheFirstRow() throws SQLException {
    single("SELECT dbos.enqueue_workflow('first', 'q', workflow_id => 'same')");

    assertThat(single("SELECT dbos.enqueue_workflow('second', 'q', workflow_id => 'same')"))
        .isEqualTo("same");
    assertThat(single("SELECT name FROM dbos.workflow_status WHERE workflow_uuid = 'same'"))
        .isEqualTo("first");
  }

  @Test
  void aDuplicateDeduplicationIdRaisesUniqueViolation() throws SQLException {
    single("SELECT dbos.enqueue_workflow('w', 'q', workflow_id => 'a', deduplication_id => 'd')");

    assertThatThrownBy(
            () ->
                single(
                    "SELECT dbos.enqueue_workflow('w', 'q', workflow_id => 'b',"
                        + " deduplication_id => 'd')"))
        .isInstanceOfSatisfying(
            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23505"))
        .hasMessageContaining("DBOS queue duplicated");
    // The same deduplication id on another queue is a different workflow.
    assertThat(
            single(
                "SELECT dbos.enqueue_workflow('w', 'other', workflow_id => 'c',"
                    + " deduplication_id => 'd')"))
        .isEqualTo("c");
  }

  @Test
  void enqueueWorkflowValidatesItsArguments() {
    assertRaises("SELECT dbos.enqueue_workflow('', 'q')", "Workflow name cannot be null or empty");
    assertRaises("SELECT dbos.enqueue_workflow('w', NULL)", "Queue name cannot be null or empty");
    assertRaises(
        "SELECT dbos.enqueue_workflow('w', 'q', named_args => '[1]'::json)",
        "Named args must be a JSON object");
    assertRaises(
        "SELECT dbos.enqueue_workflow('w', 'q', workflow_id => '')",
        "Workflow ID cannot be an empty string if provided.");
    assertRaises(
        "SELECT dbos.enqueue_workflow('w', 'q', delay_until_epoch_ms => -1)",
        "delay_until_epoch_ms must be >= 0");
  }

  @Test
  void sendMessageInsertsAPortableJsonNotificationOncePerIdempotencyKey() throws SQLException {
    single("SELECT dbos.enqueue_workflow('w', 'q', workflow_id => 'dest')");

    single("SELECT dbos.send_message('dest', '{\"x\": 1}'::json, 'greeting', 'key-1')::text");
    single("SELECT dbos.send_message('dest', '{\"x\": 2}'::json, 'greeting', 'key-1')::text");

    assertThat(
            row(
                "SELECT count(*)::text, min(message_uuid), min(topic), min(message),"
                    + " min(serialization), bool_and(NOT consumed)::text"
                    + " FROM dbos.notifications WHERE destination_uuid = 'dest'"))
        .containsExactly("1", "key-1", "greeting", "{\"x\": 1}", "portable_json", "true");
  }

  @Test
  void sendMessageWithoutKeyOrTopicInsertsEachTimeUnderTheNullTopic() throws SQLException {
    single("SELECT dbos.enqueue_workflow('w', 'q', workflow_id => 'dest')");

    single("SELECT dbos.send_message('dest', '1'::json)::text");
    single("SELECT dbos.send_message('dest', '2'::json)::text");

    assertThat(
            row(
                "SELECT count(*)::text, count(DISTINCT message_uuid)::text, min(topic)"
                    + " FROM dbos.notifications WHERE destination_uuid = 'dest'"))
        .containsExactly("2", "2", "__null__topic__");
  }

  @Test
  void sendMessageToAnUnknownWorkflowRaisesForeignKeyViolation() {
    assertThatThrownBy(() -> single("SELECT dbos.send_message('nobody', '1'::json)::text"))
        .isInstanceOfSatisfying(
            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23503"))
        .hasMessageContaining("DBOS non-existent workflow");
  }

  @Test
  void theFunctionsIgnoreTheCallersSearchPath() throws SQLException {
    // With pg_catalog listed after public, an unpinned function would call this impostor.
    String id;
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE FUNCTION public.gen_random_uuid() RETURNS uuid LANGUAGE sql"
              + " AS $$ SELECT '00000000-0000-0000-0000-000000000000'::uuid $$");
      s.execute("SET search_path = public, pg_catalog");
      try (ResultSet rs = s.executeQuery("SELECT dbos.enqueue_workflow('w', 'q')")) {
        rs.next();
        id = rs.getString(1);
      }
    }
    assertThat(id).isNotEqualTo("00000000-0000-0000-0000-000000000000");
  }

  /**
   * Migrations 43 and 44 dropped the events' and streams' triggers (their writers notify now): an
   * insert by plain SQL announces a message only.
   */
  @Test
  void onlyAMessageInsertedBySqlNotifiesListeners() throws SQLException {
    try (Connection listener = ds.getConnection();
        Statement ls = listener.createStatement()) {
      ls.execute("LISTEN dbos_notifications_channel");
      ls.execute("LISTEN dbos_workflow_events_channel");
      ls.execute("LISTEN dbos_streams_channel");
      PGConnection pg = listener.unwrap(PGConnection.class);

      single("SELECT dbos.enqueue_workflow('w', 'q', workflow_id => 'wf')");
      single("SELECT dbos.send_message('wf', '1'::json, 'topic-a')::text");
      execute(
          "INSERT INTO dbos.workflow_events (workflow_uuid, key, value) VALUES ('wf', 'k', 'v')");
      execute(
          "INSERT INTO dbos.streams (workflow_uuid, key, value, \"offset\")"
              + " VALUES ('wf', 's', 'v', 0)");

      List<String> received = new ArrayList<>();
      PGNotification[] batch = pg.getNotifications(10_000);
      assertThat(batch).as("notifications within 10 s").isNotEmpty();
      for (PGNotification n : batch) {
        received.add(n.getName() + " " + n.getParameter());
      }
      // A marker sent last: everything inserted before it has been announced by now.
      execute("NOTIFY dbos_streams_channel, 'marker'");
      while (!received.contains("dbos_streams_channel marker")) {
        batch = pg.getNotifications(10_000);
        assertThat(batch).as("the marker within 10 s").isNotEmpty();
        for (PGNotification n : batch) {
          received.add(n.getName() + " " + n.getParameter());
        }
      }
      assertThat(received)
          .containsExactly("dbos_notifications_channel wf::topic-a", "dbos_streams_channel marker");
    }
  }

  private void assertRaises(String sql, String message) {
    assertThatThrownBy(() -> single(sql))
        .isInstanceOfSatisfying(
            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("P0001"))
        .hasMessageContaining(message);
  }

  private String single(String sql) throws SQLException {
    return row(sql).get(0);
  }

  private List<String> row(String sql) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement s = c.prepareStatement(sql);
        ResultSet rs = s.executeQuery()) {
      assertThat(rs.next()).as("a row from " + sql).isTrue();
      List<String> values = new ArrayList<>();
      for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
        values.add(rs.getString(i));
      }
      return values;
    }
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
