package io.dbosee.internal.engine.db;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbosee.DBOSSystemDatabaseException;
import io.dbosee.testing.LogCapture;
import io.dbosee.testing.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

/** The migrated schema has exactly the contract's shape, however and how often it is migrated. */
class SystemSchemaTest {

  private static final String NOW_MS = "((EXTRACT(epoch FROM now()) * (1000)::numeric))::bigint";

  /** Per table, its columns in order as "name type [NOT NULL] [DEFAULT expr]". */
  static final Map<String, List<String>> COLUMNS = new LinkedHashMap<>();

  static {
    COLUMNS.put(
        "application_versions",
        List.of(
            "version_id text NOT NULL",
            "version_name text NOT NULL",
            "version_timestamp bigint NOT NULL DEFAULT " + NOW_MS,
            "created_at bigint NOT NULL DEFAULT " + NOW_MS,
            "application_name text"));
    COLUMNS.put("dbos_migrations", List.of("version bigint NOT NULL"));
    COLUMNS.put(
        "event_dispatch_kv",
        List.of(
            "service_name text NOT NULL",
            "workflow_fn_name text NOT NULL",
            "key text NOT NULL",
            "value text",
            "update_seq numeric(38,0)",
            "update_time numeric(38,15)"));
    COLUMNS.put(
        "notifications",
        List.of(
            "message_uuid text NOT NULL DEFAULT gen_random_uuid()",
            "destination_uuid text NOT NULL",
            "topic text",
            "message text NOT NULL",
            "created_at_epoch_ms bigint NOT NULL DEFAULT " + NOW_MS,
            "serialization text",
            "consumed boolean NOT NULL DEFAULT false",
            "consumed_by_function_id integer"));
    COLUMNS.put(
        "operation_outputs",
        List.of(
            "workflow_uuid text NOT NULL",
            "function_id integer NOT NULL",
            "function_name text NOT NULL DEFAULT ''::text",
            "output text",
            "error text",
            "child_workflow_id text",
            "started_at_epoch_ms bigint",
            "completed_at_epoch_ms bigint",
            "serialization text",
            "application_name text",
            "retention_timestamp bigint NOT NULL DEFAULT " + NOW_MS));
    COLUMNS.put(
        "queues",
        List.of(
            "queue_id text NOT NULL DEFAULT (gen_random_uuid())::text",
            "name text NOT NULL",
            "concurrency integer",
            "worker_concurrency integer",
            "rate_limit_max integer",
            "rate_limit_period_sec double precision",
            "priority_enabled boolean NOT NULL DEFAULT false",
            "partition_queue boolean NOT NULL DEFAULT false",
            "polling_interval_sec double precision NOT NULL DEFAULT 1.0",
            "created_at bigint NOT NULL DEFAULT " + NOW_MS,
            "updated_at bigint NOT NULL DEFAULT " + NOW_MS,
            "application_name text",
            "partition_concurrency integer",
            "partition_worker_concurrency integer",
            "partition_rate_limit_max integer",
            "partition_rate_limit_period_sec double precision"));
    COLUMNS.put(
        "streams",
        List.of(
            "workflow_uuid text NOT NULL",
            "key text NOT NULL",
            "value text NOT NULL",
            "offset integer NOT NULL",
            "function_id integer NOT NULL DEFAULT 0",
            "serialization text"));
    COLUMNS.put(
        "workflow_events",
        List.of(
            "workflow_uuid text NOT NULL",
            "key text NOT NULL",
            "value text NOT NULL",
            "serialization text"));
    COLUMNS.put(
        "workflow_events_history",
        List.of(
            "workflow_uuid text NOT NULL",
            "function_id integer NOT NULL",
            "key text NOT NULL",
            "value text NOT NULL",
            "serialization text"));
    COLUMNS.put(
        "workflow_input",
        List.of(
            "workflow_uuid text NOT NULL",
            "inputs text",
            "retention_timestamp bigint NOT NULL DEFAULT " + NOW_MS));
    COLUMNS.put(
        "workflow_output",
        List.of(
            "workflow_uuid text NOT NULL",
            "output text",
            "error text",
            "retention_timestamp bigint NOT NULL DEFAULT " + NOW_MS));
    COLUMNS.put(
        "workflow_schedules",
        List.of(
            "schedule_id text NOT NULL",
            "schedule_name text NOT NULL",
            "workflow_name text NOT NULL",
            "workflow_class_name text",
            "schedule text NOT NULL",
            "status text NOT NULL DEFAULT 'ACTIVE'::text",
            "context text NOT NULL",
            "last_fired_at text",
            "automatic_backfill boolean NOT NULL DEFAULT false",
            "cron_timezone text",
            "queue_name text",
            "application_name text"));
    COLUMNS.put(
        "workflow_status",
        List.of(
            "workflow_uuid text NOT NULL",
            "status text",
            "name text",
            "authenticated_user text",
            "assumed_role text",
            "authenticated_roles text",
            "request text",
            "output text",
            "error text",
            "executor_id text",
            "created_at bigint NOT NULL DEFAULT " + NOW_MS,
            "updated_at bigint NOT NULL DEFAULT " + NOW_MS,
            "application_version text",
            "application_id text",
            "class_name character varying(255) DEFAULT NULL::character varying",
            "config_name character varying(255) DEFAULT NULL::character varying",
            "recovery_attempts bigint DEFAULT 0",
            "queue_name text",
            "workflow_timeout_ms bigint",
            "workflow_deadline_epoch_ms bigint",
            "inputs text",
            "started_at_epoch_ms bigint",
            "deduplication_id text",
            "priority integer NOT NULL DEFAULT 0",
            "queue_partition_key text",
            "forked_from text",
            "owner_xid text",
            "parent_workflow_id text",
            "serialization text",
            "delay_until_epoch_ms bigint",
            "was_forked_from boolean NOT NULL DEFAULT false",
            "rate_limited boolean NOT NULL DEFAULT false",
            "completed_at bigint",
            "attributes jsonb",
            "schedule_name text",
            "debounce_deadline_epoch_ms bigint",
            "is_debounced boolean NOT NULL DEFAULT false",
            "application_name text",
            "creator_xid text"));
  }

  /**
   * Every index: named as the DBOS SDKs name theirs, except the ones behind a primary key or unique
   * constraint (listed without a name: the constraints below are the contract).
   */
  static final List<String> INDEXES =
      List.of(
          "CREATE UNIQUE INDEX ON application_versions USING btree (version_id)",
          "CREATE UNIQUE INDEX ON application_versions USING btree (version_name)",
          "CREATE UNIQUE INDEX uq_application_versions_owner_version ON application_versions"
              + " USING btree (application_name, version_name)"
              + " WHERE (application_name IS NOT NULL)",
          "CREATE UNIQUE INDEX uq_application_versions_unclaimed_version ON application_versions"
              + " USING btree (version_name) WHERE (application_name IS NULL)",
          "CREATE UNIQUE INDEX ON dbos_migrations USING btree (version)",
          "CREATE UNIQUE INDEX ON event_dispatch_kv USING btree"
              + " (service_name, workflow_fn_name, key)",
          "CREATE INDEX idx_workflow_topic ON notifications USING btree (destination_uuid, topic)",
          "CREATE UNIQUE INDEX ON notifications USING btree (message_uuid)",
          "CREATE INDEX idx_operation_outputs_completed_at_function_name_v2 ON operation_outputs"
              + " USING btree (completed_at_epoch_ms, function_name) INCLUDE (application_name)",
          "CREATE INDEX idx_operation_outputs_retention ON operation_outputs"
              + " USING btree (retention_timestamp)",
          "CREATE UNIQUE INDEX ON operation_outputs USING btree (workflow_uuid, function_id)",
          "CREATE UNIQUE INDEX ON queues USING btree (name)",
          "CREATE UNIQUE INDEX ON queues USING btree (queue_id)",
          "CREATE UNIQUE INDEX ON streams USING btree (workflow_uuid, key, \"offset\")",
          "CREATE UNIQUE INDEX ON workflow_events USING btree (workflow_uuid, key)",
          "CREATE UNIQUE INDEX ON workflow_events_history USING btree"
              + " (workflow_uuid, function_id, key)",
          "CREATE UNIQUE INDEX ON workflow_input USING btree (workflow_uuid)",
          "CREATE INDEX idx_workflow_input_retention ON workflow_input"
              + " USING btree (retention_timestamp)",
          "CREATE UNIQUE INDEX ON workflow_output USING btree (workflow_uuid)",
          "CREATE INDEX idx_workflow_output_retention ON workflow_output"
              + " USING btree (retention_timestamp)",
          "CREATE UNIQUE INDEX ON workflow_schedules USING btree (schedule_id)",
          "CREATE UNIQUE INDEX ON workflow_schedules USING btree (schedule_name)",
          "CREATE UNIQUE INDEX ON workflow_status USING btree (workflow_uuid)",
          "CREATE INDEX workflow_status_created_at_index ON workflow_status"
              + " USING btree (created_at)",
          "CREATE INDEX idx_workflow_status_in_flight_v2 ON workflow_status USING btree"
              + " (queue_name, status, priority, created_at) INCLUDE (application_name)"
              + " WHERE (status = ANY (ARRAY['ENQUEUED'::text, 'PENDING'::text]))",
          "CREATE INDEX idx_workflow_status_partition_dequeue_v3 ON workflow_status USING btree"
              + " (queue_name, status, queue_partition_key, priority, created_at, workflow_uuid)"
              + " INCLUDE (application_name)"
              + " WHERE ((status = ANY (ARRAY['ENQUEUED'::text, 'PENDING'::text]))"
              + " AND (queue_partition_key IS NOT NULL))",
          "CREATE INDEX idx_workflow_status_pending ON workflow_status USING btree (created_at)"
              + " WHERE (status = 'PENDING'::text)",
          "CREATE INDEX idx_workflow_status_failed ON workflow_status"
              + " USING btree (status, created_at)"
              + " WHERE (status = ANY (ARRAY['ERROR'::text, 'CANCELLED'::text,"
              + " 'MAX_RECOVERY_ATTEMPTS_EXCEEDED'::text]))",
          "CREATE INDEX idx_workflow_status_rate_limited ON workflow_status"
              + " USING btree (queue_name, started_at_epoch_ms) WHERE (rate_limited = true)",
          "CREATE INDEX idx_workflow_status_delayed ON workflow_status"
              + " USING btree (delay_until_epoch_ms) WHERE (status = 'DELAYED'::text)",
          "CREATE INDEX idx_workflow_status_started_at ON workflow_status"
              + " USING btree (started_at_epoch_ms) WHERE (started_at_epoch_ms IS NOT NULL)",
          "CREATE INDEX idx_workflow_status_completed_at ON workflow_status"
              + " USING btree (completed_at) WHERE (completed_at IS NOT NULL)",
          "CREATE INDEX idx_workflow_status_forked_from ON workflow_status"
              + " USING btree (forked_from) WHERE (forked_from IS NOT NULL)",
          "CREATE INDEX idx_workflow_status_parent_workflow_id ON workflow_status"
              + " USING btree (parent_workflow_id) WHERE (parent_workflow_id IS NOT NULL)",
          "CREATE INDEX idx_workflow_status_schedule_name ON workflow_status"
              + " USING btree (schedule_name) WHERE (schedule_name IS NOT NULL)",
          "CREATE INDEX idx_workflow_status_attributes ON workflow_status"
              + " USING gin (attributes) WHERE (attributes IS NOT NULL)",
          "CREATE INDEX idx_workflow_status_deadline ON workflow_status"
              + " USING btree (workflow_deadline_epoch_ms)"
              + " WHERE ((status = ANY (ARRAY['ENQUEUED'::text, 'PENDING'::text,"
              + " 'DELAYED'::text])) AND (workflow_deadline_epoch_ms IS NOT NULL))",
          "CREATE UNIQUE INDEX uq_workflow_status_dedup_id ON workflow_status"
              + " USING btree (queue_name, deduplication_id)"
              + " WHERE (deduplication_id IS NOT NULL)");

  private static final String CASCADE =
      " REFERENCES workflow_status(workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE";

  /** Every constraint as "table: definition". */
  static final List<String> CONSTRAINTS =
      List.of(
          "application_versions: PRIMARY KEY (version_id)",
          "application_versions: UNIQUE (version_name)",
          "dbos_migrations: PRIMARY KEY (version)",
          "event_dispatch_kv: PRIMARY KEY (service_name, workflow_fn_name, key)",
          "notifications: FOREIGN KEY (destination_uuid)" + CASCADE,
          "notifications: PRIMARY KEY (message_uuid)",
          "operation_outputs: PRIMARY KEY (workflow_uuid, function_id)",
          "queues: PRIMARY KEY (queue_id)",
          "queues: UNIQUE (name)",
          "streams: FOREIGN KEY (workflow_uuid)" + CASCADE,
          "streams: PRIMARY KEY (workflow_uuid, key, \"offset\")",
          "workflow_events: FOREIGN KEY (workflow_uuid)" + CASCADE,
          "workflow_events: PRIMARY KEY (workflow_uuid, key)",
          "workflow_events_history: FOREIGN KEY (workflow_uuid)" + CASCADE,
          "workflow_events_history: PRIMARY KEY (workflow_uuid, function_id, key)",
          "workflow_input: PRIMARY KEY (workflow_uuid)",
          "workflow_output: PRIMARY KEY (workflow_uuid)",
          "workflow_schedules: PRIMARY KEY (schedule_id)",
          "workflow_schedules: UNIQUE (schedule_name)",
          "workflow_status: PRIMARY KEY (workflow_uuid)");

  /** Only the messages' trigger is left (43 and 44 drop the others: writers notify). */
  static final List<String> TRIGGERS =
      List.of(
          "CREATE TRIGGER dbos_notifications_trigger AFTER INSERT ON notifications"
              + " FOR EACH ROW EXECUTE FUNCTION notifications_function()");

  private static final String PINNED = " SET {search_path=pg_catalog, pg_temp}";

  /** Every function as "name(arguments with defaults) RETURNS type SET {config}". */
  static final List<String> FUNCTIONS =
      List.of(
          "enqueue_workflow(workflow_name text, queue_name text,"
              + " positional_args json[] DEFAULT '{}'::json[], named_args json DEFAULT '{}'::json,"
              + " class_name text DEFAULT NULL::text, config_name text DEFAULT NULL::text,"
              + " workflow_id text DEFAULT NULL::text, app_version text DEFAULT NULL::text,"
              + " timeout_ms bigint DEFAULT NULL::bigint,"
              + " deadline_epoch_ms bigint DEFAULT NULL::bigint,"
              + " deduplication_id text DEFAULT NULL::text,"
              + " priority integer DEFAULT NULL::integer,"
              + " queue_partition_key text DEFAULT NULL::text,"
              + " authenticated_user text DEFAULT NULL::text,"
              + " authenticated_roles text DEFAULT NULL::text,"
              + " delay_until_epoch_ms bigint DEFAULT NULL::bigint,"
              + " application_name text DEFAULT NULL::text) RETURNS text"
              + PINNED,
          "notifications_function() RETURNS trigger" + PINNED,
          "send_message(destination_id text, message json, topic text DEFAULT NULL::text,"
              + " idempotency_key text DEFAULT NULL::text) RETURNS void"
              + PINNED);

  @Test
  void migratesAnEmptyDatabaseToTheContractShape() throws SQLException {
    DataSource ds = TestPostgres.newDatabase().dataSource();

    assertThat(SystemSchema.migrate(ds, "dbos")).isEqualTo(123);

    assertContractShape(ds, "dbos");
  }

  @Test
  void usesTheConfiguredSchemaAndNothingElse() throws SQLException {
    DataSource ds = TestPostgres.newDatabase().dataSource();

    SystemSchema.migrate(ds, "Tenant_A");

    assertContractShape(ds, "Tenant_A");
    assertThat(queryStrings(ds, "SELECT nspname FROM pg_namespace WHERE nspname IN ('dbos')"))
        .isEmpty();
    assertThat(queryStrings(ds, "SELECT to_regclass('public.workflow_status')::text"))
        .containsExactly((String) null);
  }

  @Test
  void migratingTwiceChangesNothing() throws SQLException {
    DataSource ds = TestPostgres.newDatabase().dataSource();
    SystemSchema.migrate(ds, "dbos");
    // A marker no migration would leave alone if it ran again.
    execute(ds, "DROP INDEX dbos.workflow_status_created_at_index");

    assertThat(SystemSchema.migrate(ds, "dbos")).isEqualTo(123);

    assertThat(queryStrings(ds, "SELECT to_regclass('dbos.workflow_status_created_at_index')"))
        .containsExactly((String) null);
    assertThat(queryStrings(ds, "SELECT version::text FROM dbos.dbos_migrations"))
        .containsExactly("123");
  }

  @Test
  void leavesASchemaOfANewerSdkAlone() throws SQLException {
    DataSource ds = TestPostgres.newDatabase().dataSource();
    SystemSchema.migrate(ds, "dbos");
    execute(ds, "UPDATE dbos.dbos_migrations SET version = 125");
    execute(ds, "ALTER TABLE dbos.workflow_status ADD COLUMN something_newer boolean");

    assertThat(SystemSchema.migrate(ds, "dbos")).isEqualTo(125);

    assertThat(queryStrings(ds, "SELECT version::text FROM dbos.dbos_migrations"))
        .containsExactly("125");
  }

  @Test
  void refusesANumberFromAnotherSdksOwnHistory() throws SQLException {
    DataSource ds = TestPostgres.newDatabase().dataSource();
    SystemSchema.migrate(ds, "dbos", 47);
    execute(ds, "UPDATE dbos.dbos_migrations SET version = 60");

    assertThatThrownBy(() -> SystemSchema.migrate(ds, "dbos"))
        .isInstanceOf(DBOSSystemDatabaseException.class)
        .hasMessageContaining("[DBOS-CDI-077]")
        .hasMessageContaining("\"dbos\" is at migration 60")
        .hasMessageContaining("48-99")
        .hasMessageContaining("dbos.system-database.schema");
    assertThat(queryStrings(ds, "SELECT version::text FROM dbos.dbos_migrations"))
        .containsExactly("60");
  }

  @Test
  void aSchemaThisLibraryLeftAt41GetsTheSecondMessagesIndexBeforeTheFirstIsDropped()
      throws SQLException {
    DataSource ds = TestPostgres.newDatabase().dataSource();
    SystemSchema.migrate(ds, "dbos", 41);
    assertThat(queryStrings(ds, "SELECT to_regclass('dbos.idx_workflow_topic')::text"))
        .containsExactly((String) null);

    assertThat(SystemSchema.migrate(ds, "dbos")).isEqualTo(123);

    assertContractShape(ds, "dbos");
  }

  @Test
  void aTargetBetweenTheTwoNumberingsIsNotAMigration() {
    DataSource ds = TestPostgres.newDatabase().dataSource();

    assertThatThrownBy(() -> SystemSchema.migrate(ds, "dbos", 60))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1..47 or 100..123");
  }

  @Test
  void upgradesASchemaLeftAtAnEarlierMigrationToTheSameShape() throws SQLException {
    DataSource ds = TestPostgres.newDatabase().dataSource();
    assertThat(SystemSchema.migrate(ds, "dbos", 21)).isEqualTo(21);
    // What a DBOS SDK had created by then and later migrations drop or replace.
    execute(
        ds,
        "CREATE INDEX workflow_status_executor_id_index ON dbos.workflow_status (executor_id)",
        "CREATE INDEX workflow_status_status_index ON dbos.workflow_status (status)",
        "ALTER TABLE dbos.workflow_status ADD CONSTRAINT uq_workflow_status_queue_name_dedup_id"
            + " UNIQUE (queue_name, deduplication_id)",
        "CREATE INDEX idx_workflow_status_queue_status_started"
            + " ON dbos.workflow_status (queue_name, status, started_at_epoch_ms)",
        "CREATE INDEX idx_workflow_status_forked_from ON dbos.workflow_status (forked_from)",
        "CREATE INDEX idx_workflow_status_parent_workflow_id"
            + " ON dbos.workflow_status (parent_workflow_id)",
        "CREATE FUNCTION dbos.enqueue_workflow(workflow_name text, queue_name text,"
            + " positional_args json[], named_args json, class_name text, config_name text,"
            + " workflow_id text, app_version text, timeout_ms bigint, deadline_epoch_ms bigint,"
            + " deduplication_id text, priority integer, queue_partition_key text)"
            + " RETURNS text LANGUAGE sql AS $$ SELECT 'old' $$");

    assertThat(SystemSchema.migrate(ds, "dbos")).isEqualTo(123);

    assertContractShape(ds, "dbos");
  }

  @Test
  void concurrentMigrationsOfAFreshDatabaseAllSucceedOnce() throws Exception {
    DataSource ds = TestPostgres.newDatabase().dataSource();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return SystemSchema.migrate(ds, "dbos");
                }));
      }
      start.countDown();
      for (Future<Integer> result : results) {
        assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(123);
      }
    } finally {
      pool.shutdownNow();
    }

    assertContractShape(ds, "dbos");
  }

  @Test
  void rejectsASchemaNameThatIsNotAPlainIdentifier() {
    DataSource ds = TestPostgres.newDatabase().dataSource();
    for (String bad : List.of("", "dbos\"; DROP TABLE x; --", "my-schema", "1dbos", "pg_dbos")) {
      assertThatThrownBy(() -> SystemSchema.migrate(ds, bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("ASCII letters, digits and underscores");
    }
    assertThatThrownBy(() -> SystemSchema.migrate(ds, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SystemSchema.migrate(ds, "a".repeat(64)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(SystemSchema.quote("_Dbos_2")).isEqualTo("\"_Dbos_2\"");
  }

  @Test
  void aFailedMigrationNamesItAndTheSchemaAndChangesNothing() throws SQLException {
    DataSource ds = TestPostgres.newDatabase().dataSource();
    // A foreign table of the same name, without the columns the first migration indexes.
    execute(ds, "CREATE SCHEMA dbos", "CREATE TABLE dbos.workflow_status (id int)");

    assertThatThrownBy(() -> SystemSchema.migrate(ds, "dbos"))
        .isInstanceOf(DBOSSystemDatabaseException.class)
        .hasMessageContaining("Migration 1 (")
        .hasMessageContaining("schema \"dbos\"")
        .hasMessageContaining("created_at")
        .hasCauseInstanceOf(SQLException.class);

    assertThat(queryStrings(ds, "SELECT to_regclass('dbos.dbos_migrations')::text"))
        .containsExactly((String) null);
  }

  @Test
  void anUnreachableDatabaseIsReportedAsASystemDatabaseError() {
    try (SystemDataSources.Pool unreachable =
        SystemDataSources.pooled(
            "jdbc:postgresql://127.0.0.1:1/none", "u", "p", 1, java.time.Duration.ofSeconds(1))) {
      assertThatThrownBy(() -> SystemSchema.migrate(unreachable, "dbos"))
          .isInstanceOf(DBOSSystemDatabaseException.class)
          .hasMessageContaining("Could not connect to the system database")
          .hasMessageContaining("\"dbos\"");
    }
  }

  @Test
  void aNewerSchemaIsLoggedOnceWithBothNumbers() throws SQLException {
    DataSource ds = TestPostgres.newDatabase().dataSource();
    SystemSchema.migrate(ds, "dbos");
    execute(ds, "UPDATE dbos.dbos_migrations SET version = 125");

    try (LogCapture log = new LogCapture(SystemSchema.class)) {
      assertThat(SystemSchema.migrate(ds, "dbos")).isEqualTo(125);

      assertThat(log.messages())
          .singleElement(as(InstanceOfAssertFactories.STRING))
          .contains("\"dbos\" is at migration 125, newer than 123")
          .contains("uses it as is");
    }
  }

  @Test
  void eachMigrationLogsOneLineWithWhatItFoundAndWhatItKnows() throws SQLException {
    DataSource ds = TestPostgres.newDatabase().dataSource();
    SystemSchema.migrate(ds, "dbos", 41);

    try (LogCapture log = new LogCapture(SystemSchema.class)) {
      SystemSchema.migrate(ds, "dbos");
      SystemSchema.migrate(ds, "dbos");

      assertThat(log.messages())
          .containsExactly(
              "Migrating system database schema \"dbos\" from migration 41 to 123 (this library"
                  + " knows migrations up to 123), in one transaction.",
              "System database schema \"dbos\" is at migration 123: nothing to migrate (this"
                  + " library knows migrations up to 123).");
    }
  }

  // ---- check: the switch off, no DDL

  @Test
  void checkAcceptsTheLatestNumberAndANewerOneWithoutChangingAnything() throws SQLException {
    DataSource ds = TestPostgres.newDatabase().dataSource();
    SystemSchema.migrate(ds, "dbos");

    try (LogCapture log = new LogCapture(SystemSchema.class)) {
      assertThat(SystemSchema.check(ds, "dbos")).isEqualTo(123);
      execute(ds, "UPDATE dbos.dbos_migrations SET version = 125");
      assertThat(SystemSchema.check(ds, "dbos")).isEqualTo(125);

      assertThat(log.messages()).hasSize(2);
      assertThat(log.messages().get(0))
          .contains("\"dbos\" is at migration 123")
          .contains("dbos.system-database.migrate=false");
      assertThat(log.messages().get(1)).contains("is at migration 125, newer than 123");
    }
    assertThat(queryStrings(ds, "SELECT version::text FROM dbos.dbos_migrations"))
        .containsExactly("125");
    assertThat(ownTables(ds)).isEmpty();
  }

  @Test
  void checkRefusesASchemaBehindWithBothNumbersAndTheCommandAndChangesNothing()
      throws SQLException {
    DataSource ds = TestPostgres.newDatabase().dataSource();
    SystemSchema.migrate(ds, "dbos", 41);

    assertThatThrownBy(() -> SystemSchema.check(ds, "dbos"))
        .isInstanceOf(DBOSSystemDatabaseException.class)
        .hasMessageStartingWith("[DBOS-CDI-078] System database schema \"dbos\" is at migration 41")
        .hasMessageContaining("this library needs migration 123")
        .hasMessageContaining("dbos.system-database.migrate=false")
        .hasMessageContaining("io.dbosee.tools.MigrateCommand --url")
        .hasMessageContaining("--schema dbos")
        .hasMessageContaining(MigrationAdvice.SQL_RESOURCE)
        .hasMessageContaining("docs/operations/database-migrations.md");
    assertThat(queryStrings(ds, "SELECT version::text FROM dbos.dbos_migrations"))
        .containsExactly("41");
  }

  @Test
  void checkOfAMissingSchemaSaysSoAndCreatesNothing() throws SQLException {
    DataSource ds = TestPostgres.newDatabase().dataSource();

    assertThatThrownBy(() -> SystemSchema.check(ds, "dbos"))
        .hasMessageContaining("[DBOS-CDI-078]")
        .hasMessageContaining("is at migration 0 (it does not exist)")
        .hasMessageContaining("needs migration 123");
    assertThat(queryStrings(ds, "SELECT nspname FROM pg_namespace WHERE nspname = 'dbos'"))
        .isEmpty();

    execute(ds, "CREATE SCHEMA dbos");
    assertThatThrownBy(() -> SystemSchema.check(ds, "dbos"))
        .hasMessageContaining("is at migration 0 (it has no dbos_migrations table)");
    assertThat(queryStrings(ds, "SELECT to_regclass('dbos.dbos_migrations')::text"))
        .containsExactly((String) null);
  }

  @Test
  void checkRefusesANumberFromAnotherSdksOwnHistoryAsMigratingDoes() throws SQLException {
    DataSource ds = TestPostgres.newDatabase().dataSource();
    SystemSchema.migrate(ds, "dbos", 47);
    execute(ds, "UPDATE dbos.dbos_migrations SET version = 60");

    assertThatThrownBy(() -> SystemSchema.check(ds, "dbos"))
        .isInstanceOf(DBOSSystemDatabaseException.class)
        .hasMessageStartingWith("[DBOS-CDI-077] System database schema \"dbos\" is at migration 60")
        .hasMessageContaining("48-99");
  }

  @Test
  void checkWaitsForAMigrationInProgressAndReadsItsCommittedNumber() throws Exception {
    DataSource ds = TestPostgres.newDatabase().dataSource();
    SystemSchema.migrate(ds, "dbos", 41);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Connection migrator = ds.getConnection()) {
      migrator.setAutoCommit(false);
      try (Statement s = migrator.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(" + SystemSchema.lockKey("dbos") + ")");
        s.execute("UPDATE dbos.dbos_migrations SET version = 123");
      }
      Future<Integer> check = pool.submit(() -> SystemSchema.check(ds, "dbos"));
      // The check's shared lock waits behind the migrator's exclusive one.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  queryStrings(
                          ds,
                          "SELECT count(*)::text FROM pg_locks"
                              + " WHERE locktype = 'advisory' AND NOT granted")
                      .equals(List.of("1")));
      assertThat(check).isNotDone();

      migrator.commit();

      assertThat(check.get(30, TimeUnit.SECONDS)).isEqualTo(123);
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- what the migration command runs

  @Test
  void theOperatorsMigrationAlsoCreatesThisLibrarysOwnTablesEvenOnANewerSchema()
      throws SQLException {
    DataSource ds = TestPostgres.newDatabase().dataSource();
    try (Connection c = ds.getConnection()) {
      assertThat(SystemSchema.migrateForOperator(c, "dbos"))
          .isEqualTo(new SystemSchema.Outcome(0, 123));
      assertThat(c.getAutoCommit()).isTrue();
    }
    assertThat(ownTables(ds)).containsExactly("dbosee_executors", "dbosee_trace_contexts");

    execute(
        ds,
        "UPDATE dbos.dbos_migrations SET version = 125",
        "DROP TABLE dbos.dbosee_executors",
        "DROP TABLE dbos.dbosee_trace_contexts");
    try (Connection c = ds.getConnection()) {
      assertThat(SystemSchema.migrateForOperator(c, "dbos"))
          .isEqualTo(new SystemSchema.Outcome(125, 125));
    }
    assertThat(ownTables(ds)).containsExactly("dbosee_executors", "dbosee_trace_contexts");
    assertThat(queryStrings(ds, "SELECT version::text FROM dbos.dbos_migrations"))
        .containsExactly("125");
  }

  @Test
  void aMissingOwnTableIsRefusedWithTheCommandWhenItMayNotBeCreated() throws SQLException {
    DataSource ds = TestPostgres.newDatabase().dataSource();
    SystemSchema.migrate(ds, "dbos");

    assertThatThrownBy(() -> SystemSchema.createOwnTable(ds, "dbos", OwnTable.EXECUTORS, false))
        .isInstanceOf(DBOSSystemDatabaseException.class)
        .hasMessageStartingWith(
            "[DBOS-CDI-078] System database schema \"dbos\" has no table"
                + " dbosee_executors (server leases)")
        .hasMessageContaining("io.dbosee.tools.MigrateCommand");
    assertThat(ownTables(ds)).isEmpty();

    assertThat(SystemSchema.createOwnTable(ds, "dbos", OwnTable.EXECUTORS, true)).isTrue();
    assertThat(SystemSchema.createOwnTable(ds, "dbos", OwnTable.EXECUTORS, false)).isFalse();
    assertThat(ownTables(ds)).containsExactly("dbosee_executors");
  }

  static List<String> ownTables(DataSource ds) throws SQLException {
    return queryStrings(
        ds,
        "SELECT tablename FROM pg_tables WHERE schemaname = 'dbos'"
            + " AND tablename LIKE 'dbosee%' ORDER BY 1");
  }

  @Test
  void theLockKeyDependsOnTheSchemaOnly() {
    assertThat(SystemSchema.lockKey("dbos")).isEqualTo(SystemSchema.lockKey("dbos"));
    assertThat(SystemSchema.lockKey("dbos")).isNotEqualTo(SystemSchema.lockKey("other"));
  }

  // ---- shape assertions

  /**
   * What the catalog says of one schema, in a form two databases can be compared by: the columns of
   * each table, and the indexes, constraints, triggers and functions (signature and full
   * definition), each without the schema's name.
   */
  record Snapshot(
      Map<String, List<String>> columns,
      List<String> indexes,
      List<String> constraints,
      List<String> triggers,
      List<String> functions,
      List<String> functionDefinitions,
      List<String> version) {}

  static Snapshot snapshot(DataSource ds, String schema) throws SQLException {
    Map<String, List<String>> columns = new LinkedHashMap<>();
    try (Connection c = ds.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod),"
                    + " a.attnotnull, pg_get_expr(d.adbin, d.adrelid)"
                    + " FROM pg_attribute a"
                    + " JOIN pg_class c ON c.oid = a.attrelid"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                    + " WHERE n.nspname = ? AND c.relkind = 'r' AND a.attnum > 0"
                    + " AND NOT a.attisdropped ORDER BY c.relname, a.attnum")) {
      s.setString(1, schema);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          String column =
              rs.getString(2)
                  + " "
                  + rs.getString(3)
                  + (rs.getBoolean(4) ? " NOT NULL" : "")
                  + (rs.getString(5) == null ? "" : " DEFAULT " + rs.getString(5));
          columns.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(column);
        }
      }
    }
    String prefix = schema.equals(schema.toLowerCase()) ? schema + "." : '"' + schema + "\".";
    List<String> indexes =
        query(
            ds,
            "SELECT CASE WHEN k.conname IS NULL THEN i.indexdef"
                + " ELSE regexp_replace(i.indexdef, 'INDEX \\S+ ON ', 'INDEX ON ') END"
                + " FROM pg_indexes i"
                + " LEFT JOIN pg_constraint k ON k.conname = i.indexname"
                + " AND k.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = ?)"
                + " WHERE i.schemaname = ?",
            schema,
            def -> def.replace(prefix, ""));
    List<String> constraints =
        query(
            ds,
            "SELECT c.relname || ': ' || pg_get_constraintdef(k.oid) FROM pg_constraint k"
                + " JOIN pg_class c ON c.oid = k.conrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ?",
            schema,
            def -> def.replace(prefix, ""));
    List<String> triggers =
        query(
            ds,
            "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t"
                + " JOIN pg_class c ON c.oid = t.tgrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND NOT t.tgisinternal",
            schema,
            def -> def.replace(prefix, ""));
    List<String> functions =
        query(
            ds,
            "SELECT p.proname || '(' || pg_get_function_arguments(p.oid) || ') RETURNS '"
                + " || pg_get_function_result(p.oid) || ' SET ' || p.proconfig::text"
                + " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                + " WHERE n.nspname = ?",
            schema,
            def -> def.replace("\"", ""));
    List<String> definitions =
        query(
            ds,
            "SELECT pg_get_functiondef(p.oid) FROM pg_proc p"
                + " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ?",
            schema,
            def -> def.replace(prefix, ""));
    List<String> version =
        columns.containsKey("dbos_migrations")
            ? query(
                ds,
                "SELECT version::text FROM "
                    + SystemSchema.quote(schema)
                    + ".dbos_migrations WHERE ? IS NOT NULL",
                schema,
                v -> v)
            : List.of();
    return new Snapshot(
        columns,
        sorted(indexes),
        sorted(constraints),
        sorted(triggers),
        sorted(functions),
        sorted(definitions),
        version);
  }

  private static List<String> sorted(List<String> values) {
    return values.stream().sorted().toList();
  }

  static void assertContractShape(DataSource ds, String schema) throws SQLException {
    Snapshot snapshot = snapshot(ds, schema);
    assertThat(snapshot.columns().keySet()).containsExactlyElementsOf(COLUMNS.keySet());
    COLUMNS.forEach(
        (table, expected) ->
            assertThat(snapshot.columns().get(table))
                .as(table)
                .containsExactlyElementsOf(expected));
    assertThat(snapshot.indexes()).containsExactlyInAnyOrderElementsOf(INDEXES);
    assertThat(snapshot.constraints()).containsExactlyInAnyOrderElementsOf(CONSTRAINTS);
    assertThat(snapshot.triggers()).containsExactlyInAnyOrderElementsOf(TRIGGERS);
    assertThat(snapshot.functions()).containsExactlyInAnyOrderElementsOf(FUNCTIONS);
    assertThat(snapshot.version()).containsExactly("123");
  }

  private static List<String> query(
      DataSource ds, String sql, String param, java.util.function.UnaryOperator<String> map)
      throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = ds.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 1; i <= sql.chars().filter(ch -> ch == '?').count(); i++) {
        s.setString(i, param);
      }
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          rows.add(map.apply(rs.getString(1)));
        }
      }
    }
    return rows;
  }

  static List<String> queryStrings(DataSource ds, String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
    }
    return rows;
  }

  static void execute(DataSource ds, String... statements) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }
}
