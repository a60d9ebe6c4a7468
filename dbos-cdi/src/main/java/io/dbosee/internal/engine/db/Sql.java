package io.dbosee.internal.engine.db;

import io.dbosee.DBOSSystemDatabaseException;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** What every system-database access shares: auto-committed connections and one failure shape. */
final class Sql {
  private Sql() {}

  /**
   * A connection in auto-commit mode: every statement the engine issues is its own transaction
   * unless a method manages one explicitly.
   */
  static Connection autoCommitted(DataSource dataSource) throws SQLException {
    Connection c = dataSource.getConnection();
    if (!c.getAutoCommit()) {
      c.setAutoCommit(true);
    }
    return c;
  }

  /** The library's exception for a failed access: what was attempted, the cause, what to check. */
  static DBOSSystemDatabaseException failure(String schema, String what, SQLException e) {
    return new DBOSSystemDatabaseException(
        "Could not "
            + what
            + " in the system database (schema '"
            + schema
            + "'): "
            + e.getMessage()
            + " [SQLSTATE "
            + e.getSQLState()
            + "]. Check that PostgreSQL is reachable and the schema was migrated; the recorded"
            + " state is unchanged.",
        e);
  }
}
