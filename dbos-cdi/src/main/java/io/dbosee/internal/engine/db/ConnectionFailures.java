package io.dbosee.internal.engine.db;

import java.sql.SQLException;

/**
 * Tells a lost or unreachable database apart from an error in a statement: the first is worth
 * waiting out, the second is not. Kept apart from any connection pool, because every path to the
 * system database (a container DataSource or the URL mode's pool) classifies failures the same way.
 */
public final class ConnectionFailures {
  private ConnectionFailures() {}

  /**
   * Whether {@code failure} (or one of its causes) says the database could not be reached or ended
   * the session: worth trying again later, unlike an error in the statement itself.
   */
  public static boolean isOutage(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLTransientConnectionException
          || t instanceof java.sql.SQLRecoverableException
          || (t instanceof SQLException e && isConnectionError(e))) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /** True for errors after which the session is gone or unusable. */
  static boolean isConnectionError(SQLException e) {
    for (SQLException x = e; x != null; x = x.getNextException()) {
      String state = x.getSQLState();
      if (state != null
          && (state.startsWith("08")
              // admin_shutdown, crash_shutdown, cannot_connect_now: the server ended the session
              || state.equals("57P01")
              || state.equals("57P02")
              || state.equals("57P03"))) {
        return true;
      }
    }
    return false;
  }
}
