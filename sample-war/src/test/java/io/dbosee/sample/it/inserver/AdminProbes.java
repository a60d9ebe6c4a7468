package io.dbosee.sample.it.inserver;

import io.dbosee.DBOS;
import io.dbosee.Step;
import io.dbosee.Workflow;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.time.Duration;

/**
 * Test-only: a workflow that records a step, then sleeps durably for {@code seconds}, then records
 * another; {@code GET /test/admin/start?id=...&seconds=...} starts it in the background.
 */
@Path("/test/admin")
@ApplicationScoped
public class AdminProbes {
  @Inject DBOS dbos;
  @Inject AdminProbes self;

  @Step
  public String before(String id) {
    return "before " + id;
  }

  @Step
  public String after(String id) {
    return "after " + id;
  }

  @Workflow
  public String napping(String id, long seconds) {
    String a = self.before(id);
    dbos.sleep(Duration.ofSeconds(seconds));
    return a + ", " + self.after(id);
  }

  @GET
  @Path("start")
  public String start(@QueryParam("id") String id, @QueryParam("seconds") long seconds) {
    try (var scope = dbos.withWorkflowId(id)) {
      dbos.startWorkflow(() -> self.napping(id, seconds));
    }
    return "started " + id;
  }
}
