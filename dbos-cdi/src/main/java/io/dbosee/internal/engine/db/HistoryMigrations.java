package io.dbosee.internal.engine.db;

import static io.dbosee.internal.engine.db.SystemSchemaMigrations.NOW_MS;

import io.dbosee.internal.engine.db.SystemSchemaMigrations.Migration;
import java.util.List;

/**
 * The migrations below the DBOS SDKs' shared numbering (100), numbered as the Python, Go and Java
 * SDKs number theirs: the history they share.
 */
final class HistoryMigrations {
  private HistoryMigrations() {}

  /** A trigger function that notifies {@code channel} with {@code <id column>::<key column>}. */
  private static String notifyFunction(String name, String channel, String id, String key) {
    return """
        CREATE OR REPLACE FUNCTION ${schema}.%s() RETURNS trigger
        LANGUAGE plpgsql
        SET search_path = pg_catalog, pg_temp
        AS $fn$
        BEGIN
          PERFORM pg_notify('%s', NEW.%s || '::' || NEW.%s);
          RETURN NEW;
        END;
        $fn$"""
        .formatted(name, channel, id, key);
  }

  private static String[] trigger(String trigger, String table, String function) {
    return new String[] {
      "DROP TRIGGER IF EXISTS %s ON ${schema}.%s".formatted(trigger, table),
      "CREATE TRIGGER %s AFTER INSERT ON ${schema}.%s FOR EACH ROW EXECUTE FUNCTION ${schema}.%s()"
          .formatted(trigger, table, function)
    };
  }

  private static String[] concat(String[]... parts) {
    return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
  }

  private static final String FK_WORKFLOW =
      "FOREIGN KEY (workflow_uuid) REFERENCES ${schema}.workflow_status (workflow_uuid)"
          + " ON UPDATE CASCADE ON DELETE CASCADE";

  /** Migrations 1 to 47, in order; {@code ALL.get(i).version() == i + 1}. */
  static final List<Migration> ALL =
      List.of(
          SystemSchemaMigrations.m(
              1,
              "workflow, step, message, event and stream tables",
              concat(
                  new String[] {
                    """
                    CREATE TABLE IF NOT EXISTS ${schema}.workflow_status (
                      workflow_uuid text PRIMARY KEY,
                      status text,
                      name text,
                      authenticated_user text,
                      assumed_role text,
                      authenticated_roles text,
                      request text,
                      output text,
                      error text,
                      executor_id text,
                      created_at bigint NOT NULL DEFAULT %1$s,
                      updated_at bigint NOT NULL DEFAULT %1$s,
                      application_version text,
                      application_id text,
                      class_name varchar(255) DEFAULT NULL,
                      config_name varchar(255) DEFAULT NULL,
                      recovery_attempts bigint DEFAULT 0,
                      queue_name text,
                      workflow_timeout_ms bigint,
                      workflow_deadline_epoch_ms bigint,
                      inputs text,
                      started_at_epoch_ms bigint,
                      deduplication_id text,
                      priority integer NOT NULL DEFAULT 0
                    )"""
                        .formatted(NOW_MS),
                    "CREATE INDEX IF NOT EXISTS workflow_status_created_at_index"
                        + " ON ${schema}.workflow_status (created_at)",
                    """
                    CREATE TABLE IF NOT EXISTS ${schema}.operation_outputs (
                      workflow_uuid text NOT NULL,
                      function_id integer NOT NULL,
                      function_name text NOT NULL DEFAULT '',
                      output text,
                      error text,
                      child_workflow_id text,
                      PRIMARY KEY (workflow_uuid, function_id),
                      %s
                    )"""
                        .formatted(FK_WORKFLOW),
                    """
                    CREATE TABLE IF NOT EXISTS ${schema}.notifications (
                      message_uuid text NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
                      destination_uuid text NOT NULL,
                      topic text,
                      message text NOT NULL,
                      created_at_epoch_ms bigint NOT NULL DEFAULT %s,
                      FOREIGN KEY (destination_uuid)
                        REFERENCES ${schema}.workflow_status (workflow_uuid)
                        ON UPDATE CASCADE ON DELETE CASCADE
                    )"""
                        .formatted(NOW_MS),
                    """
                    CREATE TABLE IF NOT EXISTS ${schema}.workflow_events (
                      workflow_uuid text NOT NULL,
                      key text NOT NULL,
                      value text NOT NULL,
                      PRIMARY KEY (workflow_uuid, key),
                      %s
                    )"""
                        .formatted(FK_WORKFLOW),
                    """
                    CREATE TABLE IF NOT EXISTS ${schema}.streams (
                      workflow_uuid text NOT NULL,
                      key text NOT NULL,
                      value text NOT NULL,
                      "offset" integer NOT NULL,
                      PRIMARY KEY (workflow_uuid, key, "offset"),
                      %s
                    )"""
                        .formatted(FK_WORKFLOW),
                    """
                    CREATE TABLE IF NOT EXISTS ${schema}.event_dispatch_kv (
                      service_name text NOT NULL,
                      workflow_fn_name text NOT NULL,
                      key text NOT NULL,
                      value text,
                      update_seq numeric(38,0),
                      update_time numeric(38,15),
                      PRIMARY KEY (service_name, workflow_fn_name, key)
                    )""",
                    notifyFunction(
                        "notifications_function",
                        "dbos_notifications_channel",
                        "destination_uuid",
                        "topic")
                  },
                  trigger("dbos_notifications_trigger", "notifications", "notifications_function"),
                  new String[] {
                    notifyFunction(
                        "workflow_events_function",
                        "dbos_workflow_events_channel",
                        "workflow_uuid",
                        "key")
                  },
                  trigger(
                      "dbos_workflow_events_trigger",
                      "workflow_events",
                      "workflow_events_function"))),
          SystemSchemaMigrations.m(
              2,
              "workflow_status.queue_partition_key",
              "ALTER TABLE ${schema}.workflow_status"
                  + " ADD COLUMN IF NOT EXISTS queue_partition_key text"),
          // The SDKs' index created here is dropped again by migration 35.
          SystemSchemaMigrations.m(3, "nothing (superseded by migration 35)"),
          // The SDKs' non-partial index created here is replaced by migrations 22 and 23.
          SystemSchemaMigrations.m(
              4,
              "workflow_status.forked_from",
              "ALTER TABLE ${schema}.workflow_status ADD COLUMN IF NOT EXISTS forked_from text"),
          SystemSchemaMigrations.m(
              5,
              "step start and completion times",
              "ALTER TABLE ${schema}.operation_outputs"
                  + " ADD COLUMN IF NOT EXISTS started_at_epoch_ms bigint,"
                  + " ADD COLUMN IF NOT EXISTS completed_at_epoch_ms bigint"),
          SystemSchemaMigrations.m(
              6,
              "event history and stream function ids",
              """
              CREATE TABLE IF NOT EXISTS ${schema}.workflow_events_history (
                workflow_uuid text NOT NULL,
                function_id integer NOT NULL,
                key text NOT NULL,
                value text NOT NULL,
                PRIMARY KEY (workflow_uuid, function_id, key),
                %s
              )"""
                  .formatted(FK_WORKFLOW),
              "ALTER TABLE ${schema}.streams"
                  + " ADD COLUMN IF NOT EXISTS function_id integer NOT NULL DEFAULT 0"),
          SystemSchemaMigrations.m(
              7,
              "workflow_status.owner_xid",
              "ALTER TABLE ${schema}.workflow_status ADD COLUMN IF NOT EXISTS owner_xid text"),
          // The SDKs' non-partial index created here is replaced by migrations 24 and 25.
          SystemSchemaMigrations.m(
              8,
              "workflow_status.parent_workflow_id",
              "ALTER TABLE ${schema}.workflow_status"
                  + " ADD COLUMN IF NOT EXISTS parent_workflow_id text"),
          SystemSchemaMigrations.m(
              9,
              "workflow_schedules",
              """
              CREATE TABLE IF NOT EXISTS ${schema}.workflow_schedules (
                schedule_id text PRIMARY KEY,
                schedule_name text NOT NULL UNIQUE,
                workflow_name text NOT NULL,
                workflow_class_name text,
                schedule text NOT NULL,
                status text NOT NULL DEFAULT 'ACTIVE',
                context text NOT NULL
              )"""),
          // Old SDK versions created notifications without a primary key; newer ones (and
          // migration 1 here) create it at once, so add it only when missing.
          SystemSchemaMigrations.m(
              10,
              "notifications primary key",
              """
              DO $do$
              BEGIN
                IF NOT EXISTS (
                  SELECT 1 FROM pg_catalog.pg_constraint
                  WHERE conrelid = '${schema}.notifications'::regclass AND contype = 'p'
                ) THEN
                  ALTER TABLE ${schema}.notifications ADD PRIMARY KEY (message_uuid);
                END IF;
              END
              $do$"""),
          SystemSchemaMigrations.m(
              11,
              "serialization columns",
              "ALTER TABLE ${schema}.workflow_status ADD COLUMN IF NOT EXISTS serialization text",
              "ALTER TABLE ${schema}.notifications ADD COLUMN IF NOT EXISTS serialization text",
              "ALTER TABLE ${schema}.workflow_events ADD COLUMN IF NOT EXISTS serialization text",
              "ALTER TABLE ${schema}.workflow_events_history"
                  + " ADD COLUMN IF NOT EXISTS serialization text",
              "ALTER TABLE ${schema}.operation_outputs ADD COLUMN IF NOT EXISTS serialization text",
              "ALTER TABLE ${schema}.streams ADD COLUMN IF NOT EXISTS serialization text"),
          SystemSchemaMigrations.m(
              12,
              "notifications.consumed and its lookup index",
              "ALTER TABLE ${schema}.notifications"
                  + " ADD COLUMN IF NOT EXISTS consumed boolean NOT NULL DEFAULT false",
              "CREATE INDEX IF NOT EXISTS idx_notifications"
                  + " ON ${schema}.notifications (destination_uuid, topic)"),
          SystemSchemaMigrations.m(
              13,
              "application_versions",
              """
              CREATE TABLE IF NOT EXISTS ${schema}.application_versions (
                version_id text NOT NULL PRIMARY KEY,
                version_name text NOT NULL UNIQUE,
                version_timestamp bigint NOT NULL DEFAULT %1$s,
                created_at bigint NOT NULL DEFAULT %1$s
              )"""
                  .formatted(NOW_MS)),
          // enqueue_workflow arrives in its final form with migration 38.
          SystemSchemaMigrations.m(14, "send_message function", SystemFunctions.SEND_MESSAGE),
          SystemSchemaMigrations.m(
              15,
              "schedule backfill and time zone",
              "ALTER TABLE ${schema}.workflow_schedules"
                  + " ADD COLUMN IF NOT EXISTS last_fired_at text",
              "ALTER TABLE ${schema}.workflow_schedules"
                  + " ADD COLUMN IF NOT EXISTS automatic_backfill boolean NOT NULL DEFAULT false",
              "ALTER TABLE ${schema}.workflow_schedules"
                  + " ADD COLUMN IF NOT EXISTS cron_timezone text"),
          SystemSchemaMigrations.m(
              16,
              "delayed workflows",
              "ALTER TABLE ${schema}.workflow_status"
                  + " ADD COLUMN IF NOT EXISTS delay_until_epoch_ms bigint",
              "CREATE INDEX IF NOT EXISTS idx_workflow_status_delayed"
                  + " ON ${schema}.workflow_status (delay_until_epoch_ms)"
                  + " WHERE status = 'DELAYED'"),
          SystemSchemaMigrations.m(
              17,
              "workflow_schedules.queue_name",
              "ALTER TABLE ${schema}.workflow_schedules ADD COLUMN IF NOT EXISTS queue_name text"),
          SystemSchemaMigrations.m(
              18,
              "workflow_status.was_forked_from",
              "ALTER TABLE ${schema}.workflow_status"
                  + " ADD COLUMN IF NOT EXISTS was_forked_from boolean NOT NULL DEFAULT false"),
          SystemSchemaMigrations.m(
              19,
              "step completion index",
              "CREATE INDEX IF NOT EXISTS idx_operation_outputs_completed_at_function_name"
                  + " ON ${schema}.operation_outputs (completed_at_epoch_ms, function_name)"),
          // Functions created here already carry the search path; this pins it on SDK-made ones.
          // (ALTER FUNCTION has no IF EXISTS, hence the lookup.)
          SystemSchemaMigrations.m(
              20,
              "pin the functions' search_path",
              """
              DO $do$
              DECLARE
                f regprocedure;
              BEGIN
                FOR f IN
                  SELECT p FROM unnest(ARRAY[
                    to_regprocedure('${schema}.enqueue_workflow(text, text, json[], json, text,'
                      || ' text, text, text, bigint, bigint, text, integer, text)'),
                    to_regprocedure('${schema}.send_message(text, json, text, text)'),
                    to_regprocedure('${schema}.notifications_function()'),
                    to_regprocedure('${schema}.workflow_events_function()')
                  ]) AS p
                  WHERE p IS NOT NULL
                LOOP
                  EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, pg_temp', f);
                END LOOP;
              END
              $do$"""),
          SystemSchemaMigrations.m(
              21,
              "queues",
              """
              CREATE TABLE IF NOT EXISTS ${schema}.queues (
                queue_id text PRIMARY KEY DEFAULT gen_random_uuid()::text,
                name text NOT NULL UNIQUE,
                concurrency integer,
                worker_concurrency integer,
                rate_limit_max integer,
                rate_limit_period_sec double precision,
                priority_enabled boolean NOT NULL DEFAULT false,
                partition_queue boolean NOT NULL DEFAULT false,
                polling_interval_sec double precision NOT NULL DEFAULT 1.0,
                created_at bigint NOT NULL DEFAULT %1$s,
                updated_at bigint NOT NULL DEFAULT %1$s
              )"""
                  .formatted(NOW_MS)),
          SystemSchemaMigrations.m(
              22,
              "drop the non-partial forked_from index",
              "DROP INDEX IF EXISTS ${schema}.idx_workflow_status_forked_from"),
          SystemSchemaMigrations.m(
              23,
              "partial forked_from index",
              "CREATE INDEX IF NOT EXISTS idx_workflow_status_forked_from"
                  + " ON ${schema}.workflow_status (forked_from) WHERE forked_from IS NOT NULL"),
          SystemSchemaMigrations.m(
              24,
              "drop the non-partial parent_workflow_id index",
              "DROP INDEX IF EXISTS ${schema}.idx_workflow_status_parent_workflow_id"),
          SystemSchemaMigrations.m(
              25,
              "partial parent_workflow_id index",
              "CREATE INDEX IF NOT EXISTS idx_workflow_status_parent_workflow_id"
                  + " ON ${schema}.workflow_status (parent_workflow_id)"
                  + " WHERE parent_workflow_id IS NOT NULL"),
          SystemSchemaMigrations.m(
              26,
              "drop the executor_id index",
              "DROP INDEX IF EXISTS ${schema}.workflow_status_executor_id_index"),
          SystemSchemaMigrations.m(
              27,
              "partial unique deduplication index",
              "CREATE UNIQUE INDEX IF NOT EXISTS uq_workflow_status_dedup_id"
                  + " ON ${schema}.workflow_status (queue_name, deduplication_id)"
                  + " WHERE deduplication_id IS NOT NULL"),
          SystemSchemaMigrations.m(
              28,
              "drop the non-partial deduplication constraint",
              "ALTER TABLE ${schema}.workflow_status"
                  + " DROP CONSTRAINT IF EXISTS uq_workflow_status_queue_name_dedup_id"),
          SystemSchemaMigrations.m(
              29,
              "pending workflows index",
              "CREATE INDEX IF NOT EXISTS idx_workflow_status_pending"
                  + " ON ${schema}.workflow_status (created_at) WHERE status = 'PENDING'"),
          SystemSchemaMigrations.m(
              30,
              "failed workflows index",
              "CREATE INDEX IF NOT EXISTS idx_workflow_status_failed"
                  + " ON ${schema}.workflow_status (status, created_at)"
                  + " WHERE status IN ('ERROR', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED')"),
          SystemSchemaMigrations.m(
              31,
              "drop the status index",
              "DROP INDEX IF EXISTS ${schema}.workflow_status_status_index"),
          SystemSchemaMigrations.m(
              32,
              "in-flight queue index",
              "CREATE INDEX IF NOT EXISTS idx_workflow_status_in_flight"
                  + " ON ${schema}.workflow_status (queue_name, status, priority, created_at)"
                  + " WHERE status IN ('ENQUEUED', 'PENDING')"),
          SystemSchemaMigrations.m(
              33,
              "workflow_status.rate_limited",
              "ALTER TABLE ${schema}.workflow_status"
                  + " ADD COLUMN IF NOT EXISTS rate_limited boolean NOT NULL DEFAULT false"),
          SystemSchemaMigrations.m(
              34,
              "rate-limited index",
              "CREATE INDEX IF NOT EXISTS idx_workflow_status_rate_limited"
                  + " ON ${schema}.workflow_status (queue_name, started_at_epoch_ms)"
                  + " WHERE rate_limited = true"),
          SystemSchemaMigrations.m(
              35,
              "drop the queue-status-started index",
              "DROP INDEX IF EXISTS ${schema}.idx_workflow_status_queue_status_started"),
          SystemSchemaMigrations.m(
              36,
              "workflow_status.completed_at",
              "ALTER TABLE ${schema}.workflow_status ADD COLUMN IF NOT EXISTS completed_at bigint",
              "CREATE INDEX IF NOT EXISTS idx_workflow_status_completed_at"
                  + " ON ${schema}.workflow_status (completed_at) WHERE completed_at IS NOT NULL"),
          SystemSchemaMigrations.m(
              37,
              "started_at index",
              "CREATE INDEX IF NOT EXISTS idx_workflow_status_started_at"
                  + " ON ${schema}.workflow_status (started_at_epoch_ms)"
                  + " WHERE started_at_epoch_ms IS NOT NULL"),
          SystemSchemaMigrations.m(
              38,
              "enqueue_workflow with user, roles and delay",
              "DROP FUNCTION IF EXISTS ${schema}.enqueue_workflow("
                  + "text, text, json[], json, text, text, text, text, bigint, bigint, text,"
                  + " integer, text)",
              SystemFunctions.ENQUEUE_WORKFLOW_16),
          SystemSchemaMigrations.m(
              39,
              "stream notifications",
              concat(
                  new String[] {
                    notifyFunction(
                        "streams_function", "dbos_streams_channel", "workflow_uuid", "key")
                  },
                  trigger("dbos_streams_trigger", "streams", "streams_function"))),
          SystemSchemaMigrations.m(
              40,
              "workflow_status.attributes",
              "ALTER TABLE ${schema}.workflow_status ADD COLUMN IF NOT EXISTS attributes jsonb",
              "CREATE INDEX IF NOT EXISTS idx_workflow_status_attributes"
                  + " ON ${schema}.workflow_status USING gin (attributes)"
                  + " WHERE attributes IS NOT NULL"),
          SystemSchemaMigrations.m(
              41,
              "workflow_status.schedule_name",
              "ALTER TABLE ${schema}.workflow_status ADD COLUMN IF NOT EXISTS schedule_name text",
              "CREATE INDEX IF NOT EXISTS idx_workflow_status_schedule_name"
                  + " ON ${schema}.workflow_status (schedule_name)"
                  + " WHERE schedule_name IS NOT NULL"),
          // The SDKs' shape at 41 has a second (destination_uuid, topic) index, which migration
          // 114 keeps when it drops the first: created here so that a schema this library made
          // at 41 gets it too.
          SystemSchemaMigrations.m(
              42,
              "debouncing columns (and the messages index the SDKs made at 41)",
              "ALTER TABLE ${schema}.workflow_status"
                  + " ADD COLUMN IF NOT EXISTS debounce_deadline_epoch_ms bigint DEFAULT NULL",
              "ALTER TABLE ${schema}.workflow_status"
                  + " ADD COLUMN IF NOT EXISTS is_debounced boolean NOT NULL DEFAULT false",
              "CREATE INDEX IF NOT EXISTS idx_workflow_topic"
                  + " ON ${schema}.notifications (destination_uuid, topic)"),
          // Writers send the notification themselves now (same channel and payload).
          SystemSchemaMigrations.m(
              43,
              "drop the streams notify trigger",
              "DROP TRIGGER IF EXISTS dbos_streams_trigger ON ${schema}.streams",
              "DROP FUNCTION IF EXISTS ${schema}.streams_function()"),
          SystemSchemaMigrations.m(
              44,
              "drop the workflow events notify trigger",
              "DROP TRIGGER IF EXISTS dbos_workflow_events_trigger ON ${schema}.workflow_events",
              "DROP FUNCTION IF EXISTS ${schema}.workflow_events_function()"),
          SystemSchemaMigrations.m(
              45,
              "partition dequeue index",
              "CREATE INDEX IF NOT EXISTS idx_workflow_status_partition_dequeue"
                  + " ON ${schema}.workflow_status"
                  + " (queue_name, status, queue_partition_key, priority, created_at)"
                  + " WHERE status IN ('ENQUEUED', 'PENDING') AND queue_partition_key IS NOT NULL"),
          SystemSchemaMigrations.m(
              46,
              "partition dequeue index ordered by workflow id too",
              "CREATE INDEX IF NOT EXISTS idx_workflow_status_partition_dequeue_v2"
                  + " ON ${schema}.workflow_status"
                  + " (queue_name, status, queue_partition_key, priority, created_at, workflow_uuid)"
                  + " WHERE status IN ('ENQUEUED', 'PENDING') AND queue_partition_key IS NOT NULL"),
          SystemSchemaMigrations.m(
              47,
              "drop the first partition dequeue index",
              "DROP INDEX IF EXISTS ${schema}.idx_workflow_status_partition_dequeue"));
}
