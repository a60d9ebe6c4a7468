package io.dbosee.internal.engine.db;

import javax.sql.DataSource;

/** Schemas at an earlier migration, for tests outside this package (upgrades, the switch). */
public final class SchemaFixtures {
  private SchemaFixtures() {}

  /** Brings {@code schema} to migration {@code target} (1-47 or 100-123) and no further. */
  public static void migrateTo(DataSource dataSource, String schema, int target) {
    SystemSchema.migrate(dataSource, schema, target);
  }
}
