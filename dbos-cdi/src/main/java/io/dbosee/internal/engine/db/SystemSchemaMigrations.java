package io.dbosee.internal.engine.db;

import java.util.List;

/**
 * The numbered migrations of the system database, numbered as the DBOS SDKs number theirs, so that
 * the number in {@code dbos_migrations} means the same shape whichever library wrote it.
 *
 * <p>Invariants:
 *
 * <ul>
 *   <li>Migration {@code n} assumes exactly the shape left by migrations {@code 1..n-1}, whether
 *       this class or a DBOS SDK applied them; the runner applies them in order, in one
 *       transaction, under an advisory lock.
 *   <li>Objects a later SDK migration drops (the original executor-id, status, queue-status-started
 *       and non-partial forked-from/parent indexes, the non-partial dedup constraint, the first
 *       13-argument {@code enqueue_workflow}) are never created here; their later drops use {@code
 *       IF EXISTS}, so a schema an SDK left at any earlier number converges to the same shape as a
 *       fresh one.
 *   <li>Only one {@code (destination_uuid, topic)} index on {@code notifications} (the SDKs create
 *       two identical ones; the contract names one).
 *   <li>Every statement names objects through {@value #SCHEMA}, replaced by the quoted schema
 *       identifier; functions run with {@code search_path = pg_catalog, pg_temp}, so every table
 *       they touch is schema-qualified.
 * </ul>
 */
final class SystemSchemaMigrations {

  /** Placeholder for the quoted schema identifier in every statement. */
  static final String SCHEMA = "${schema}";

  /** The number of the last migration: the shape of the contract. */
  static final int LATEST = 41;

  static final String NOW_MS = "(EXTRACT(epoch FROM now()) * 1000)::bigint";

  private SystemSchemaMigrations() {}

  /** One numbered migration: statements run in order, each on its own. */
  record Migration(int version, String description, List<String> statements) {
    Migration {
      statements = List.copyOf(statements);
    }

    /** The statements with the schema placeholder replaced by {@code quotedSchema}. */
    List<String> statementsFor(String quotedSchema) {
      return statements.stream().map(s -> s.replace(SCHEMA, quotedSchema)).toList();
    }
  }

  static Migration m(int version, String description, String... statements) {
    return new Migration(version, description, List.of(statements));
  }

  /** All migrations, in order of their numbers. */
  static final List<Migration> ALL = HistoryMigrations.ALL;
}
