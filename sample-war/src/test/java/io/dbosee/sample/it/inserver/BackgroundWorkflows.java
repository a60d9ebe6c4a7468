package io.dbosee.sample.it.inserver;

import io.dbosee.DBOS;
import io.dbosee.sample.Workflows;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

/**
 * Test-only endpoint added to the sample's archive: starts the workflow on the managed executor and
 * answers at once, so that no HTTP request holds the server's stop (Liberty lets in-flight requests
 * finish before it stops applications).
 */
@Path("/test/background")
@RequestScoped
public class BackgroundWorkflows {
  @Inject Workflows workflows;
  @Inject DBOS dbos;

  @Resource ManagedExecutorService executor;

  @GET
  public String start(@QueryParam("id") String id) {
    executor.execute(
        () -> {
          try (var scope = dbos.withWorkflowId(id)) {
            workflows.workflow();
          }
        });
    return "started " + id;
  }
}
