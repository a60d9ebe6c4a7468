package io.dbosee.internal.engine.db;

import io.dbosee.DBOSSystemDatabaseException;
import io.dbosee.internal.errors.ErrorCode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
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

  /** Binds {@code value}, or SQL NULL for null. */
  static void setLong(PreparedStatement ps, int index, Long value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.BIGINT);
    } else {
      ps.setLong(index, value);
    }
  }

  /** The library's exception for a failed access: what was attempted, the cause, what to check. */
  static DBOSSystemDatabaseException failure(String schema, String what, SQLException e) {
    if ("22021".equals(e.getSQLState())) {
      // character_not_in_repertoire: a NUL in a text value, which the entry points refuse first.
      return ErrorCode.UNSTORABLE_TEXT.exception(
          DBOSSystemDatabaseException::new,
          "Could not "
              + what
              + ": a text value (an id, a name, a key or a filter) contains a character PostgreSQL"
              + " cannot store, such as NUL (\\u0000): "
              + e.getMessage()
              + ". Remove it; the recorded state is unchanged.",
          e);
    }
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
