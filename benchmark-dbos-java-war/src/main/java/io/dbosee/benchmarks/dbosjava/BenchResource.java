package io.dbosee.benchmarks.dbosjava;

import dev.dbos.transact.StartWorkflowOptions;
import dev.dbos.transact.context.WorkflowOptions;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;

/**
 * The benchmark's three kinds of work, each answered with 200 only once the workflow has finished
 * (and so is durably done), with 500 when it failed, with 400 when the request is malformed.
 */
@Path("/")
@Produces(MediaType.TEXT_PLAIN)
public class BenchResource {
  /** Enough for the benchmark's 0, 1 and 10, and a bound against a typo's million. */
  static final int MAX_STEPS = 1000;

  @Inject DbosJavaRuntime runtime;

  /** A workflow of {@code steps} no-op steps, called from the request. */
  @GET
  @Path("workflow")
  public String workflow(@QueryParam("steps") String steps, @QueryParam("id") String id) {
    int count = steps(steps);
    try (var options = new WorkflowOptions(workflowId(id)).setContext()) {
      return runtime.workflows().noopSteps(count);
    }
  }

  /** A workflow of one transactional step that inserts the order row {@code (id, 42)}. */
  @GET
  @Path("transaction")
  public String transaction(@QueryParam("id") String id) throws SQLException {
    try (var options = new WorkflowOptions(workflowId(id)).setContext()) {
      return runtime.workflows().order();
    }
  }

  /** A workflow of one no-op step enqueued on the queue; the request waits for its result. */
  @GET
  @Path("enqueue")
  public String enqueue(@QueryParam("id") String id) {
    var workflows = runtime.workflows();
    return runtime
        .dbos()
        .startWorkflow(
            () -> workflows.noopSteps(1),
            new StartWorkflowOptions(workflowId(id)).withQueue(DbosJavaRuntime.QUEUE))
        .getResult();
  }

  private static String workflowId(String id) {
    if (id == null || id.isBlank()) {
      throw badRequest("the query parameter id (the workflow id, unique per request) is missing");
    }
    return id;
  }

  private static int steps(String steps) {
    try {
      int count = Integer.parseInt(steps);
      if (count >= 0 && count <= MAX_STEPS) {
        return count;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw badRequest(
        "the query parameter steps is '" + steps + "': give a number from 0 to " + MAX_STEPS);
  }

  private static WebApplicationException badRequest(String message) {
    return new WebApplicationException(
        Response.status(Response.Status.BAD_REQUEST)
            .type(MediaType.TEXT_PLAIN)
            .entity(message + "\n")
            .build());
  }
}
