package io.dbosee.sample.it.inserver;

import io.dbosee.DBOS;
import io.dbosee.EnqueueOptions;
import io.dbosee.Queue;
import io.dbosee.QueueName;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

/**
 * Test-only endpoints of {@code TracingIT}: each starts one of {@link TracedWorkflows}' workflows
 * with the id given, inside Liberty's JAX-RS server span.
 */
@Path("/test/tracing")
@RequestScoped
public class TracingResource {
  @Inject DBOS dbos;
  @Inject TracedWorkflows workflows;

  @Inject
  @QueueName(TracedWorkflows.QUEUE)
  Queue queue;

  /** Runs {@link TracedWorkflows#order} in this request; answers with its failure. */
  @GET
  @Path("order")
  public String order(@QueryParam("id") String id) {
    try (var scope = dbos.withWorkflowId(id)) {
      return workflows.order(id);
    } catch (IllegalStateException e) {
      return "failed: " + e.getMessage();
    }
  }

  /** Enqueues {@link TracedWorkflows#fetchOnly} and answers at once. */
  @GET
  @Path("enqueue")
  public String enqueue(@QueryParam("id") String id) {
    queue.enqueue(() -> workflows.fetchOnly(id), EnqueueOptions.DEFAULT.withWorkflowId(id));
    return "enqueued " + id;
  }

  /** Starts {@link TracedWorkflows#waitForGo} in the background and answers at once. */
  @GET
  @Path("wait")
  public String startWaiting(@QueryParam("id") String id) {
    try (var scope = dbos.withWorkflowId(id)) {
      dbos.startWorkflow(() -> workflows.waitForGo(id));
    }
    return "started " + id;
  }

  /** Sends {@code message} to the waiting workflow {@code id}. */
  @GET
  @Path("send")
  public String send(@QueryParam("id") String id, @QueryParam("message") String message) {
    dbos.send(id, message, TracedWorkflows.TOPIC);
    return "sent to " + id;
  }
}
