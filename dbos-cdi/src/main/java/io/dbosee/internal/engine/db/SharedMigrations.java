package io.dbosee.internal.engine.db;

import static io.dbosee.internal.engine.db.SystemSchemaMigrations.NOW_MS;
import static io.dbosee.internal.engine.db.SystemSchemaMigrations.m;

import io.dbosee.internal.engine.db.SystemSchemaMigrations.Migration;
import java.util.List;

/**
 * The migrations from 100 on, which every DBOS SDK defines identically at the same number, so that
 * applications in different languages share one system database. The SDKs build their new indexes
 * {@code CONCURRENTLY}; here every migration runs in the runner's one transaction, so they are
 * built plainly (same names, same definitions).
 */
final class SharedMigrations {
  private SharedMigrations() {}

  private static final String ENQUEUE_WORKFLOW_16_ARGUMENTS =
      "text, text, json[], json, text, text, text, text, bigint, bigint, text, integer, text, text,"
          + " text, bigint";

  /** Migrations 100 to 123, in order. */
  static final List<Migration> ALL =
      List.of(
          // NULL: unclaimed, any application may read and claim the row.
          m(
              100,
              "workflow_status.application_name",
              "ALTER TABLE ${schema}.workflow_status"
                  + " ADD COLUMN IF NOT EXISTS application_name text DEFAULT NULL"),
          m(
              101,
              "queues.application_name",
              "ALTER TABLE ${schema}.queues ADD COLUMN IF NOT EXISTS application_name text"
                  + " DEFAULT NULL"),
          m(
              102,
              "workflow_schedules.application_name",
              "ALTER TABLE ${schema}.workflow_schedules"
                  + " ADD COLUMN IF NOT EXISTS application_name text DEFAULT NULL"),
          m(
              103,
              "application_versions.application_name",
              "ALTER TABLE ${schema}.application_versions"
                  + " ADD COLUMN IF NOT EXISTS application_name text DEFAULT NULL"),
          m(
              104,
              "operation_outputs.application_name",
              "ALTER TABLE ${schema}.operation_outputs"
                  + " ADD COLUMN IF NOT EXISTS application_name text DEFAULT NULL"),
          m(
              105,
              "enqueue_workflow with application_name",
              "DROP FUNCTION IF EXISTS ${schema}.enqueue_workflow("
                  + ENQUEUE_WORKFLOW_16_ARGUMENTS
                  + ")",
              SystemFunctions.enqueueWorkflow17(false)),
          m(
              106,
              "application version names unique per application",
              "CREATE UNIQUE INDEX IF NOT EXISTS uq_application_versions_owner_version"
                  + " ON ${schema}.application_versions (application_name, version_name)"
                  + " WHERE application_name IS NOT NULL"),
          m(
              107,
              "unclaimed application version names unique",
              "CREATE UNIQUE INDEX IF NOT EXISTS uq_application_versions_unclaimed_version"
                  + " ON ${schema}.application_versions (version_name)"
                  + " WHERE application_name IS NULL"),
          m(
              108,
              "per-partition queue limits",
              "ALTER TABLE ${schema}.queues"
                  + " ADD COLUMN IF NOT EXISTS partition_concurrency integer DEFAULT NULL",
              "ALTER TABLE ${schema}.queues"
                  + " ADD COLUMN IF NOT EXISTS partition_worker_concurrency integer DEFAULT NULL",
              "ALTER TABLE ${schema}.queues"
                  + " ADD COLUMN IF NOT EXISTS partition_rate_limit_max integer DEFAULT NULL",
              "ALTER TABLE ${schema}.queues ADD COLUMN IF NOT EXISTS"
                  + " partition_rate_limit_period_sec double precision DEFAULT NULL"),
          // No foreign key: payload rows outlive their status row until retention sweeps them.
          m(
              109,
              "workflow_input and workflow_output",
              """
              CREATE TABLE IF NOT EXISTS ${schema}.workflow_input (
                workflow_uuid text NOT NULL PRIMARY KEY,
                inputs text,
                retention_timestamp bigint NOT NULL DEFAULT %s
              )"""
                  .formatted(NOW_MS),
              """
              CREATE TABLE IF NOT EXISTS ${schema}.workflow_output (
                workflow_uuid text NOT NULL PRIMARY KEY,
                output text,
                error text,
                retention_timestamp bigint NOT NULL DEFAULT %s
              )"""
                  .formatted(NOW_MS),
              "CREATE INDEX IF NOT EXISTS idx_workflow_input_retention"
                  + " ON ${schema}.workflow_input (retention_timestamp)",
              "CREATE INDEX IF NOT EXISTS idx_workflow_output_retention"
                  + " ON ${schema}.workflow_output (retention_timestamp)"),
          m(
              110,
              "operation_outputs.retention_timestamp",
              "ALTER TABLE ${schema}.operation_outputs ADD COLUMN IF NOT EXISTS"
                  + " retention_timestamp bigint NOT NULL DEFAULT "
                  + NOW_MS),
          m(
              111,
              "operation_outputs retention index",
              "CREATE INDEX IF NOT EXISTS idx_operation_outputs_retention"
                  + " ON ${schema}.operation_outputs (retention_timestamp)"),
          // Both names: one SDK made the constraint under its own name, the others (and this
          // library) under PostgreSQL's default.
          m(
              112,
              "drop the operation_outputs foreign key",
              "ALTER TABLE ${schema}.operation_outputs"
                  + " DROP CONSTRAINT IF EXISTS operation_outputs_workflow_uuid_foreign",
              "ALTER TABLE ${schema}.operation_outputs"
                  + " DROP CONSTRAINT IF EXISTS operation_outputs_workflow_uuid_fkey"),
          m(
              113,
              "enqueue_workflow writes the inputs to workflow_input",
              SystemFunctions.enqueueWorkflow17(true)),
          m(
              114,
              "drop idx_notifications (idx_workflow_topic is the same)",
              "DROP INDEX IF EXISTS ${schema}.idx_notifications"),
          m(
              115,
              "in-flight index including application_name",
              "CREATE INDEX IF NOT EXISTS idx_workflow_status_in_flight_v2"
                  + " ON ${schema}.workflow_status (queue_name, status, priority, created_at)"
                  + " INCLUDE (application_name) WHERE status IN ('ENQUEUED', 'PENDING')"),
          m(
              116,
              "drop the first in-flight index",
              "DROP INDEX IF EXISTS ${schema}.idx_workflow_status_in_flight"),
          m(
              117,
              "partition dequeue index including application_name",
              "CREATE INDEX IF NOT EXISTS idx_workflow_status_partition_dequeue_v3"
                  + " ON ${schema}.workflow_status"
                  + " (queue_name, status, queue_partition_key, priority, created_at, workflow_uuid)"
                  + " INCLUDE (application_name)"
                  + " WHERE status IN ('ENQUEUED', 'PENDING') AND queue_partition_key IS NOT NULL"),
          m(
              118,
              "drop the second partition dequeue index",
              "DROP INDEX IF EXISTS ${schema}.idx_workflow_status_partition_dequeue_v2"),
          m(
              119,
              "step completion index including application_name",
              "CREATE INDEX IF NOT EXISTS idx_operation_outputs_completed_at_function_name_v2"
                  + " ON ${schema}.operation_outputs (completed_at_epoch_ms, function_name)"
                  + " INCLUDE (application_name)"),
          m(
              120,
              "drop the first step completion index",
              "DROP INDEX IF EXISTS ${schema}.idx_operation_outputs_completed_at_function_name"),
          m(
              121,
              "notifications.consumed_by_function_id",
              "ALTER TABLE ${schema}.notifications"
                  + " ADD COLUMN IF NOT EXISTS consumed_by_function_id integer"),
          m(
              122,
              "deadline index of active workflows",
              "CREATE INDEX IF NOT EXISTS idx_workflow_status_deadline"
                  + " ON ${schema}.workflow_status (workflow_deadline_epoch_ms)"
                  + " WHERE status IN ('ENQUEUED', 'PENDING', 'DELAYED')"
                  + " AND workflow_deadline_epoch_ms IS NOT NULL"),
          m(
              123,
              "workflow_status.creator_xid",
              "ALTER TABLE ${schema}.workflow_status"
                  + " ADD COLUMN IF NOT EXISTS creator_xid text DEFAULT NULL"));
}
