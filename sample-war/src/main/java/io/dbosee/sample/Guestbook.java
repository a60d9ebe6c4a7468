package io.dbosee.sample;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The guestbook's storage: how many times each name signed (table {@code guestbook_signatures} in
 * the application database), so that a guestbook signed twice for one greeting shows it.
 */
@ApplicationScoped
public class Guestbook {

  /** One name and how many times it signed. */
  public record Signatures(String name, int signatures) {}

  @Resource(lookup = "jdbc/app")
  DataSource dataSource;

  /** Adds one signature for {@code name}; the number of times it has signed now. */
  public int sign(String name) {
    try (Connection c = dataSource.getConnection()) {
      createTableIfMissing(c);
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO guestbook_signatures (name, signatures) VALUES (?, 1)"
                  + " ON CONFLICT (name) DO UPDATE SET signatures ="
                  + " guestbook_signatures.signatures + 1, last_signed = now()"
                  + " RETURNING signatures")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getInt(1);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not record a signature for " + name, e);
    }
  }

  /** Every name that signed, first signer first. */
  public List<Signatures> all() {
    try (Connection c = dataSource.getConnection()) {
      createTableIfMissing(c);
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT name, signatures FROM guestbook_signatures ORDER BY first_signed, name")) {
        List<Signatures> result = new ArrayList<>();
        while (rs.next()) {
          result.add(new Signatures(rs.getString(1), rs.getInt(2)));
        }
        return result;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the guestbook", e);
    }
  }

  private static void createTableIfMissing(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS guestbook_signatures ("
              + " name TEXT PRIMARY KEY, signatures INT NOT NULL,"
              + " first_signed TIMESTAMPTZ NOT NULL DEFAULT now(),"
              + " last_signed TIMESTAMPTZ NOT NULL DEFAULT now())");
    }
  }
}
