package io.dbosee.internal.engine.db;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Registers this server's application version in the shared {@code application_versions} table at
 * launch, as the DBOS SDKs register theirs, so that their tools and clients (which list an
 * application's versions and read its latest) see it: one row per application and version name, an
 * unclaimed row of the same name claimed in place (keeping its id and time), a new one the latest.
 * A version name another application has registered is left to it: the SDKs refuse such a launch,
 * and a second row of that name would make the other application's next SDK launch fail.
 */
public final class ApplicationVersions {
  private static final System.Logger LOG = System.getLogger(ApplicationVersions.class.getName());

  private final DataSource dataSource;
  private final String schema;
  private final String table;

  /** The application this server acts for ({@link ApplicationScope}), or null. */
  private final String applicationName;

  public ApplicationVersions(DataSource dataSource, String schema, String applicationName) {
    this.dataSource = dataSource;
    this.schema = schema;
    this.table = SystemSchema.quote(schema) + ".application_versions";
    this.applicationName = applicationName;
  }

  /**
   * Registers {@code version} for this application, in one transaction, and logs a warning when
   * another application holds that version name or when it is not this application's latest.
   */
  public void register(String version) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Optional<String> otherOwner = claimOrInsert(c, version);
        c.commit();
        otherOwner.ifPresent(
            other ->
                LOG.log(
                    Level.WARNING,
                    "Application version ''{0}'' is already registered by application ''{1}''"
                        + " in this system database, so application ''{2}'' records none: the"
                        + " DBOS SDKs refuse two applications one version name. Set a"
                        + " dbos.application-version of its own for ''{2}''.",
                    version,
                    other,
                    applicationName));
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
      latest(c)
          .filter(latest -> !latest.equals(version))
          .ifPresent(
              latest ->
                  LOG.log(
                      Level.WARNING,
                      "Application version ''{0}'' is not the latest one registered{1}: ''{2}''"
                          + " is.",
                      version,
                      applicationName == null ? "" : " for application '" + applicationName + "'",
                      latest));
    } catch (SQLException e) {
      throw Sql.failure(schema, "register application version '" + version + "'", e);
    }
  }

  /** The application that holds the version name instead of this one, if another does. */
  private Optional<String> claimOrInsert(Connection c, String version) throws SQLException {
    if (applicationName != null) {
      try (PreparedStatement claim =
          c.prepareStatement(
              "UPDATE "
                  + table
                  + " SET application_name = ? WHERE version_name = ? AND application_name IS NULL"
                  + " AND NOT EXISTS (SELECT 1 FROM "
                  + table
                  + " WHERE version_name = ? AND application_name = ?)")) {
        claim.setString(1, applicationName);
        claim.setString(2, version);
        claim.setString(3, version);
        claim.setString(4, applicationName);
        if (claim.executeUpdate() > 0) {
          return Optional.empty();
        }
      }
      try (PreparedStatement other =
          c.prepareStatement(
              "SELECT application_name FROM "
                  + table
                  + " WHERE version_name = ? AND application_name <> ? ORDER BY created_at"
                  + " LIMIT 1")) {
        other.setString(1, version);
        other.setString(2, applicationName);
        try (ResultSet rs = other.executeQuery()) {
          if (rs.next()) {
            return Optional.of(rs.getString(1));
          }
        }
      }
    }
    // No conflict target: the unique indexes of migrations 106 and 107 (one per application, one
    // for unclaimed rows) absorb a row that is already there, or a concurrent registration.
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO "
                + table
                + " (version_id, version_name, application_name)"
                + " VALUES (gen_random_uuid()::text, ?, ?) ON CONFLICT DO NOTHING")) {
      insert.setString(1, version);
      insert.setString(2, applicationName);
      insert.executeUpdate();
    }
    return Optional.empty();
  }

  /** This application's latest version (its own and unclaimed rows; every row without a name). */
  private Optional<String> latest(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT version_name FROM "
                + table
                + " WHERE "
                + ApplicationScope.ownOrUnclaimed("")
                + " ORDER BY version_timestamp DESC, created_at DESC LIMIT 1")) {
      ApplicationScope.bind(ps, 1, applicationName);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }
}
