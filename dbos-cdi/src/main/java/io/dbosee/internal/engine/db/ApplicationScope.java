package io.dbosee.internal.engine.db;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The {@code application_name} rules of the DBOS SDKs, for several applications sharing one system
 * database: a row names the application that owns it, or none (NULL: written by a client that named
 * no application). An application acts on its own rows and on unclaimed ones, and claims an
 * unclaimed row as it dequeues it; an engine that names no application acts on every row and claims
 * none. Each fragment takes one parameter, the name (or null), bound by {@link #bind}.
 */
public final class ApplicationScope {

  private ApplicationScope() {}

  /**
   * A predicate true for the rows of {@code alias} (a table alias, or empty) this application may
   * act on: its own and unclaimed ones; every row when it names none.
   */
  static String ownOrUnclaimed(String alias) {
    String column = alias.isEmpty() ? "application_name" : alias + ".application_name";
    return "(" + column + " IS NULL OR " + column + " = COALESCE(CAST(? AS text), " + column + "))";
  }

  /** A SET item that claims an unclaimed row for this application, leaving an owned one as is. */
  static String claim(String alias) {
    String column = alias.isEmpty() ? "application_name" : alias + ".application_name";
    return "application_name = COALESCE(" + column + ", CAST(? AS text))";
  }

  /** Binds the name (or null) of a fragment above, or of an inserted column. */
  static void bind(PreparedStatement ps, int index, String applicationName) throws SQLException {
    ps.setString(index, applicationName);
  }
}
