package io.dbosee.internal.engine.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbosee.testing.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The outbox DataSource's check at start (DBOS-CDI-099): two connections reach one database only
 * when they are on the same database of the same server, and the system schema must be visible.
 */
class DatabaseIdentityTest {

  private static DatabaseIdentity identity(TestPostgres.Database db, String schema)
      throws SQLException {
    try (Connection c = db.dataSource().getConnection()) {
      return DatabaseIdentity.of(c, schema);
    }
  }

  @Test
  void twoConnectionsToOneDatabaseAreTheSameAndAnotherDatabaseOfTheServerIsNot()
      throws SQLException {
    TestPostgres.Database system = TestPostgres.newDatabase();
    TestPostgres.Database other = TestPostgres.newDatabase();
    try (Connection c = system.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA dbos");
      s.execute("CREATE TABLE dbos.workflow_status (workflow_uuid TEXT PRIMARY KEY)");
    }

    DatabaseIdentity first = identity(system, "dbos");
    DatabaseIdentity second = identity(system, "dbos");
    DatabaseIdentity elsewhere = identity(other, "dbos");

    assertThat(first.sameDatabase(second)).isTrue();
    assertThat(first.systemSchemaVisible()).isTrue();
    assertThat(first.sameDatabase(elsewhere)).as("another database of the same server").isFalse();
    assertThat(elsewhere.systemSchemaVisible()).isFalse();
    assertThat(elsewhere.toString())
        .startsWith("database '" + other.name() + "' of the PostgreSQL server on port ");
  }

  @Test
  void theSystemSchemaIsNotVisibleToAUserWithoutUsageOnIt() throws SQLException {
    TestPostgres.Database system = TestPostgres.newDatabase();
    String user = "outbox_" + system.name();
    try (Connection c = system.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA dbos");
      s.execute("CREATE TABLE dbos.workflow_status (workflow_uuid TEXT PRIMARY KEY)");
      s.execute("CREATE ROLE " + user + " LOGIN");
      s.execute("SET ROLE " + user);
      DatabaseIdentity withoutUsage = DatabaseIdentity.of(c, "dbos");
      s.execute("RESET ROLE");
      s.execute("GRANT USAGE ON SCHEMA dbos TO " + user);
      s.execute("SET ROLE " + user);
      DatabaseIdentity withUsage = DatabaseIdentity.of(c, "dbos");
      s.execute("RESET ROLE");

      assertThat(withoutUsage.systemSchemaVisible()).isFalse();
      assertThat(withUsage.systemSchemaVisible()).isTrue();
    }
  }
}
