package io.dbosee.sample.it.inserver;

import io.dbosee.DBOS;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.util.concurrent.Callable;

/** Test-only endpoints that run the datasource probes; failures are answered as text. */
@Path("/test/ds")
@RequestScoped
public class DatasourceProbeResource {
  @Inject DatasourceProbes probes;
  @Inject DBOS dbos;

  private String inWorkflow(String id, Callable<String> workflow) {
    try (var scope = dbos.withWorkflowId(id)) {
      return workflow.call();
    } catch (Exception e) {
      return "threw " + e.getClass().getName() + ": " + e.getMessage();
    }
  }

  @GET
  @Path("order")
  public String order(@QueryParam("id") String id) {
    return inWorkflow(id, () -> probes.order(id));
  }

  @GET
  @Path("count")
  public String count(@QueryParam("id") String id) {
    return inWorkflow(id, () -> probes.count(id));
  }

  @GET
  @Path("runs")
  public String runs(@QueryParam("key") String key) {
    return String.valueOf(DatasourceProbes.runs(key));
  }
}
