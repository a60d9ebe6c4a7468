-- The DBOS system database schema "dbos": the DBOS SDKs' migrations 1-47 and 100-123, then this library's own tables.
-- Generated: io.dbosee.tools.MigrateCommand --print-sql --schema dbos. Do not edit.
--
-- Run it as a database user that may create tables, indexes and functions in the schema:
--   psql -v ON_ERROR_STOP=1 -f <this file> postgresql://<owner>@<host>:<port>/<db>
-- It is one transaction (do not add psql's --single-transaction): it applies the migrations
-- above the number in dbos_migrations, or nothing if the schema is at 123 or above.
-- See docs/operations/database-migrations.md.

BEGIN;

-- Without the notices of the IF EXISTS / IF NOT EXISTS that find nothing to do.
SET LOCAL client_min_messages = warning;

-- The lock a server takes to migrate this schema (one migrator at a time), held
-- until COMMIT.
DO $dbos_migration$
BEGIN
  PERFORM pg_advisory_xact_lock(4918580965187949245);
END
$dbos_migration$;

-- Looked up first: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database.
DO $dbos_migration$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'dbos') THEN
    CREATE SCHEMA "dbos";
  END IF;
END
$dbos_migration$;

CREATE TABLE IF NOT EXISTS "dbos".dbos_migrations (version bigint NOT NULL PRIMARY KEY);

-- A number of another SDK's own history: its shape is unknown here.
DO $dbos_migration$
DECLARE
  found bigint := (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations);
BEGIN
  IF found > 47 AND found < 100 THEN
    RAISE EXCEPTION USING MESSAGE = replace('[DBOS-CDI-077] System database schema "dbos" is at migration {found}, a number in 48-99: another DBOS SDK''s own history, which this library cannot read. Start the application that created it with a DBOS SDK that migrates to the shared numbering (the TypeScript SDK 5 or later, Python 2.x or 3.x, Java 1.3 or later), so that it brings the schema to 100 or above, or point this application at another schema (dbos.system-database.schema).', '{found}', found::text);
  END IF;
END
$dbos_migration$;

-- Migration 1: workflow, step, message, event and stream tables
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 1 THEN
    EXECUTE $dbos_sql$CREATE TABLE IF NOT EXISTS "dbos".workflow_status (
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
  created_at bigint NOT NULL DEFAULT (EXTRACT(epoch FROM now()) * 1000)::bigint,
  updated_at bigint NOT NULL DEFAULT (EXTRACT(epoch FROM now()) * 1000)::bigint,
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
)$dbos_sql$;
    EXECUTE $dbos_sql$CREATE INDEX IF NOT EXISTS workflow_status_created_at_index ON "dbos".workflow_status (created_at)$dbos_sql$;
    EXECUTE $dbos_sql$CREATE TABLE IF NOT EXISTS "dbos".operation_outputs (
  workflow_uuid text NOT NULL,
  function_id integer NOT NULL,
  function_name text NOT NULL DEFAULT '',
  output text,
  error text,
  child_workflow_id text,
  PRIMARY KEY (workflow_uuid, function_id),
  FOREIGN KEY (workflow_uuid) REFERENCES "dbos".workflow_status (workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE
)$dbos_sql$;
    EXECUTE $dbos_sql$CREATE TABLE IF NOT EXISTS "dbos".notifications (
  message_uuid text NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  destination_uuid text NOT NULL,
  topic text,
  message text NOT NULL,
  created_at_epoch_ms bigint NOT NULL DEFAULT (EXTRACT(epoch FROM now()) * 1000)::bigint,
  FOREIGN KEY (destination_uuid)
    REFERENCES "dbos".workflow_status (workflow_uuid)
    ON UPDATE CASCADE ON DELETE CASCADE
)$dbos_sql$;
    EXECUTE $dbos_sql$CREATE TABLE IF NOT EXISTS "dbos".workflow_events (
  workflow_uuid text NOT NULL,
  key text NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (workflow_uuid, key),
  FOREIGN KEY (workflow_uuid) REFERENCES "dbos".workflow_status (workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE
)$dbos_sql$;
    EXECUTE $dbos_sql$CREATE TABLE IF NOT EXISTS "dbos".streams (
  workflow_uuid text NOT NULL,
  key text NOT NULL,
  value text NOT NULL,
  "offset" integer NOT NULL,
  PRIMARY KEY (workflow_uuid, key, "offset"),
  FOREIGN KEY (workflow_uuid) REFERENCES "dbos".workflow_status (workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE
)$dbos_sql$;
    EXECUTE $dbos_sql$CREATE TABLE IF NOT EXISTS "dbos".event_dispatch_kv (
  service_name text NOT NULL,
  workflow_fn_name text NOT NULL,
  key text NOT NULL,
  value text,
  update_seq numeric(38,0),
  update_time numeric(38,15),
  PRIMARY KEY (service_name, workflow_fn_name, key)
)$dbos_sql$;
    EXECUTE $dbos_sql$CREATE OR REPLACE FUNCTION "dbos".notifications_function() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  PERFORM pg_notify('dbos_notifications_channel', NEW.destination_uuid || '::' || NEW.topic);
  RETURN NEW;
END;
$fn$$dbos_sql$;
    EXECUTE $dbos_sql$DROP TRIGGER IF EXISTS dbos_notifications_trigger ON "dbos".notifications$dbos_sql$;
    EXECUTE $dbos_sql$CREATE TRIGGER dbos_notifications_trigger AFTER INSERT ON "dbos".notifications FOR EACH ROW EXECUTE FUNCTION "dbos".notifications_function()$dbos_sql$;
    EXECUTE $dbos_sql$CREATE OR REPLACE FUNCTION "dbos".workflow_events_function() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  PERFORM pg_notify('dbos_workflow_events_channel', NEW.workflow_uuid || '::' || NEW.key);
  RETURN NEW;
END;
$fn$$dbos_sql$;
    EXECUTE $dbos_sql$DROP TRIGGER IF EXISTS dbos_workflow_events_trigger ON "dbos".workflow_events$dbos_sql$;
    EXECUTE $dbos_sql$CREATE TRIGGER dbos_workflow_events_trigger AFTER INSERT ON "dbos".workflow_events FOR EACH ROW EXECUTE FUNCTION "dbos".workflow_events_function()$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 2: workflow_status.queue_partition_key
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 2 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".workflow_status ADD COLUMN IF NOT EXISTS queue_partition_key text$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 3: nothing (superseded by migration 35)
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 3 THEN
  END IF;
END
$dbos_migration$;

-- Migration 4: workflow_status.forked_from
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 4 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".workflow_status ADD COLUMN IF NOT EXISTS forked_from text$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 5: step start and completion times
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 5 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".operation_outputs ADD COLUMN IF NOT EXISTS started_at_epoch_ms bigint, ADD COLUMN IF NOT EXISTS completed_at_epoch_ms bigint$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 6: event history and stream function ids
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 6 THEN
    EXECUTE $dbos_sql$CREATE TABLE IF NOT EXISTS "dbos".workflow_events_history (
  workflow_uuid text NOT NULL,
  function_id integer NOT NULL,
  key text NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (workflow_uuid, function_id, key),
  FOREIGN KEY (workflow_uuid) REFERENCES "dbos".workflow_status (workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE
)$dbos_sql$;
    EXECUTE $dbos_sql$ALTER TABLE "dbos".streams ADD COLUMN IF NOT EXISTS function_id integer NOT NULL DEFAULT 0$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 7: workflow_status.owner_xid
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 7 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".workflow_status ADD COLUMN IF NOT EXISTS owner_xid text$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 8: workflow_status.parent_workflow_id
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 8 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".workflow_status ADD COLUMN IF NOT EXISTS parent_workflow_id text$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 9: workflow_schedules
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 9 THEN
    EXECUTE $dbos_sql$CREATE TABLE IF NOT EXISTS "dbos".workflow_schedules (
  schedule_id text PRIMARY KEY,
  schedule_name text NOT NULL UNIQUE,
  workflow_name text NOT NULL,
  workflow_class_name text,
  schedule text NOT NULL,
  status text NOT NULL DEFAULT 'ACTIVE',
  context text NOT NULL
)$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 10: notifications primary key
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 10 THEN
    EXECUTE $dbos_sql$DO $do$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_constraint
    WHERE conrelid = '"dbos".notifications'::regclass AND contype = 'p'
  ) THEN
    ALTER TABLE "dbos".notifications ADD PRIMARY KEY (message_uuid);
  END IF;
END
$do$$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 11: serialization columns
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 11 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".workflow_status ADD COLUMN IF NOT EXISTS serialization text$dbos_sql$;
    EXECUTE $dbos_sql$ALTER TABLE "dbos".notifications ADD COLUMN IF NOT EXISTS serialization text$dbos_sql$;
    EXECUTE $dbos_sql$ALTER TABLE "dbos".workflow_events ADD COLUMN IF NOT EXISTS serialization text$dbos_sql$;
    EXECUTE $dbos_sql$ALTER TABLE "dbos".workflow_events_history ADD COLUMN IF NOT EXISTS serialization text$dbos_sql$;
    EXECUTE $dbos_sql$ALTER TABLE "dbos".operation_outputs ADD COLUMN IF NOT EXISTS serialization text$dbos_sql$;
    EXECUTE $dbos_sql$ALTER TABLE "dbos".streams ADD COLUMN IF NOT EXISTS serialization text$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 12: notifications.consumed and its lookup index
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 12 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".notifications ADD COLUMN IF NOT EXISTS consumed boolean NOT NULL DEFAULT false$dbos_sql$;
    EXECUTE $dbos_sql$CREATE INDEX IF NOT EXISTS idx_notifications ON "dbos".notifications (destination_uuid, topic)$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 13: application_versions
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 13 THEN
    EXECUTE $dbos_sql$CREATE TABLE IF NOT EXISTS "dbos".application_versions (
  version_id text NOT NULL PRIMARY KEY,
  version_name text NOT NULL UNIQUE,
  version_timestamp bigint NOT NULL DEFAULT (EXTRACT(epoch FROM now()) * 1000)::bigint,
  created_at bigint NOT NULL DEFAULT (EXTRACT(epoch FROM now()) * 1000)::bigint
)$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 14: send_message function
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 14 THEN
    EXECUTE $dbos_sql$CREATE OR REPLACE FUNCTION "dbos".send_message(
  destination_id text,
  message json,
  topic text DEFAULT NULL,
  idempotency_key text DEFAULT NULL
) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  -- The idempotency key is the message id, so a repeated send inserts nothing.
  INSERT INTO "dbos".notifications (
    destination_uuid, topic, message, message_uuid, serialization
  ) VALUES (
    destination_id, COALESCE(topic, '__null__topic__'), message,
    COALESCE(idempotency_key, gen_random_uuid()::text), 'portable_json'
  )
  ON CONFLICT (message_uuid) DO NOTHING;
EXCEPTION
  WHEN foreign_key_violation THEN
    RAISE EXCEPTION 'DBOS non-existent workflow'
      USING ERRCODE = 'foreign_key_violation',
            DETAIL = format('Destination workflow %s does not exist', destination_id);
END;
$fn$$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 15: schedule backfill and time zone
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 15 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".workflow_schedules ADD COLUMN IF NOT EXISTS last_fired_at text$dbos_sql$;
    EXECUTE $dbos_sql$ALTER TABLE "dbos".workflow_schedules ADD COLUMN IF NOT EXISTS automatic_backfill boolean NOT NULL DEFAULT false$dbos_sql$;
    EXECUTE $dbos_sql$ALTER TABLE "dbos".workflow_schedules ADD COLUMN IF NOT EXISTS cron_timezone text$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 16: delayed workflows
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 16 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".workflow_status ADD COLUMN IF NOT EXISTS delay_until_epoch_ms bigint$dbos_sql$;
    EXECUTE $dbos_sql$CREATE INDEX IF NOT EXISTS idx_workflow_status_delayed ON "dbos".workflow_status (delay_until_epoch_ms) WHERE status = 'DELAYED'$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 17: workflow_schedules.queue_name
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 17 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".workflow_schedules ADD COLUMN IF NOT EXISTS queue_name text$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 18: workflow_status.was_forked_from
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 18 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".workflow_status ADD COLUMN IF NOT EXISTS was_forked_from boolean NOT NULL DEFAULT false$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 19: step completion index
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 19 THEN
    EXECUTE $dbos_sql$CREATE INDEX IF NOT EXISTS idx_operation_outputs_completed_at_function_name ON "dbos".operation_outputs (completed_at_epoch_ms, function_name)$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 20: pin the functions' search_path
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 20 THEN
    EXECUTE $dbos_sql$DO $do$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN
    SELECT p FROM unnest(ARRAY[
      to_regprocedure('"dbos".enqueue_workflow(text, text, json[], json, text,'
        || ' text, text, text, bigint, bigint, text, integer, text)'),
      to_regprocedure('"dbos".send_message(text, json, text, text)'),
      to_regprocedure('"dbos".notifications_function()'),
      to_regprocedure('"dbos".workflow_events_function()')
    ]) AS p
    WHERE p IS NOT NULL
  LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, pg_temp', f);
  END LOOP;
END
$do$$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 21: queues
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 21 THEN
    EXECUTE $dbos_sql$CREATE TABLE IF NOT EXISTS "dbos".queues (
  queue_id text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  name text NOT NULL UNIQUE,
  concurrency integer,
  worker_concurrency integer,
  rate_limit_max integer,
  rate_limit_period_sec double precision,
  priority_enabled boolean NOT NULL DEFAULT false,
  partition_queue boolean NOT NULL DEFAULT false,
  polling_interval_sec double precision NOT NULL DEFAULT 1.0,
  created_at bigint NOT NULL DEFAULT (EXTRACT(epoch FROM now()) * 1000)::bigint,
  updated_at bigint NOT NULL DEFAULT (EXTRACT(epoch FROM now()) * 1000)::bigint
)$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 22: drop the non-partial forked_from index
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 22 THEN
    EXECUTE $dbos_sql$DROP INDEX IF EXISTS "dbos".idx_workflow_status_forked_from$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 23: partial forked_from index
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 23 THEN
    EXECUTE $dbos_sql$CREATE INDEX IF NOT EXISTS idx_workflow_status_forked_from ON "dbos".workflow_status (forked_from) WHERE forked_from IS NOT NULL$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 24: drop the non-partial parent_workflow_id index
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 24 THEN
    EXECUTE $dbos_sql$DROP INDEX IF EXISTS "dbos".idx_workflow_status_parent_workflow_id$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 25: partial parent_workflow_id index
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 25 THEN
    EXECUTE $dbos_sql$CREATE INDEX IF NOT EXISTS idx_workflow_status_parent_workflow_id ON "dbos".workflow_status (parent_workflow_id) WHERE parent_workflow_id IS NOT NULL$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 26: drop the executor_id index
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 26 THEN
    EXECUTE $dbos_sql$DROP INDEX IF EXISTS "dbos".workflow_status_executor_id_index$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 27: partial unique deduplication index
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 27 THEN
    EXECUTE $dbos_sql$CREATE UNIQUE INDEX IF NOT EXISTS uq_workflow_status_dedup_id ON "dbos".workflow_status (queue_name, deduplication_id) WHERE deduplication_id IS NOT NULL$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 28: drop the non-partial deduplication constraint
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 28 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".workflow_status DROP CONSTRAINT IF EXISTS uq_workflow_status_queue_name_dedup_id$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 29: pending workflows index
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 29 THEN
    EXECUTE $dbos_sql$CREATE INDEX IF NOT EXISTS idx_workflow_status_pending ON "dbos".workflow_status (created_at) WHERE status = 'PENDING'$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 30: failed workflows index
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 30 THEN
    EXECUTE $dbos_sql$CREATE INDEX IF NOT EXISTS idx_workflow_status_failed ON "dbos".workflow_status (status, created_at) WHERE status IN ('ERROR', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED')$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 31: drop the status index
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 31 THEN
    EXECUTE $dbos_sql$DROP INDEX IF EXISTS "dbos".workflow_status_status_index$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 32: in-flight queue index
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 32 THEN
    EXECUTE $dbos_sql$CREATE INDEX IF NOT EXISTS idx_workflow_status_in_flight ON "dbos".workflow_status (queue_name, status, priority, created_at) WHERE status IN ('ENQUEUED', 'PENDING')$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 33: workflow_status.rate_limited
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 33 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".workflow_status ADD COLUMN IF NOT EXISTS rate_limited boolean NOT NULL DEFAULT false$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 34: rate-limited index
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 34 THEN
    EXECUTE $dbos_sql$CREATE INDEX IF NOT EXISTS idx_workflow_status_rate_limited ON "dbos".workflow_status (queue_name, started_at_epoch_ms) WHERE rate_limited = true$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 35: drop the queue-status-started index
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 35 THEN
    EXECUTE $dbos_sql$DROP INDEX IF EXISTS "dbos".idx_workflow_status_queue_status_started$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 36: workflow_status.completed_at
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 36 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".workflow_status ADD COLUMN IF NOT EXISTS completed_at bigint$dbos_sql$;
    EXECUTE $dbos_sql$CREATE INDEX IF NOT EXISTS idx_workflow_status_completed_at ON "dbos".workflow_status (completed_at) WHERE completed_at IS NOT NULL$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 37: started_at index
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 37 THEN
    EXECUTE $dbos_sql$CREATE INDEX IF NOT EXISTS idx_workflow_status_started_at ON "dbos".workflow_status (started_at_epoch_ms) WHERE started_at_epoch_ms IS NOT NULL$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 38: enqueue_workflow with user, roles and delay
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 38 THEN
    EXECUTE $dbos_sql$DROP FUNCTION IF EXISTS "dbos".enqueue_workflow(text, text, json[], json, text, text, text, text, bigint, bigint, text, integer, text)$dbos_sql$;
    EXECUTE $dbos_sql$CREATE OR REPLACE FUNCTION "dbos".enqueue_workflow(
  workflow_name text,
  queue_name text,
  positional_args json[] DEFAULT '{}'::json[],
  named_args json DEFAULT '{}'::json,
  class_name text DEFAULT NULL,
  config_name text DEFAULT NULL,
  workflow_id text DEFAULT NULL,
  app_version text DEFAULT NULL,
  timeout_ms bigint DEFAULT NULL,
  deadline_epoch_ms bigint DEFAULT NULL,
  deduplication_id text DEFAULT NULL,
  priority integer DEFAULT NULL,
  queue_partition_key text DEFAULT NULL,
  authenticated_user text DEFAULT NULL,
  authenticated_roles text DEFAULT NULL,
  delay_until_epoch_ms bigint DEFAULT NULL
) RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_id text;
  v_now bigint;
BEGIN
  -- The messages are shared with the DBOS SDKs' version of this function: clients match them.
  IF workflow_name IS NULL OR workflow_name = '' THEN
    RAISE EXCEPTION 'Workflow name cannot be null or empty';
  END IF;
  IF queue_name IS NULL OR queue_name = '' THEN
    RAISE EXCEPTION 'Queue name cannot be null or empty';
  END IF;
  IF named_args IS NOT NULL AND jsonb_typeof(named_args::jsonb) <> 'object' THEN
    RAISE EXCEPTION 'Named args must be a JSON object';
  END IF;
  IF workflow_id IS NOT NULL AND workflow_id = '' THEN
    RAISE EXCEPTION 'Workflow ID cannot be an empty string if provided.';
  END IF;
  IF delay_until_epoch_ms IS NOT NULL AND delay_until_epoch_ms < 0 THEN
    RAISE EXCEPTION 'delay_until_epoch_ms must be >= 0';
  END IF;

  v_id := COALESCE(workflow_id, gen_random_uuid()::text);
  v_now := (EXTRACT(epoch FROM now()) * 1000)::bigint;

  -- Enqueueing an existing id again is idempotent: it keeps the first row.
  INSERT INTO "dbos".workflow_status (
    workflow_uuid, status, inputs, name, class_name, config_name,
    queue_name, deduplication_id, priority, queue_partition_key, application_version,
    created_at, updated_at, recovery_attempts, workflow_timeout_ms,
    workflow_deadline_epoch_ms, parent_workflow_id, owner_xid, serialization,
    authenticated_user, authenticated_roles, delay_until_epoch_ms
  ) VALUES (
    v_id,
    CASE WHEN delay_until_epoch_ms IS NULL THEN 'ENQUEUED' ELSE 'DELAYED' END,
    json_build_object('positionalArgs', positional_args, 'namedArgs', named_args)::text,
    workflow_name, class_name, config_name,
    queue_name, deduplication_id, COALESCE(priority, 0), queue_partition_key, app_version,
    v_now, v_now, 0, timeout_ms,
    deadline_epoch_ms, NULL, gen_random_uuid()::text, 'portable_json',
    authenticated_user, authenticated_roles, delay_until_epoch_ms
  )
  ON CONFLICT (workflow_uuid) DO UPDATE SET updated_at = EXCLUDED.updated_at;

  RETURN v_id;
EXCEPTION
  -- Only the (queue_name, deduplication_id) unique index can still be violated here.
  WHEN unique_violation THEN
    RAISE EXCEPTION 'DBOS queue duplicated'
      USING ERRCODE = 'unique_violation',
            DETAIL = format(
              'Workflow %s with queue %s and deduplication ID %s already exists',
              v_id, queue_name, deduplication_id);
END;
$fn$$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 39: stream notifications
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 39 THEN
    EXECUTE $dbos_sql$CREATE OR REPLACE FUNCTION "dbos".streams_function() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  PERFORM pg_notify('dbos_streams_channel', NEW.workflow_uuid || '::' || NEW.key);
  RETURN NEW;
END;
$fn$$dbos_sql$;
    EXECUTE $dbos_sql$DROP TRIGGER IF EXISTS dbos_streams_trigger ON "dbos".streams$dbos_sql$;
    EXECUTE $dbos_sql$CREATE TRIGGER dbos_streams_trigger AFTER INSERT ON "dbos".streams FOR EACH ROW EXECUTE FUNCTION "dbos".streams_function()$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 40: workflow_status.attributes
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 40 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".workflow_status ADD COLUMN IF NOT EXISTS attributes jsonb$dbos_sql$;
    EXECUTE $dbos_sql$CREATE INDEX IF NOT EXISTS idx_workflow_status_attributes ON "dbos".workflow_status USING gin (attributes) WHERE attributes IS NOT NULL$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 41: workflow_status.schedule_name
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 41 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".workflow_status ADD COLUMN IF NOT EXISTS schedule_name text$dbos_sql$;
    EXECUTE $dbos_sql$CREATE INDEX IF NOT EXISTS idx_workflow_status_schedule_name ON "dbos".workflow_status (schedule_name) WHERE schedule_name IS NOT NULL$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 42: debouncing columns (and the messages index the SDKs made at 41)
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 42 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".workflow_status ADD COLUMN IF NOT EXISTS debounce_deadline_epoch_ms bigint DEFAULT NULL$dbos_sql$;
    EXECUTE $dbos_sql$ALTER TABLE "dbos".workflow_status ADD COLUMN IF NOT EXISTS is_debounced boolean NOT NULL DEFAULT false$dbos_sql$;
    EXECUTE $dbos_sql$CREATE INDEX IF NOT EXISTS idx_workflow_topic ON "dbos".notifications (destination_uuid, topic)$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 43: drop the streams notify trigger
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 43 THEN
    EXECUTE $dbos_sql$DROP TRIGGER IF EXISTS dbos_streams_trigger ON "dbos".streams$dbos_sql$;
    EXECUTE $dbos_sql$DROP FUNCTION IF EXISTS "dbos".streams_function()$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 44: drop the workflow events notify trigger
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 44 THEN
    EXECUTE $dbos_sql$DROP TRIGGER IF EXISTS dbos_workflow_events_trigger ON "dbos".workflow_events$dbos_sql$;
    EXECUTE $dbos_sql$DROP FUNCTION IF EXISTS "dbos".workflow_events_function()$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 45: partition dequeue index
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 45 THEN
    EXECUTE $dbos_sql$CREATE INDEX IF NOT EXISTS idx_workflow_status_partition_dequeue ON "dbos".workflow_status (queue_name, status, queue_partition_key, priority, created_at) WHERE status IN ('ENQUEUED', 'PENDING') AND queue_partition_key IS NOT NULL$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 46: partition dequeue index ordered by workflow id too
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 46 THEN
    EXECUTE $dbos_sql$CREATE INDEX IF NOT EXISTS idx_workflow_status_partition_dequeue_v2 ON "dbos".workflow_status (queue_name, status, queue_partition_key, priority, created_at, workflow_uuid) WHERE status IN ('ENQUEUED', 'PENDING') AND queue_partition_key IS NOT NULL$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 47: drop the first partition dequeue index
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 47 THEN
    EXECUTE $dbos_sql$DROP INDEX IF EXISTS "dbos".idx_workflow_status_partition_dequeue$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 100: workflow_status.application_name
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 100 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".workflow_status ADD COLUMN IF NOT EXISTS application_name text DEFAULT NULL$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 101: queues.application_name
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 101 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".queues ADD COLUMN IF NOT EXISTS application_name text DEFAULT NULL$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 102: workflow_schedules.application_name
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 102 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".workflow_schedules ADD COLUMN IF NOT EXISTS application_name text DEFAULT NULL$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 103: application_versions.application_name
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 103 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".application_versions ADD COLUMN IF NOT EXISTS application_name text DEFAULT NULL$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 104: operation_outputs.application_name
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 104 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".operation_outputs ADD COLUMN IF NOT EXISTS application_name text DEFAULT NULL$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 105: enqueue_workflow with application_name
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 105 THEN
    EXECUTE $dbos_sql$DROP FUNCTION IF EXISTS "dbos".enqueue_workflow(text, text, json[], json, text, text, text, text, bigint, bigint, text, integer, text, text, text, bigint)$dbos_sql$;
    EXECUTE $dbos_sql$CREATE OR REPLACE FUNCTION "dbos".enqueue_workflow(
  workflow_name text,
  queue_name text,
  positional_args json[] DEFAULT '{}'::json[],
  named_args json DEFAULT '{}'::json,
  class_name text DEFAULT NULL,
  config_name text DEFAULT NULL,
  workflow_id text DEFAULT NULL,
  app_version text DEFAULT NULL,
  timeout_ms bigint DEFAULT NULL,
  deadline_epoch_ms bigint DEFAULT NULL,
  deduplication_id text DEFAULT NULL,
  priority integer DEFAULT NULL,
  queue_partition_key text DEFAULT NULL,
  authenticated_user text DEFAULT NULL,
  authenticated_roles text DEFAULT NULL,
  delay_until_epoch_ms bigint DEFAULT NULL,
  application_name text DEFAULT NULL
) RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_id text;
  v_now bigint;
BEGIN
  -- The messages are shared with the DBOS SDKs' version of this function: clients match them.
  IF workflow_name IS NULL OR workflow_name = '' THEN
    RAISE EXCEPTION 'Workflow name cannot be null or empty';
  END IF;
  IF queue_name IS NULL OR queue_name = '' THEN
    RAISE EXCEPTION 'Queue name cannot be null or empty';
  END IF;
  IF named_args IS NOT NULL AND jsonb_typeof(named_args::jsonb) <> 'object' THEN
    RAISE EXCEPTION 'Named args must be a JSON object';
  END IF;
  IF workflow_id IS NOT NULL AND workflow_id = '' THEN
    RAISE EXCEPTION 'Workflow ID cannot be an empty string if provided.';
  END IF;
  IF delay_until_epoch_ms IS NOT NULL AND delay_until_epoch_ms < 0 THEN
    RAISE EXCEPTION 'delay_until_epoch_ms must be >= 0';
  END IF;

  v_id := COALESCE(workflow_id, gen_random_uuid()::text);
  v_now := (EXTRACT(epoch FROM now()) * 1000)::bigint;

  -- Enqueueing an existing id again is idempotent: it keeps the first row.
  INSERT INTO "dbos".workflow_status (
    workflow_uuid, status, inputs, name, class_name, config_name,
    queue_name, deduplication_id, priority, queue_partition_key, application_version,
    created_at, updated_at, recovery_attempts, workflow_timeout_ms,
    workflow_deadline_epoch_ms, parent_workflow_id, owner_xid, serialization,
    authenticated_user, authenticated_roles, delay_until_epoch_ms, application_name
  ) VALUES (
    v_id,
    CASE WHEN delay_until_epoch_ms IS NULL THEN 'ENQUEUED' ELSE 'DELAYED' END,
    json_build_object('positionalArgs', positional_args, 'namedArgs', named_args)::text,
    workflow_name, class_name, config_name,
    queue_name, deduplication_id, COALESCE(priority, 0), queue_partition_key, app_version,
    v_now, v_now, 0, timeout_ms,
    deadline_epoch_ms, NULL, gen_random_uuid()::text, 'portable_json',
    authenticated_user, authenticated_roles, delay_until_epoch_ms, application_name
  )
  ON CONFLICT (workflow_uuid) DO UPDATE SET updated_at = EXCLUDED.updated_at;
  
  RETURN v_id;
EXCEPTION
  -- Only the (queue_name, deduplication_id) unique index can still be violated here.
  WHEN unique_violation THEN
    RAISE EXCEPTION 'DBOS queue duplicated'
      USING ERRCODE = 'unique_violation',
            DETAIL = format(
              'Workflow %s with queue %s and deduplication ID %s already exists',
              v_id, queue_name, deduplication_id);
END;
$fn$$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 106: application version names unique per application
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 106 THEN
    EXECUTE $dbos_sql$CREATE UNIQUE INDEX IF NOT EXISTS uq_application_versions_owner_version ON "dbos".application_versions (application_name, version_name) WHERE application_name IS NOT NULL$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 107: unclaimed application version names unique
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 107 THEN
    EXECUTE $dbos_sql$CREATE UNIQUE INDEX IF NOT EXISTS uq_application_versions_unclaimed_version ON "dbos".application_versions (version_name) WHERE application_name IS NULL$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 108: per-partition queue limits
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 108 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".queues ADD COLUMN IF NOT EXISTS partition_concurrency integer DEFAULT NULL$dbos_sql$;
    EXECUTE $dbos_sql$ALTER TABLE "dbos".queues ADD COLUMN IF NOT EXISTS partition_worker_concurrency integer DEFAULT NULL$dbos_sql$;
    EXECUTE $dbos_sql$ALTER TABLE "dbos".queues ADD COLUMN IF NOT EXISTS partition_rate_limit_max integer DEFAULT NULL$dbos_sql$;
    EXECUTE $dbos_sql$ALTER TABLE "dbos".queues ADD COLUMN IF NOT EXISTS partition_rate_limit_period_sec double precision DEFAULT NULL$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 109: workflow_input and workflow_output
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 109 THEN
    EXECUTE $dbos_sql$CREATE TABLE IF NOT EXISTS "dbos".workflow_input (
  workflow_uuid text NOT NULL PRIMARY KEY,
  inputs text,
  retention_timestamp bigint NOT NULL DEFAULT (EXTRACT(epoch FROM now()) * 1000)::bigint
)$dbos_sql$;
    EXECUTE $dbos_sql$CREATE TABLE IF NOT EXISTS "dbos".workflow_output (
  workflow_uuid text NOT NULL PRIMARY KEY,
  output text,
  error text,
  retention_timestamp bigint NOT NULL DEFAULT (EXTRACT(epoch FROM now()) * 1000)::bigint
)$dbos_sql$;
    EXECUTE $dbos_sql$CREATE INDEX IF NOT EXISTS idx_workflow_input_retention ON "dbos".workflow_input (retention_timestamp)$dbos_sql$;
    EXECUTE $dbos_sql$CREATE INDEX IF NOT EXISTS idx_workflow_output_retention ON "dbos".workflow_output (retention_timestamp)$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 110: operation_outputs.retention_timestamp
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 110 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".operation_outputs ADD COLUMN IF NOT EXISTS retention_timestamp bigint NOT NULL DEFAULT (EXTRACT(epoch FROM now()) * 1000)::bigint$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 111: operation_outputs retention index
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 111 THEN
    EXECUTE $dbos_sql$CREATE INDEX IF NOT EXISTS idx_operation_outputs_retention ON "dbos".operation_outputs (retention_timestamp)$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 112: drop the operation_outputs foreign key
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 112 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".operation_outputs DROP CONSTRAINT IF EXISTS operation_outputs_workflow_uuid_foreign$dbos_sql$;
    EXECUTE $dbos_sql$ALTER TABLE "dbos".operation_outputs DROP CONSTRAINT IF EXISTS operation_outputs_workflow_uuid_fkey$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 113: enqueue_workflow writes the inputs to workflow_input
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 113 THEN
    EXECUTE $dbos_sql$CREATE OR REPLACE FUNCTION "dbos".enqueue_workflow(
  workflow_name text,
  queue_name text,
  positional_args json[] DEFAULT '{}'::json[],
  named_args json DEFAULT '{}'::json,
  class_name text DEFAULT NULL,
  config_name text DEFAULT NULL,
  workflow_id text DEFAULT NULL,
  app_version text DEFAULT NULL,
  timeout_ms bigint DEFAULT NULL,
  deadline_epoch_ms bigint DEFAULT NULL,
  deduplication_id text DEFAULT NULL,
  priority integer DEFAULT NULL,
  queue_partition_key text DEFAULT NULL,
  authenticated_user text DEFAULT NULL,
  authenticated_roles text DEFAULT NULL,
  delay_until_epoch_ms bigint DEFAULT NULL,
  application_name text DEFAULT NULL
) RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_id text;
  v_now bigint;
BEGIN
  -- The messages are shared with the DBOS SDKs' version of this function: clients match them.
  IF workflow_name IS NULL OR workflow_name = '' THEN
    RAISE EXCEPTION 'Workflow name cannot be null or empty';
  END IF;
  IF queue_name IS NULL OR queue_name = '' THEN
    RAISE EXCEPTION 'Queue name cannot be null or empty';
  END IF;
  IF named_args IS NOT NULL AND jsonb_typeof(named_args::jsonb) <> 'object' THEN
    RAISE EXCEPTION 'Named args must be a JSON object';
  END IF;
  IF workflow_id IS NOT NULL AND workflow_id = '' THEN
    RAISE EXCEPTION 'Workflow ID cannot be an empty string if provided.';
  END IF;
  IF delay_until_epoch_ms IS NOT NULL AND delay_until_epoch_ms < 0 THEN
    RAISE EXCEPTION 'delay_until_epoch_ms must be >= 0';
  END IF;

  v_id := COALESCE(workflow_id, gen_random_uuid()::text);
  v_now := (EXTRACT(epoch FROM now()) * 1000)::bigint;

  -- Enqueueing an existing id again is idempotent: it keeps the first row.
  INSERT INTO "dbos".workflow_status (
    workflow_uuid, status, inputs, name, class_name, config_name,
    queue_name, deduplication_id, priority, queue_partition_key, application_version,
    created_at, updated_at, recovery_attempts, workflow_timeout_ms,
    workflow_deadline_epoch_ms, parent_workflow_id, owner_xid, serialization,
    authenticated_user, authenticated_roles, delay_until_epoch_ms, application_name
  ) VALUES (
    v_id,
    CASE WHEN delay_until_epoch_ms IS NULL THEN 'ENQUEUED' ELSE 'DELAYED' END,
    NULL,
    workflow_name, class_name, config_name,
    queue_name, deduplication_id, COALESCE(priority, 0), queue_partition_key, app_version,
    v_now, v_now, 0, timeout_ms,
    deadline_epoch_ms, NULL, gen_random_uuid()::text, 'portable_json',
    authenticated_user, authenticated_roles, delay_until_epoch_ms, application_name
  )
  ON CONFLICT (workflow_uuid) DO UPDATE SET updated_at = EXCLUDED.updated_at;
  INSERT INTO "dbos".workflow_input (workflow_uuid, inputs, retention_timestamp)
VALUES (
  v_id,
  json_build_object('positionalArgs', positional_args, 'namedArgs', named_args)::text,
  v_now)
ON CONFLICT (workflow_uuid) DO NOTHING;

  RETURN v_id;
EXCEPTION
  -- Only the (queue_name, deduplication_id) unique index can still be violated here.
  WHEN unique_violation THEN
    RAISE EXCEPTION 'DBOS queue duplicated'
      USING ERRCODE = 'unique_violation',
            DETAIL = format(
              'Workflow %s with queue %s and deduplication ID %s already exists',
              v_id, queue_name, deduplication_id);
END;
$fn$$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 114: drop idx_notifications (idx_workflow_topic is the same)
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 114 THEN
    EXECUTE $dbos_sql$DROP INDEX IF EXISTS "dbos".idx_notifications$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 115: in-flight index including application_name
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 115 THEN
    EXECUTE $dbos_sql$CREATE INDEX IF NOT EXISTS idx_workflow_status_in_flight_v2 ON "dbos".workflow_status (queue_name, status, priority, created_at) INCLUDE (application_name) WHERE status IN ('ENQUEUED', 'PENDING')$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 116: drop the first in-flight index
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 116 THEN
    EXECUTE $dbos_sql$DROP INDEX IF EXISTS "dbos".idx_workflow_status_in_flight$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 117: partition dequeue index including application_name
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 117 THEN
    EXECUTE $dbos_sql$CREATE INDEX IF NOT EXISTS idx_workflow_status_partition_dequeue_v3 ON "dbos".workflow_status (queue_name, status, queue_partition_key, priority, created_at, workflow_uuid) INCLUDE (application_name) WHERE status IN ('ENQUEUED', 'PENDING') AND queue_partition_key IS NOT NULL$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 118: drop the second partition dequeue index
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 118 THEN
    EXECUTE $dbos_sql$DROP INDEX IF EXISTS "dbos".idx_workflow_status_partition_dequeue_v2$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 119: step completion index including application_name
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 119 THEN
    EXECUTE $dbos_sql$CREATE INDEX IF NOT EXISTS idx_operation_outputs_completed_at_function_name_v2 ON "dbos".operation_outputs (completed_at_epoch_ms, function_name) INCLUDE (application_name)$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 120: drop the first step completion index
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 120 THEN
    EXECUTE $dbos_sql$DROP INDEX IF EXISTS "dbos".idx_operation_outputs_completed_at_function_name$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 121: notifications.consumed_by_function_id
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 121 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".notifications ADD COLUMN IF NOT EXISTS consumed_by_function_id integer$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 122: deadline index of active workflows
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 122 THEN
    EXECUTE $dbos_sql$CREATE INDEX IF NOT EXISTS idx_workflow_status_deadline ON "dbos".workflow_status (workflow_deadline_epoch_ms) WHERE status IN ('ENQUEUED', 'PENDING', 'DELAYED') AND workflow_deadline_epoch_ms IS NOT NULL$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- Migration 123: workflow_status.creator_xid
DO $dbos_migration$
BEGIN
  IF (SELECT coalesce(max(version), 0) FROM "dbos".dbos_migrations) < 123 THEN
    EXECUTE $dbos_sql$ALTER TABLE "dbos".workflow_status ADD COLUMN IF NOT EXISTS creator_xid text DEFAULT NULL$dbos_sql$;
  END IF;
END
$dbos_migration$;

-- The single row the DBOS SDKs keep: the number of the last migration applied.
UPDATE "dbos".dbos_migrations SET version = 123 WHERE version < 123;
INSERT INTO "dbos".dbos_migrations (version) SELECT 123 WHERE NOT EXISTS (SELECT 1 FROM "dbos".dbos_migrations);

-- This library's own tables, under names no DBOS SDK uses.
-- server leases
CREATE TABLE IF NOT EXISTS "dbos".dbosee_executors (application_name TEXT NOT NULL DEFAULT '', executor_id TEXT NOT NULL, application_version TEXT NOT NULL, started_at_epoch_ms BIGINT NOT NULL, renewed_at_epoch_ms BIGINT NOT NULL, lease_until_epoch_ms BIGINT NOT NULL, PRIMARY KEY (application_name, executor_id));
-- server leases: an older version's shape upgraded
DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = '"dbos".dbosee_executors'::regclass AND attname = 'application_name' AND NOT attisdropped) THEN ALTER TABLE "dbos".dbosee_executors ADD COLUMN application_name TEXT NOT NULL DEFAULT ''; ALTER TABLE "dbos".dbosee_executors DROP CONSTRAINT dbosee_executors_pkey; ALTER TABLE "dbos".dbosee_executors ADD PRIMARY KEY (application_name, executor_id); END IF; END $$;
-- trace contexts
CREATE TABLE IF NOT EXISTS "dbos".dbosee_trace_contexts (workflow_uuid TEXT PRIMARY KEY, context TEXT NOT NULL, created_at_epoch_ms BIGINT NOT NULL DEFAULT (extract(epoch from now()) * 1000)::bigint);

COMMIT;
