package io.dbosee.sample.it.inserver;

import io.dbosee.DBOS;
import io.dbosee.Workflow;
import io.dbosee.WorkflowQueue;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The workflows the outbox probes start, enqueue and send to (test only). The table {@code
 * outbox_runs} is created by the test ({@code OutboxIT}, {@code OutboxCrashIT}).
 */
@WorkflowQueue(name = OutboxWorkflows.QUEUE)
@ApplicationScoped
public class OutboxWorkflows {
  public static final String QUEUE = "outbox-probes";
  static final String TOPIC = "outbox";

  @Inject DBOS dbos;

  /** Auto-commit connections: a run is counted even if the server dies right after. */
  @Resource(lookup = "jdbc/dbosSystem")
  DataSource autocommit;

  /** Adds one row to {@code outbox_runs} per run of its body, committed at once. */
  @Workflow
  public String counted(String label) throws SQLException {
    try (Connection c = autocommit.getConnection();
        PreparedStatement ps =
            c.prepareStatement("INSERT INTO outbox_runs (workflow_id, pid) VALUES (?, ?)")) {
      ps.setString(1, dbos.workflowId().orElseThrow());
      ps.setLong(2, ProcessHandle.current().pid());
      ps.executeUpdate();
    }
    return "ran " + label;
  }

  /** Waits for one message on {@link #TOPIC} and returns it. */
  @Workflow
  public String inbox() {
    return dbos.recv(TOPIC, String.class, Duration.ofMinutes(2)).orElse("no message");
  }
}
