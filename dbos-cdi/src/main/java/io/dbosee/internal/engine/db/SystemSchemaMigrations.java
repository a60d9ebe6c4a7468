package io.dbosee.internal.engine.db;

import java.util.List;

/**
 * The numbered migrations of the system database, numbered as the DBOS SDKs number theirs, so that
 * the number in {@code dbos_migrations} means the same shape whichever library wrote it.
 *
 * <p>Invariants:
 *
 * <ul>
 *   <li>The numbers are 1-47 (the history the Python, Go and Java SDKs share) and 100-123 (the
 *       numbering every SDK shares); 48-99 are empty. Migration {@code n} assumes exactly the shape
 *       left by the migrations before it, whether this class or a DBOS SDK applied them; the runner
 *       applies them in order, in one transaction, under an advisory lock.
 *   <li>Objects a later SDK migration drops (the original executor-id, status, queue-status-started
 *       and non-partial forked-from/parent indexes, the non-partial dedup constraint, the first
 *       13-argument {@code enqueue_workflow}) are never created here; their later drops use {@code
 *       IF EXISTS}, so a schema an SDK left at any earlier number converges to the same shape as a
 *       fresh one.
 *   <li>The SDKs' two identical {@code (destination_uuid, topic)} indexes on {@code notifications}
 *       are made as they make them (migration 12 the first, 42 the second, which a schema made here
 *       at 41 lacked), and migration 114 drops the first.
 *   <li>Every statement names objects through {@value #SCHEMA}, replaced by the quoted schema
 *       identifier; functions run with {@code search_path = pg_catalog, pg_temp}, so every table
 *       they touch is schema-qualified.
 * </ul>
 */
final class SystemSchemaMigrations {

  /** Placeholder for the quoted schema identifier in every statement. */
  static final String SCHEMA = "${schema}";

  /** The number of the last migration: the shape of the contract. */
  static final int LATEST = 123;

  /** The first number every DBOS SDK gives the same migration; below it, only 1-47 are known. */
  static final int SHARED_BASE = 100;

  /** The last number of the history below {@link #SHARED_BASE} that this class knows. */
  static final int LAST_HISTORY = 47;

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
  static final List<Migration> ALL =
      java.util.stream.Stream.concat(HistoryMigrations.ALL.stream(), SharedMigrations.ALL.stream())
          .toList();

  /** Whether {@code version} is the number of a migration defined here (1-47, 100-123). */
  static boolean known(int version) {
    return (version >= 1 && version <= LAST_HISTORY)
        || (version >= SHARED_BASE && version <= LATEST);
  }
}
