package io.dbosee.internal.engine.db;

import io.dbosee.DBOSSystemDatabaseException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Creates or migrates the system database schema to the shape the DBOS SDKs share at their
 * migration 41, so that DBOS clients and tools of every language can read and drive it.
 *
 * <p>Safe to run twice and from several servers at once: the whole migration is one transaction
 * under an advisory lock keyed by the schema, and a schema already at 41 (or newer, written by a
 * newer SDK) is left alone. Older shapes converge: tables are created if missing and missing
 * columns added.
 */
public final class SystemSchema {
  /** The DBOS migration number this shape corresponds to. */
  public static final int VERSION = 41;

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
  private static final String NOW_MS = "(EXTRACT(epoch FROM now()) * 1000)::bigint";

  private SystemSchema() {}

  /** Brings {@code schema} to the current shape; returns the version found before. */
  public static long migrate(DataSource dataSource, String schema) {
    requireIdentifier(schema);
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(hashtext('dbos-migrations:' || '" + schema + "'))");
        s.execute("CREATE SCHEMA IF NOT EXISTS \"" + schema + "\"");
        s.execute(
            "CREATE TABLE IF NOT EXISTS \""
                + schema
                + "\".dbos_migrations (version bigint NOT NULL PRIMARY KEY)");
        long current = 0;
        try (ResultSet rs =
            s.executeQuery("SELECT max(version) FROM \"" + schema + "\".dbos_migrations")) {
          if (rs.next()) {
            current = rs.getLong(1);
          }
        }
        if (current < VERSION) {
          for (String statement : statements(schema)) {
            s.execute(statement);
          }
          s.execute("DELETE FROM \"" + schema + "\".dbos_migrations");
          s.execute(
              "INSERT INTO \"" + schema + "\".dbos_migrations (version) VALUES (" + VERSION + ")");
        }
        c.commit();
        return current;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw new DBOSSystemDatabaseException(
          "Could not create or migrate the system database schema '"
              + schema
              + "' to DBOS migration "
              + VERSION
              + ": "
              + e.getMessage()
              + " [SQLSTATE "
              + e.getSQLState()
              + "]. Check that the database is reachable and that its user may create schemas,"
              + " tables and functions.",
          e);
    }
  }

  static void requireIdentifier(String schema) {
    if (schema == null || !IDENTIFIER.matcher(schema).matches()) {
      throw new IllegalArgumentException(
          "The system database schema name '"
              + schema
              + "' is not a plain SQL identifier: use letters, digits and underscores, not"
              + " starting with a digit, at most 63 characters.");
    }
  }

  /** The DDL, in order; every statement is idempotent. */
  static List<String> statements(String schema) {
    String s = "\"" + schema + "\"";
    List<String> ddl = new ArrayList<>();

    table(
        ddl,
        s + ".workflow_status",
        "workflow_uuid text NOT NULL PRIMARY KEY",
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
        "class_name varchar(255)",
        "config_name varchar(255)",
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
        "schedule_name text");
    String ws = s + ".workflow_status";
    ddl.add(
        "CREATE INDEX IF NOT EXISTS workflow_status_created_at_index ON " + ws + " (created_at)");
    ddl.add(
        "CREATE INDEX IF NOT EXISTS workflow_status_queue_status_priority_index ON "
            + ws
            + " (queue_name, status, priority, created_at) WHERE status IN ('ENQUEUED', 'PENDING')");
    ddl.add(
        "CREATE INDEX IF NOT EXISTS workflow_status_pending_index ON "
            + ws
            + " (created_at) WHERE status = 'PENDING'");
    ddl.add(
        "CREATE INDEX IF NOT EXISTS workflow_status_finished_index ON "
            + ws
            + " (status, created_at) WHERE status IN ('ERROR', 'CANCELLED',"
            + " 'MAX_RECOVERY_ATTEMPTS_EXCEEDED')");
    ddl.add(
        "CREATE INDEX IF NOT EXISTS workflow_status_rate_limited_index ON "
            + ws
            + " (queue_name, started_at_epoch_ms) WHERE rate_limited");
    ddl.add(
        "CREATE INDEX IF NOT EXISTS workflow_status_delayed_index ON "
            + ws
            + " (delay_until_epoch_ms) WHERE status = 'DELAYED'");
    for (String column :
        List.of(
            "started_at_epoch_ms",
            "completed_at",
            "forked_from",
            "parent_workflow_id",
            "schedule_name")) {
      ddl.add(
          "CREATE INDEX IF NOT EXISTS workflow_status_"
              + column
              + "_index ON "
              + ws
              + " ("
              + column
              + ") WHERE "
              + column
              + " IS NOT NULL");
    }
    ddl.add(
        "CREATE INDEX IF NOT EXISTS workflow_status_attributes_index ON "
            + ws
            + " USING gin (attributes) WHERE attributes IS NOT NULL");
    ddl.add(
        "CREATE UNIQUE INDEX IF NOT EXISTS uq_workflow_status_queue_name_dedup_id ON "
            + ws
            + " (queue_name, deduplication_id) WHERE deduplication_id IS NOT NULL");

    String cascade = " REFERENCES " + ws + " (workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE";
    table(
        ddl,
        s + ".operation_outputs",
        "workflow_uuid text NOT NULL" + cascade,
        "function_id integer NOT NULL",
        "function_name text NOT NULL DEFAULT ''",
        "output text",
        "error text",
        "child_workflow_id text",
        "started_at_epoch_ms bigint",
        "completed_at_epoch_ms bigint",
        "serialization text",
        "PRIMARY KEY (workflow_uuid, function_id)");
    ddl.add(
        "CREATE INDEX IF NOT EXISTS operation_outputs_completed_at_function_name_index ON "
            + s
            + ".operation_outputs (completed_at_epoch_ms, function_name)");

    table(
        ddl,
        s + ".notifications",
        "message_uuid text NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY",
        "destination_uuid text NOT NULL" + cascade,
        "topic text",
        "message text NOT NULL",
        "created_at_epoch_ms bigint NOT NULL DEFAULT " + NOW_MS,
        "serialization text",
        "consumed boolean NOT NULL DEFAULT false");
    ddl.add(
        "CREATE INDEX IF NOT EXISTS notifications_destination_topic_index ON "
            + s
            + ".notifications (destination_uuid, topic)");
    notifyTrigger(
        ddl,
        s,
        "notifications",
        "dbos_notifications_channel",
        "NEW.destination_uuid || '::' || NEW.topic");

    table(
        ddl,
        s + ".workflow_events",
        "workflow_uuid text NOT NULL" + cascade,
        "key text NOT NULL",
        "value text NOT NULL",
        "serialization text",
        "PRIMARY KEY (workflow_uuid, key)");
    notifyTrigger(
        ddl,
        s,
        "workflow_events",
        "dbos_workflow_events_channel",
        "NEW.workflow_uuid || '::' || NEW.key");

    table(
        ddl,
        s + ".workflow_events_history",
        "workflow_uuid text NOT NULL" + cascade,
        "function_id integer NOT NULL",
        "key text NOT NULL",
        "value text NOT NULL",
        "serialization text",
        "PRIMARY KEY (workflow_uuid, function_id, key)");

    table(
        ddl,
        s + ".streams",
        "workflow_uuid text NOT NULL" + cascade,
        "key text NOT NULL",
        "value text NOT NULL",
        "\"offset\" integer NOT NULL",
        "function_id integer NOT NULL DEFAULT 0",
        "serialization text",
        "PRIMARY KEY (workflow_uuid, key, \"offset\")");
    notifyTrigger(
        ddl, s, "streams", "dbos_streams_channel", "NEW.workflow_uuid || '::' || NEW.key");

    table(
        ddl,
        s + ".event_dispatch_kv",
        "service_name text NOT NULL",
        "workflow_fn_name text NOT NULL",
        "key text NOT NULL",
        "value text",
        "update_seq numeric(38,0)",
        "update_time numeric(38,15)",
        "PRIMARY KEY (service_name, workflow_fn_name, key)");

    table(
        ddl,
        s + ".workflow_schedules",
        "schedule_id text NOT NULL PRIMARY KEY",
        "schedule_name text NOT NULL UNIQUE",
        "workflow_name text NOT NULL",
        "workflow_class_name text",
        "schedule text NOT NULL",
        "status text NOT NULL DEFAULT 'ACTIVE'",
        "context text NOT NULL",
        "last_fired_at text",
        "automatic_backfill boolean NOT NULL DEFAULT false",
        "cron_timezone text",
        "queue_name text");

    table(
        ddl,
        s + ".application_versions",
        "version_id text NOT NULL PRIMARY KEY",
        "version_name text NOT NULL UNIQUE",
        "version_timestamp bigint NOT NULL DEFAULT " + NOW_MS,
        "created_at bigint NOT NULL DEFAULT " + NOW_MS);

    table(
        ddl,
        s + ".queues",
        "queue_id text NOT NULL DEFAULT gen_random_uuid()::text PRIMARY KEY",
        "name text NOT NULL UNIQUE",
        "concurrency integer",
        "worker_concurrency integer",
        "rate_limit_max integer",
        "rate_limit_period_sec double precision",
        "priority_enabled boolean NOT NULL DEFAULT false",
        "partition_queue boolean NOT NULL DEFAULT false",
        "polling_interval_sec double precision NOT NULL DEFAULT 1.0",
        "created_at bigint DEFAULT " + NOW_MS,
        "updated_at bigint DEFAULT " + NOW_MS);

    ddl.add(enqueueWorkflow(s));
    ddl.add(sendMessage(s));
    return ddl;
  }

  /**
   * CREATE TABLE IF NOT EXISTS, then ADD COLUMN IF NOT EXISTS for every column, so that a table
   * created by an older DBOS migration gains the columns it lacks.
   */
  private static void table(List<String> ddl, String table, String... definitions) {
    ddl.add("CREATE TABLE IF NOT EXISTS " + table + " (" + String.join(", ", definitions) + ")");
    for (String definition : definitions) {
      if (definition.startsWith("PRIMARY KEY")) {
        continue;
      }
      String column =
          definition
              .replace(" PRIMARY KEY", "")
              .replace(" UNIQUE", "")
              .replaceAll(" REFERENCES .*", "");
      ddl.add("ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " + column);
    }
  }

  private static void notifyTrigger(
      List<String> ddl, String s, String table, String channel, String payload) {
    String function = s + "." + table + "_notify";
    ddl.add(
        "CREATE OR REPLACE FUNCTION "
            + function
            + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('"
            + channel
            + "', "
            + payload
            + "); RETURN NEW; END; $$");
    ddl.add("DROP TRIGGER IF EXISTS dbos_" + table + "_trigger ON " + s + "." + table);
    ddl.add(
        "CREATE TRIGGER dbos_"
            + table
            + "_trigger AFTER INSERT ON "
            + s
            + "."
            + table
            + " FOR EACH ROW EXECUTE FUNCTION "
            + function
            + "()");
  }

  private static String enqueueWorkflow(String s) {
    return "CREATE OR REPLACE FUNCTION "
        + s
        + ".enqueue_workflow(workflow_name text, queue_name text,"
        + " positional_args json[] DEFAULT '{}', named_args json DEFAULT '{}',"
        + " class_name text DEFAULT NULL, config_name text DEFAULT NULL,"
        + " workflow_id text DEFAULT NULL, app_version text DEFAULT NULL,"
        + " timeout_ms bigint DEFAULT NULL, deadline_epoch_ms bigint DEFAULT NULL,"
        + " deduplication_id text DEFAULT NULL, priority integer DEFAULT NULL,"
        + " queue_partition_key text DEFAULT NULL, authenticated_user text DEFAULT NULL,"
        + " authenticated_roles text DEFAULT NULL, delay_until_epoch_ms bigint DEFAULT NULL)"
        + " RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$\n"
        + "DECLARE\n"
        + "  v_id text := COALESCE(workflow_id, gen_random_uuid()::text);\n"
        + "  v_now bigint := (EXTRACT(epoch FROM now()) * 1000)::bigint;\n"
        + "  v_status text := 'ENQUEUED';\n"
        + "BEGIN\n"
        + "  IF workflow_name IS NULL OR length(workflow_name) = 0 THEN\n"
        + "    RAISE EXCEPTION 'DBOS enqueue_workflow: workflow_name must not be empty'"
        + " USING ERRCODE = 'invalid_parameter_value';\n"
        + "  END IF;\n"
        + "  IF queue_name IS NULL OR length(queue_name) = 0 THEN\n"
        + "    RAISE EXCEPTION 'DBOS enqueue_workflow: queue_name must not be empty'"
        + " USING ERRCODE = 'invalid_parameter_value';\n"
        + "  END IF;\n"
        + "  IF workflow_id IS NOT NULL AND length(workflow_id) = 0 THEN\n"
        + "    RAISE EXCEPTION 'DBOS enqueue_workflow: workflow_id must not be empty'"
        + " USING ERRCODE = 'invalid_parameter_value';\n"
        + "  END IF;\n"
        + "  IF timeout_ms IS NOT NULL AND timeout_ms <= 0 THEN\n"
        + "    RAISE EXCEPTION 'DBOS enqueue_workflow: timeout_ms must be positive'"
        + " USING ERRCODE = 'invalid_parameter_value';\n"
        + "  END IF;\n"
        + "  IF priority IS NOT NULL AND priority < 0 THEN\n"
        + "    RAISE EXCEPTION 'DBOS enqueue_workflow: priority must not be negative'"
        + " USING ERRCODE = 'invalid_parameter_value';\n"
        + "  END IF;\n"
        + "  IF named_args IS NOT NULL AND json_typeof(named_args) <> 'object' THEN\n"
        + "    RAISE EXCEPTION 'DBOS enqueue_workflow: named_args must be a JSON object'"
        + " USING ERRCODE = 'invalid_parameter_value';\n"
        + "  END IF;\n"
        + "  IF delay_until_epoch_ms IS NOT NULL AND delay_until_epoch_ms > v_now THEN\n"
        + "    v_status := 'DELAYED';\n"
        + "  END IF;\n"
        + "  BEGIN\n"
        + "    INSERT INTO "
        + s
        + ".workflow_status (workflow_uuid, status, name, class_name, config_name,"
        + " queue_name, application_version, workflow_timeout_ms, workflow_deadline_epoch_ms,"
        + " deduplication_id, priority, queue_partition_key, authenticated_user,"
        + " authenticated_roles, delay_until_epoch_ms, inputs, serialization, created_at,"
        + " updated_at, recovery_attempts)\n"
        + "    VALUES (v_id, v_status, workflow_name, class_name, config_name, queue_name,"
        + " app_version, timeout_ms, deadline_epoch_ms, deduplication_id, COALESCE(priority, 0),"
        + " queue_partition_key, authenticated_user, authenticated_roles, delay_until_epoch_ms,"
        + " json_build_object('positionalArgs', COALESCE(array_to_json(positional_args),"
        + " '[]'::json), 'namedArgs', COALESCE(named_args, '{}'::json))::text, 'portable_json',"
        + " v_now, v_now, 0);\n"
        + "  EXCEPTION WHEN unique_violation THEN\n"
        + "    IF deduplication_id IS NOT NULL AND EXISTS (SELECT 1 FROM "
        + s
        + ".workflow_status w WHERE w.queue_name = enqueue_workflow.queue_name"
        + " AND w.deduplication_id = enqueue_workflow.deduplication_id) THEN\n"
        + "      RAISE EXCEPTION 'DBOS queue duplicated' USING ERRCODE = 'unique_violation',"
        + " DETAIL = format('queue %s already has a workflow with deduplication id %s',"
        + " queue_name, deduplication_id);\n"
        + "    END IF;\n"
        + "    RAISE EXCEPTION 'DBOS enqueue_workflow: workflow id % already exists', v_id"
        + " USING ERRCODE = 'unique_violation';\n"
        + "  END;\n"
        + "  RETURN v_id;\n"
        + "END;\n"
        + "$$";
  }

  private static String sendMessage(String s) {
    return "CREATE OR REPLACE FUNCTION "
        + s
        + ".send_message(destination_id text, message json, topic text DEFAULT NULL,"
        + " idempotency_key text DEFAULT NULL) RETURNS void LANGUAGE plpgsql"
        + " SET search_path = pg_catalog, pg_temp AS $$\n"
        + "BEGIN\n"
        + "  INSERT INTO "
        + s
        + ".notifications (message_uuid, destination_uuid, topic, message, serialization)\n"
        + "  VALUES (COALESCE(idempotency_key, gen_random_uuid()::text), destination_id,"
        + " COALESCE(topic, '__null__topic__'), message::text, 'portable_json')\n"
        + "  ON CONFLICT (message_uuid) DO NOTHING;\n"
        + "EXCEPTION WHEN foreign_key_violation THEN\n"
        + "  RAISE EXCEPTION 'DBOS non-existent workflow' USING ERRCODE = 'foreign_key_violation',"
        + " DETAIL = format('no workflow has the id %s', destination_id);\n"
        + "END;\n"
        + "$$";
  }
}
