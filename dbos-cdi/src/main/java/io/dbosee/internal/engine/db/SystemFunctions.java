package io.dbosee.internal.engine.db;

/**
 * The SQL functions of the system database, as the DBOS SDKs define them, so that any language (or
 * plain SQL) can enqueue a workflow or send a message: the statements that create each version,
 * written with the {@value SystemSchemaMigrations#SCHEMA} placeholder. The migrations create them.
 */
final class SystemFunctions {
  private SystemFunctions() {}

  /**
   * {@code enqueue_workflow} with 16 arguments (migration 38): enqueues a portable_json workflow
   * from plain SQL, its inputs in {@code workflow_status.inputs}.
   */
  static final String ENQUEUE_WORKFLOW_16 =
      """
      CREATE OR REPLACE FUNCTION ${schema}.enqueue_workflow(
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
        INSERT INTO ${schema}.workflow_status (
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
      $fn$""";

  /** {@code send_message} (migration 14): sends a portable_json message from plain SQL. */
  static final String SEND_MESSAGE =
      """
      CREATE OR REPLACE FUNCTION ${schema}.send_message(
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
        INSERT INTO ${schema}.notifications (
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
      $fn$""";

  /**
   * {@code enqueue_workflow} with 17 arguments (the 16 and {@code application_name}): migration 105
   * creates it writing the inputs to {@code workflow_status.inputs}; migration 113 replaces it,
   * same arguments, writing them to {@code workflow_input}.
   */
  static String enqueueWorkflow17(boolean inputsInTheirOwnTable) {
    String row =
        inputsInTheirOwnTable
            ? "NULL"
            : "json_build_object('positionalArgs', positional_args, 'namedArgs', named_args)::text";
    String inputRow =
        inputsInTheirOwnTable
            ? """
              INSERT INTO ${schema}.workflow_input (workflow_uuid, inputs, retention_timestamp)
              VALUES (
                v_id,
                json_build_object('positionalArgs', positional_args, 'namedArgs', named_args)::text,
                v_now)
              ON CONFLICT (workflow_uuid) DO NOTHING;
              """
            : "";
    return """
        CREATE OR REPLACE FUNCTION ${schema}.enqueue_workflow(
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
          INSERT INTO ${schema}.workflow_status (
            workflow_uuid, status, inputs, name, class_name, config_name,
            queue_name, deduplication_id, priority, queue_partition_key, application_version,
            created_at, updated_at, recovery_attempts, workflow_timeout_ms,
            workflow_deadline_epoch_ms, parent_workflow_id, owner_xid, serialization,
            authenticated_user, authenticated_roles, delay_until_epoch_ms, application_name
          ) VALUES (
            v_id,
            CASE WHEN delay_until_epoch_ms IS NULL THEN 'ENQUEUED' ELSE 'DELAYED' END,
            %s,
            workflow_name, class_name, config_name,
            queue_name, deduplication_id, COALESCE(priority, 0), queue_partition_key, app_version,
            v_now, v_now, 0, timeout_ms,
            deadline_epoch_ms, NULL, gen_random_uuid()::text, 'portable_json',
            authenticated_user, authenticated_roles, delay_until_epoch_ms, application_name
          )
          ON CONFLICT (workflow_uuid) DO UPDATE SET updated_at = EXCLUDED.updated_at;
          %s
          RETURN v_id;
        EXCEPTION
          -- Only the (queue_name, deduplication_id) unique index can still be violated here.
          WHEN unique_violation THEN
            RAISE EXCEPTION 'DBOS queue duplicated'
              USING ERRCODE = 'unique_violation',
                    DETAIL = format(
                      'Workflow %%s with queue %%s and deduplication ID %%s already exists',
                      v_id, queue_name, deduplication_id);
        END;
        $fn$"""
        .formatted(row, inputRow);
  }
}
