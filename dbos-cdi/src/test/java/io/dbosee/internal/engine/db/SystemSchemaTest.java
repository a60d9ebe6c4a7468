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
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** The migrated schema is the DBOS shape of SYSTEM_DATABASE (migration 41), exactly. */
class SystemSchemaTest {
  private final TestPostgres.Database database = TestPostgres.newDatabase();

  /** The contract, written from the specification rather than from the DDL. */
  private static final Map<String, List<String>> COLUMNS =
      Map.of(
          "workflow_status",
          List.of(
              "workflow_uuid text NO",
              "status text YES",
              "name text YES",
              "authenticated_user text YES",
              "assumed_role text YES",
              "authenticated_roles text YES",
              "request text YES",
              "output text YES",
              "error text YES",
              "executor_id text YES",
              "created_at bigint NO now-ms",
              "updated_at bigint NO now-ms",
              "application_version text YES",
              "application_id text YES",
              "class_name character varying(255) YES",
              "config_name character varying(255) YES",
              "recovery_attempts bigint YES 0",
              "queue_name text YES",
              "workflow_timeout_ms bigint YES",
              "workflow_deadline_epoch_ms bigint YES",
              "inputs text YES",
              "started_at_epoch_ms bigint YES",
              "deduplication_id text YES",
              "priority integer NO 0",
              "queue_partition_key text YES",
              "forked_from text YES",
              "owner_xid text YES",
              "parent_workflow_id text YES",
              "serialization text YES",
              "delay_until_epoch_ms bigint YES",
              "was_forked_from boolean NO false",
              "rate_limited boolean NO false",
              "completed_at bigint YES",
              "attributes jsonb YES",
              "schedule_name text YES"),
          "operation_outputs",
          List.of(
              "workflow_uuid text NO",
              "function_id integer NO",
              "function_name text NO ''::text",
              "output text YES",
              "error text YES",
              "child_workflow_id text YES",
              "started_at_epoch_ms bigint YES",
              "completed_at_epoch_ms bigint YES",
              "serialization text YES"),
          "notifications",
          List.of(
              "message_uuid text NO gen_random_uuid()",
              "destination_uuid text NO",
              "topic text YES",
              "message text NO",
              "created_at_epoch_ms bigint NO now-ms",
              "serialization text YES",
              "consumed boolean NO false"),
          "workflow_events",
          List.of(
              "workflow_uuid text NO", "key text NO", "value text NO", "serialization text YES"),
          "workflow_events_history",
          List.of(
              "workflow_uuid text NO",
              "function_id integer NO",
              "key text NO",
              "value text NO",
              "serialization text YES"),
          "streams",
          List.of(
              "workflow_uuid text NO",
              "key text NO",
              "value text NO",
              "offset integer NO",
              "function_id integer NO 0",
              "serialization text YES"),
          "event_dispatch_kv",
          List.of(
              "service_name text NO",
              "workflow_fn_name text NO",
              "key text NO",
              "value text YES",
              "update_seq numeric(38,0) YES",
              "update_time numeric(38,15) YES"),
          "workflow_schedules",
          List.of(
              "schedule_id text NO",
              "schedule_name text NO",
              "workflow_name text NO",
              "workflow_class_name text YES",
              "schedule text NO",
              "status text NO 'ACTIVE'::text",
              "context text NO",
              "last_fired_at text YES",
              "automatic_backfill boolean NO false",
              "cron_timezone text YES",
              "queue_name text YES"),
          "application_versions",
          List.of(
              "version_id text NO",
              "version_name text NO",
              "version_timestamp bigint NO now-ms",
              "created_at bigint NO now-ms"),
          "queues",
          List.of(
              "queue_id text NO (gen_random_uuid())::text",
              "name text NO",
              "concurrency integer YES",
              "worker_concurrency integer YES",
              "rate_limit_max integer YES",
              "rate_limit_period_sec double precision YES",
              "priority_enabled boolean NO false",
              "partition_queue boolean NO false",
              "polling_interval_sec double precision NO 1.0",
              "created_at bigint YES now-ms",
              "updated_at bigint YES now-ms"));

  @Test
  void everyTableHasExactlyTheContractsColumnsTypesNullabilityAndDefaults() throws SQLException {
    SystemSchema.migrate(database.dataSource(), "dbos");

    Map<String, List<String>> actual = new TreeMap<>();
    for (List<String> row :
        rows(
            "SELECT table_name, column_name, CASE WHEN data_type = 'character varying' THEN"
                + " 'character varying(' || character_maximum_length || ')' WHEN data_type ="
                + " 'numeric' THEN 'numeric(' || numeric_precision || ',' || numeric_scale || ')'"
                + " ELSE data_type END, is_nullable, coalesce(column_default, '') FROM"
                + " information_schema.columns WHERE table_schema = 'dbos' AND table_name <>"
                + " 'dbos_migrations' ORDER BY table_name, ordinal_position")) {
      String defaultValue =
          row.get(4).replace("((EXTRACT(epoch FROM now()) * (1000)::numeric))::bigint", "now-ms");
      actual
          .computeIfAbsent(row.get(0), k -> new ArrayList<>())
          .add((row.get(1) + " " + row.get(2) + " " + row.get(3) + " " + defaultValue).strip());
    }
    assertThat(actual).containsOnlyKeys(COLUMNS.keySet());
    COLUMNS.forEach(
        (table, columns) ->
            assertThat(actual.get(table)).as(table).containsExactlyElementsOf(columns));
  }

  @Test
  void keysIndexesAndCascadesAreThoseOfTheContract() throws SQLException {
    SystemSchema.migrate(database.dataSource(), "dbos");

    assertThat(
            column(
                "SELECT conrelid::regclass::text || ' ' || pg_get_constraintdef(oid) FROM"
                    + " pg_constraint WHERE contype = 'f' AND connamespace ="
                    + " 'dbos'::regnamespace ORDER BY 1"))
        .containsExactly(
            "dbos.notifications FOREIGN KEY (destination_uuid) REFERENCES"
                + " dbos.workflow_status(workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE",
            "dbos.operation_outputs FOREIGN KEY (workflow_uuid) REFERENCES"
                + " dbos.workflow_status(workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE",
            "dbos.streams FOREIGN KEY (workflow_uuid) REFERENCES"
                + " dbos.workflow_status(workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE",
            "dbos.workflow_events FOREIGN KEY (workflow_uuid) REFERENCES"
                + " dbos.workflow_status(workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE",
            "dbos.workflow_events_history FOREIGN KEY (workflow_uuid) REFERENCES"
                + " dbos.workflow_status(workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE");
    assertThat(
            column(
                "SELECT conrelid::regclass::text || ' ' || pg_get_constraintdef(oid) FROM"
                    + " pg_constraint WHERE contype IN ('p', 'u') AND connamespace ="
                    + " 'dbos'::regnamespace ORDER BY 1"))
        .containsExactly(
            "dbos.application_versions PRIMARY KEY (version_id)",
            "dbos.application_versions UNIQUE (version_name)",
            "dbos.dbos_migrations PRIMARY KEY (version)",
            "dbos.event_dispatch_kv PRIMARY KEY (service_name, workflow_fn_name, key)",
            "dbos.notifications PRIMARY KEY (message_uuid)",
            "dbos.operation_outputs PRIMARY KEY (workflow_uuid, function_id)",
            "dbos.queues PRIMARY KEY (queue_id)",
            "dbos.queues UNIQUE (name)",
            "dbos.streams PRIMARY KEY (workflow_uuid, key, \"offset\")",
            "dbos.workflow_events PRIMARY KEY (workflow_uuid, key)",
            "dbos.workflow_events_history PRIMARY KEY (workflow_uuid, function_id, key)",
            "dbos.workflow_schedules PRIMARY KEY (schedule_id)",
            "dbos.workflow_schedules UNIQUE (schedule_name)",
            "dbos.workflow_status PRIMARY KEY (workflow_uuid)");
    List<String> indexes =
        column(
            "SELECT regexp_replace(indexdef, '^CREATE (UNIQUE )?INDEX \\S+ ', 'CREATE \\1INDEX ')"
                + " FROM pg_indexes WHERE schemaname = 'dbos' AND indexname NOT LIKE '%_pkey'"
                + " AND indexname NOT LIKE '%_key' ORDER BY 1");
    assertThat(indexes)
        .containsExactlyInAnyOrder(
            "CREATE INDEX ON dbos.workflow_status USING btree (created_at)",
            "CREATE INDEX ON dbos.workflow_status USING btree (queue_name, status, priority,"
                + " created_at) WHERE (status = ANY (ARRAY['ENQUEUED'::text, 'PENDING'::text]))",
            "CREATE INDEX ON dbos.workflow_status USING btree (created_at) WHERE (status ="
                + " 'PENDING'::text)",
            "CREATE INDEX ON dbos.workflow_status USING btree (status, created_at) WHERE (status ="
                + " ANY (ARRAY['ERROR'::text, 'CANCELLED'::text,"
                + " 'MAX_RECOVERY_ATTEMPTS_EXCEEDED'::text]))",
            "CREATE INDEX ON dbos.workflow_status USING btree (queue_name, started_at_epoch_ms)"
                + " WHERE rate_limited",
            "CREATE INDEX ON dbos.workflow_status USING btree (delay_until_epoch_ms) WHERE (status"
                + " = 'DELAYED'::text)",
            "CREATE INDEX ON dbos.workflow_status USING btree (started_at_epoch_ms) WHERE"
                + " (started_at_epoch_ms IS NOT NULL)",
            "CREATE INDEX ON dbos.workflow_status USING btree (completed_at) WHERE (completed_at"
                + " IS NOT NULL)",
            "CREATE INDEX ON dbos.workflow_status USING btree (forked_from) WHERE (forked_from IS"
                + " NOT NULL)",
            "CREATE INDEX ON dbos.workflow_status USING btree (parent_workflow_id) WHERE"
                + " (parent_workflow_id IS NOT NULL)",
            "CREATE INDEX ON dbos.workflow_status USING btree (schedule_name) WHERE (schedule_name"
                + " IS NOT NULL)",
            "CREATE INDEX ON dbos.workflow_status USING gin (attributes) WHERE (attributes IS NOT"
                + " NULL)",
            "CREATE UNIQUE INDEX ON dbos.workflow_status USING btree (queue_name, deduplication_id)"
                + " WHERE (deduplication_id IS NOT NULL)",
            "CREATE INDEX ON dbos.operation_outputs USING btree (completed_at_epoch_ms,"
                + " function_name)",
            "CREATE INDEX ON dbos.notifications USING btree (destination_uuid, topic)");
    assertThat(query("SELECT string_agg(version::text, ',') FROM dbos.dbos_migrations"))
        .isEqualTo("41");
    assertThat(
            column(
                "SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') ' ||"
                    + " array_to_string(p.proconfig, ';') FROM pg_proc p WHERE p.pronamespace ="
                    + " 'dbos'::regnamespace AND p.proname IN ('enqueue_workflow',"
                    + " 'send_message') ORDER BY 1"))
        .containsExactly(
            "enqueue_workflow(workflow_name text, queue_name text, positional_args json[],"
                + " named_args json, class_name text, config_name text, workflow_id text,"
                + " app_version text, timeout_ms bigint, deadline_epoch_ms bigint,"
                + " deduplication_id text, priority integer, queue_partition_key text,"
                + " authenticated_user text, authenticated_roles text, delay_until_epoch_ms"
                + " bigint) search_path=pg_catalog, pg_temp",
            "send_message(destination_id text, message json, topic text, idempotency_key text)"
                + " search_path=pg_catalog, pg_temp");
  }

  @Test
  void migratingTwiceOrFromFourServersAtOnceIsSafe() throws Exception {
    int threads = 4;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Long>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return SystemSchema.migrate(database.dataSource(), "dbos");
                }));
      }
      start.countDown();
      List<Long> before = new ArrayList<>();
      for (Future<Long> result : results) {
        before.add(result.get(60, TimeUnit.SECONDS));
      }
      assertThat(before).as("exactly one server found the database empty").containsOnlyOnce(0L);
      assertThat(before).filteredOn(v -> v == 41L).hasSize(threads - 1);
    } finally {
      pool.shutdownNow();
    }
    assertThat(SystemSchema.migrate(database.dataSource(), "dbos")).isEqualTo(41L);
    assertThat(query("SELECT count(*) FROM dbos.dbos_migrations")).isEqualTo("1");
  }

  @Test
  void aSchemaAtOrBeyond41IsLeftAlone() throws SQLException {
    SystemSchema.migrate(database.dataSource(), "dbos");
    execute("DROP INDEX dbos.workflow_status_created_at_index");
    execute("UPDATE dbos.dbos_migrations SET version = 45");

    assertThat(SystemSchema.migrate(database.dataSource(), "dbos")).isEqualTo(45L);
    assertThat(
            query(
                "SELECT count(*) FROM pg_indexes WHERE indexname ="
                    + " 'workflow_status_created_at_index'"))
        .isEqualTo("0");
    assertThat(query("SELECT version FROM dbos.dbos_migrations")).isEqualTo("45");
  }

  @Test
  void anOlderShapeGainsTheColumnsItLacks() throws SQLException {
    execute("CREATE SCHEMA dbos");
    execute(
        "CREATE TABLE dbos.workflow_status (workflow_uuid text PRIMARY KEY, status text, name"
            + " text)");
    execute("INSERT INTO dbos.workflow_status VALUES ('old-1', 'SUCCESS', 'legacy')");
    execute("CREATE TABLE dbos.dbos_migrations (version bigint PRIMARY KEY)");
    execute("INSERT INTO dbos.dbos_migrations VALUES (12)");

    assertThat(SystemSchema.migrate(database.dataSource(), "dbos")).isEqualTo(12L);

    assertThat(
            query(
                "SELECT name || ' ' || priority || ' ' || rate_limited FROM dbos.workflow_status"))
        .isEqualTo("legacy 0 false");
    assertThat(query("SELECT version FROM dbos.dbos_migrations")).isEqualTo("41");
  }

  @Test
  void aCustomSchemaIsUsedEverywhereAndNothingLandsInDbos() throws SQLException {
    SystemSchema.migrate(database.dataSource(), "payments_dbos");

    assertThat(query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'dbos'"))
        .isEqualTo("0");
    assertThat(
            query(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema ="
                    + " 'payments_dbos'"))
        .isEqualTo("11");
    execute(
        "INSERT INTO payments_dbos.workflow_status (workflow_uuid, status, name) VALUES ('w',"
            + " 'PENDING', 'x')");
    execute("SELECT payments_dbos.send_message('w', '\"hi\"'::json)");
    assertThat(query("SELECT message FROM payments_dbos.notifications")).isEqualTo("\"hi\"");
  }

  @Test
  void aSchemaNameThatIsNotAPlainIdentifierIsRefused() {
    assertThatThrownBy(() -> SystemSchema.migrate(database.dataSource(), "dbos; DROP TABLE x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("plain SQL identifier");
  }

  @Test
  void insertsNotifyListenersOnTheContractsChannels() throws Exception {
    SystemSchema.migrate(database.dataSource(), "dbos");
    execute(
        "INSERT INTO dbos.workflow_status (workflow_uuid, status, name) VALUES ('wf', 'PENDING', 'n')");
    try (Connection listener = database.dataSource().getConnection();
        Statement s = listener.createStatement()) {
      s.execute("LISTEN dbos_notifications_channel");
      s.execute("LISTEN dbos_workflow_events_channel");
      s.execute("LISTEN dbos_streams_channel");

      execute("SELECT dbos.send_message('wf', '1'::json, 'greetings')");
      execute("SELECT dbos.send_message('wf', '2'::json)");
      execute(
          "INSERT INTO dbos.workflow_events (workflow_uuid, key, value) VALUES ('wf', 'k', '1')");
      execute(
          "INSERT INTO dbos.streams (workflow_uuid, key, value, \"offset\") VALUES ('wf', 's',"
              + " '1', 0)");

      List<String> received = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (received.size() < 4 && System.nanoTime() < deadline) {
        PGNotification[] batch = listener.unwrap(PGConnection.class).getNotifications(500);
        if (batch != null) {
          for (PGNotification n : batch) {
            received.add(n.getName() + " " + n.getParameter());
          }
        }
      }
      assertThat(received)
          .containsExactly(
              "dbos_notifications_channel wf::greetings",
              "dbos_notifications_channel wf::__null__topic__",
              "dbos_workflow_events_channel wf::k",
              "dbos_streams_channel wf::s");
    }
  }

  @Test
  void enqueueWorkflowInsertsAPortableJsonRowAndRefusesADuplicateDeduplicationId()
      throws SQLException {
    SystemSchema.migrate(database.dataSource(), "dbos");

    String id =
        query(
            "SELECT dbos.enqueue_workflow('greet', 'q', ARRAY['\"Mike\"'::json, '3'::json],"
                + " class_name => 'com.acme.Greetings', deduplication_id => 'd-1')");
    assertThat(id).matches("[0-9a-f-]{36}");
    assertThat(
            query(
                "SELECT status || ' ' || name || ' ' || class_name || ' ' || queue_name || ' ' ||"
                    + " serialization || ' ' || inputs FROM dbos.workflow_status"))
        .isEqualTo(
            "ENQUEUED greet com.acme.Greetings q portable_json"
                + " {\"positionalArgs\" : [\"Mike\",3], \"namedArgs\" : {}}");
    assertThat(query("SELECT dbos.enqueue_workflow('greet', 'q', workflow_id => 'mine')"))
        .isEqualTo("mine");
    assertThat(
            query(
                "SELECT dbos.enqueue_workflow('greet', 'q', workflow_id => 'later',"
                    + " delay_until_epoch_ms => 99999999999999)"))
        .isEqualTo("later");
    assertThat(query("SELECT status FROM dbos.workflow_status WHERE workflow_uuid = 'later'"))
        .isEqualTo("DELAYED");

    assertThatThrownBy(
            () -> query("SELECT dbos.enqueue_workflow('greet', 'q', deduplication_id => 'd-1')"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("DBOS queue duplicated")
        .extracting(e -> ((SQLException) e).getSQLState())
        .isEqualTo("23505");
    assertThatThrownBy(() -> query("SELECT dbos.enqueue_workflow('', 'q')"))
        .hasMessageContaining("workflow_name must not be empty");
  }

  @Test
  void sendMessageIsIdempotentByKeyAndRefusesAnUnknownDestination() throws SQLException {
    SystemSchema.migrate(database.dataSource(), "dbos");
    execute(
        "INSERT INTO dbos.workflow_status (workflow_uuid, status, name) VALUES ('wf', 'PENDING', 'n')");

    execute("SELECT dbos.send_message('wf', '{\"a\":1}'::json, 't', 'key-1')");
    execute("SELECT dbos.send_message('wf', '{\"a\":2}'::json, 't', 'key-1')");
    execute("SELECT dbos.send_message('wf', '\"x\"'::json)");

    assertThat(
            column(
                "SELECT message_uuid || ' ' || topic || ' ' || message || ' ' || serialization ||"
                    + " ' ' || consumed FROM dbos.notifications ORDER BY created_at_epoch_ms,"
                    + " topic DESC"))
        .hasSize(2)
        .contains("key-1 t {\"a\":1} portable_json false");
    assertThatThrownBy(() -> execute("SELECT dbos.send_message('nobody', '1'::json)"))
        .hasMessageContaining("DBOS non-existent workflow")
        .extracting(e -> ((SQLException) e).getSQLState())
        .isEqualTo("23503");
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = database.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private String query(String sql) throws SQLException {
    List<String> values = column(sql);
    return values.isEmpty() ? null : values.get(0);
  }

  private List<String> column(String sql) throws SQLException {
    List<String> values = new ArrayList<>();
    for (List<String> row : rows(sql)) {
      values.add(row.get(0));
    }
    return values;
  }

  private List<List<String>> rows(String sql) throws SQLException {
    try (Connection c = database.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      List<List<String>> rows = new ArrayList<>();
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          row.add(rs.getString(i));
        }
        rows.add(row);
      }
      return rows;
    }
  }
}
