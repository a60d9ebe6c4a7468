package io.dbosee.sample.it.inserver;

import io.dbosee.DBOS;
import io.dbosee.EnqueueOptions;
import io.dbosee.Queue;
import io.dbosee.QueueName;
import io.dbosee.Step;
import io.dbosee.Workflow;
import io.dbosee.WorkflowQueue;
import io.dbosee.WorkflowSchedule;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.time.Duration;
import java.time.Instant;

/**
 * Test-only: what the console shows, made on demand through {@code /test/console/...}: workflows
 * that wait for a message on a partitioned queue, a workflow whose step fails, one that sets an
 * event, writes a stream, starts a child and receives a message, and a schedule.
 */
@Path("/test/console")
@ApplicationScoped
@WorkflowQueue(name = ConsoleProbes.QUEUE, partitioned = true, partitionConcurrency = 1)
public class ConsoleProbes {
  static final String QUEUE = "console-tenants";

  @Inject DBOS dbos;
  @Inject ConsoleProbes self;

  @Inject
  @QueueName(QUEUE)
  Queue queue;

  @Step
  public String reserve(String id) {
    return "reserved " + id;
  }

  @Step
  public String charge(String id) {
    throw new IllegalStateException("The card was declined for order " + id);
  }

  /** Waits (durably, up to ten minutes) for a message on topic "release". */
  @Workflow
  public String hold(String id) {
    String r = self.reserve(id);
    return r + ", " + dbos.recv("release", String.class, Duration.ofMinutes(10)).orElse("timeout");
  }

  @Workflow
  public String failing(String id) {
    self.reserve(id);
    return self.charge(id);
  }

  @Workflow
  public String child(String id) {
    return self.reserve(id + "-child");
  }

  @Workflow
  public String chatty(String id) {
    dbos.setEvent("stage", "packed");
    dbos.writeStream("log", "line 1");
    dbos.writeStream("log", "line 2");
    dbos.closeStream("log");
    try (var scope = dbos.withWorkflowId(id + "-child")) {
      dbos.startWorkflow(() -> self.child(id));
    }
    return dbos.recv("orders", String.class, Duration.ofMinutes(10)).orElse("no order");
  }

  @Workflow
  public void tick(Instant scheduledTime, Instant actualTime) {}

  @GET
  @Path("start")
  public String start(@QueryParam("kind") String kind, @QueryParam("id") String id) {
    try (var scope = dbos.withWorkflowId(id)) {
      switch (kind) {
        case "hold" -> dbos.startWorkflow(() -> self.hold(id));
        case "failing" -> dbos.startWorkflow(() -> self.failing(id));
        default -> dbos.startWorkflow(() -> self.chatty(id));
      }
    }
    return "started " + id;
  }

  @GET
  @Path("enqueue")
  public String enqueue(@QueryParam("id") String id, @QueryParam("partition") String partition) {
    queue.enqueue(
        () -> self.hold(id), EnqueueOptions.DEFAULT.withWorkflowId(id).withPartitionKey(partition));
    return "enqueued " + id;
  }

  @GET
  @Path("send")
  public String send(
      @QueryParam("to") String to,
      @QueryParam("topic") String topic,
      @QueryParam("text") String text) {
    dbos.send(to, text, topic);
    return "sent";
  }

  /** An hourly schedule of {@link #tick}: no tick comes during a test run by itself. */
  @GET
  @Path("schedule")
  public String schedule(@QueryParam("name") String name) {
    if (dbos.getSchedule(name).isEmpty()) {
      dbos.createSchedule(WorkflowSchedule.of(name, ConsoleProbes.class, "tick", "0 0 * * * *"));
    }
    return "scheduled " + name;
  }
}
