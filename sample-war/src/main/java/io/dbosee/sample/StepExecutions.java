package io.dbosee.sample;

import jakarta.annotation.PostConstruct;
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
 * Counts how many times each step of each workflow really ran, in the application database (table
 * {@code sample_step_executions}), so that a resumed workflow visibly does not repeat its completed
 * steps.
 */
@ApplicationScoped
public class StepExecutions {

  /** One row of the table. */
  public record Execution(String workflowId, String step, int executions) {}

  @Resource(lookup = "jdbc/app")
  DataSource dataSource;

  /**
   * Creates the table once, before any step records into it: {@code CREATE TABLE IF NOT EXISTS} run
   * by two steps at the same moment can fail in PostgreSQL (both insert the table's type into the
   * catalog), which failed a queued step of the crash demo now and then.
   */
  @PostConstruct
  void createTable() {
    try (Connection c = dataSource.getConnection()) {
      createTableIfMissing(c);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create table sample_step_executions", e);
    }
  }

  /** Adds one execution of {@code step} in workflow {@code workflowId}. */
  public void record(String workflowId, String step) {
    try (Connection c = dataSource.getConnection()) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO sample_step_executions (workflow_id, step, executions) VALUES (?, ?, 1)"
                  + " ON CONFLICT (workflow_id, step)"
                  + " DO UPDATE SET executions = sample_step_executions.executions + 1")) {
        ps.setString(1, workflowId);
        ps.setString(2, step);
        ps.executeUpdate();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not record an execution of " + step, e);
    }
  }

  /** Every recorded execution count, oldest workflow first. */
  public List<Execution> all() {
    try (Connection c = dataSource.getConnection()) {
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT workflow_id, step, executions FROM sample_step_executions"
                      + " ORDER BY first_run, step")) {
        List<Execution> result = new ArrayList<>();
        while (rs.next()) {
          result.add(new Execution(rs.getString(1), rs.getString(2), rs.getInt(3)));
        }
        return result;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the step executions", e);
    }
  }

  private static void createTableIfMissing(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS sample_step_executions ("
              + " workflow_id TEXT NOT NULL, step TEXT NOT NULL, executions INT NOT NULL,"
              + " first_run TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (workflow_id, step))");
    }
  }
}
