package io.dbosee.sample.it.inserver;

import io.dbosee.DBOS;
import io.dbosee.Step;
import io.dbosee.Workflow;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * The workload of the two-applications test (test only), deployed in two WARs that differ only in
 * their {@code dbos.application-name}: one workflow whose step records, in {@code two_apps_runs},
 * which application ran it. Its first run holds (when asked to) until the server is killed, so the
 * workflow is left PENDING for a restart to recover. The table is created by the test ({@code
 * TwoApplicationsIT}).
 */
@ApplicationScoped
public class TwoAppsWorkload {
  /** Never released: a held step waits until the server is killed. */
  private static final CountDownLatch KILL = new CountDownLatch(1);

  @Inject DBOS dbos;
  @Inject TwoAppsWorkload self;

  /** Auto-commit connections: a run is recorded even though its step never finishes. */
  @Resource(lookup = "jdbc/dbosSystem")
  DataSource autocommit;

  @Workflow
  public String work(boolean hold) throws Exception {
    return self.record(dbos.workflowId().orElseThrow(), hold);
  }

  @Step
  public String record(String workflowId, boolean hold) throws SQLException, InterruptedException {
    String application = dbos.applicationName().orElse("-");
    int run;
    try (Connection c = autocommit.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO two_apps_runs (workflow_id, application, run) SELECT ?, ?,"
                    + " count(*) + 1 FROM two_apps_runs WHERE workflow_id = ? RETURNING run")) {
      ps.setString(1, workflowId);
      ps.setString(2, application);
      ps.setString(3, workflowId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        run = rs.getInt(1);
      }
    }
    if (hold && run == 1) {
      KILL.await(10, TimeUnit.MINUTES);
      throw new IllegalStateException("the server was to be killed while " + workflowId + " held");
    }
    return application;
  }
}
