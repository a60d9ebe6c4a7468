package io.dbosee.internal.engine.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Which PostgreSQL database a connection reaches, and whether it sees the system schema there: two
 * DataSources reach the same database when their identities are equal. The server is told apart by
 * the port it listens on and the instant its postmaster started (which every role may read), the
 * database by its name; host names are not compared, since "localhost" and an address may name the
 * same server.
 *
 * @param database the database's name
 * @param port the server's port
 * @param serverStarted when the server started, as PostgreSQL prints it
 * @param systemSchemaVisible whether the system schema's workflow_status is visible
 */
public record DatabaseIdentity(
    String database, int port, String serverStarted, boolean systemSchemaVisible) {

  /** The identity of the database {@code c} reaches, and whether it sees {@code schema}. */
  public static DatabaseIdentity of(Connection c, String schema) throws SQLException {
    // to_regclass fails (permission denied) on a schema the user has no USAGE on: CASE asks first.
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT current_database(), current_setting('port')::int,"
                + " pg_postmaster_start_time()::text,"
                + " CASE WHEN EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = ?"
                + " AND has_schema_privilege(oid, 'USAGE'))"
                + " THEN to_regclass(?) IS NOT NULL ELSE false END")) {
      ps.setString(1, schema);
      ps.setString(2, SystemSchema.quote(schema) + ".workflow_status");
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new DatabaseIdentity(
            rs.getString(1), rs.getInt(2), rs.getString(3), rs.getBoolean(4));
      }
    }
  }

  /** Whether both reach one database (the schema's visibility aside). */
  public boolean sameDatabase(DatabaseIdentity other) {
    return database.equals(other.database)
        && port == other.port
        && serverStarted.equals(other.serverStarted);
  }

  @Override
  public String toString() {
    return "database '"
        + database
        + "' of the PostgreSQL server on port "
        + port
        + " (started "
        + serverStarted
        + ")";
  }
}
