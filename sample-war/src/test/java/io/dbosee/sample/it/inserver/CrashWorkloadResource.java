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
 * Test-only endpoints of the crash trials: each starts one workflow of {@link CrashWorkload} with
 * the id given and answers as soon as it is recorded (a client that lost the answer calls again
 * with the same id).
 */
@Path("/test/crash")
@RequestScoped
public class CrashWorkloadResource {
  @Inject DBOS dbos;
  @Inject CrashWorkload workload;

  @Inject
  @QueueName(CrashWorkload.WORKFLOWS)
  Queue workflows;

  @Inject
  @QueueName(CrashWorkload.LIMITED)
  Queue limited;

  /** Starts {@link CrashWorkload#mixed} directly, or with {@code queued=true} on its queue. */
  @GET
  @Path("start")
  public String start(
      @QueryParam("id") String id,
      @QueryParam("queued") boolean queued,
      @QueryParam("workMs") int workMs,
      @QueryParam("sleepMs") int sleepMs) {
    if (queued) {
      workflows.enqueue(
          () -> workload.mixed(workMs, sleepMs), EnqueueOptions.DEFAULT.withWorkflowId(id));
    } else {
      try (var scope = dbos.withWorkflowId(id)) {
        dbos.startWorkflow(() -> workload.mixed(workMs, sleepMs));
      }
    }
    return "started " + id + " on " + dbos.executorId();
  }

  /** Enqueues {@link CrashWorkload#limited} on the queue of global concurrency 2. */
  @GET
  @Path("limited")
  public String limited(@QueryParam("id") String id, @QueryParam("workMs") int workMs) {
    limited.enqueue(() -> workload.limited(workMs), EnqueueOptions.DEFAULT.withWorkflowId(id));
    return "enqueued " + id + " on " + dbos.executorId();
  }
}
