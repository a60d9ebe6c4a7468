package io.dbosee.benchmarks.war;

import io.dbosee.DBOS;
import io.dbosee.EnqueueOptions;
import io.dbosee.Queue;
import io.dbosee.QueueName;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.concurrent.CompletionStage;

/**
 * This library's contender: each request runs one workflow with the request's {@code id} and
 * answers its result once the workflow is done (an exception answers 500).
 */
@Path("/")
@ApplicationScoped
@Produces(MediaType.TEXT_PLAIN)
public class BenchResource {
  @Inject DBOS dbos;
  @Inject BenchWorkflows workflows;

  @Inject
  @QueueName(BenchWorkflows.QUEUE)
  Queue queue;

  @GET
  @Path("workflow")
  public String workflow(@QueryParam("steps") int steps, @QueryParam("id") String id) {
    try (var scope = dbos.withWorkflowId(Ids.require(id))) {
      return workflows.noopSteps(steps);
    }
  }

  /**
   * The sample's waiting workflow: the request thread is free while the workflow sleeps, and the
   * answer goes out when the stage completes.
   */
  @GET
  @Path("waiting")
  public CompletionStage<String> waiting(@QueryParam("id") String id) {
    try (var scope = dbos.withWorkflowId(Ids.require(id))) {
      return workflows.waiting();
    }
  }

  @GET
  @Path("transaction")
  public String transaction(@QueryParam("id") String id) {
    try (var scope = dbos.withWorkflowId(Ids.require(id))) {
      return workflows.order();
    }
  }

  @GET
  @Path("enqueue")
  public String enqueue(@QueryParam("id") String id) {
    return queue
        .enqueue(
            () -> workflows.noopSteps(1), EnqueueOptions.DEFAULT.withWorkflowId(Ids.require(id)))
        .getResult();
  }
}
