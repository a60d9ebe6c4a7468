package io.dbosee.internal.engine.db;

import javax.sql.DataSource;

/** Schemas as older writers left them, for upgrade tests outside this package. */
public final class OlderSchemas {
  private OlderSchemas() {}

  /** Migrates {@code schema} to migration {@code version} and no further. */
  public static void migrateTo(DataSource dataSource, String schema, int version) {
    SystemSchema.migrate(dataSource, schema, version);
  }
}
