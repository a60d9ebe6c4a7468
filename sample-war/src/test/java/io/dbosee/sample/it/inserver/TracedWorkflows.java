package io.dbosee.sample.it.inserver;

import io.dbosee.DBOS;
import io.dbosee.Scheduled;
import io.dbosee.Step;
import io.dbosee.Workflow;
import io.dbosee.WorkflowQueue;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;

/**
 * The tracing and metrics tests' workflows (test only, see {@code TracingIT} and {@code
 * MetricsIT}): each is traced as one workflow span with a span per step, and counted.
 */
@WorkflowQueue(name = TracedWorkflows.QUEUE)
@ApplicationScoped
public class TracedWorkflows {
  /** Where {@link TracingResource} enqueues {@link #fetchOnly}. */
  public static final String QUEUE = "traced";

  /** The topic {@link #waitForGo} waits on. */
  public static final String TOPIC = "go";

  /** The schedule of {@link #tick} (the sample's own schedule is off in the tests). */
  public static final String SCHEDULE = "traced-every-second";

  @Inject DBOS dbos;
  @Inject TracedWorkflows self;

  @Step
  public String fetch(String order) {
    return "fetched " + order;
  }

  @Step
  public String charge(String order) {
    throw new IllegalStateException("card declined for " + order);
  }

  @Step
  public String finish(String order, String message) {
    return order + " finished after " + message;
  }

  /** Two steps, the second failing: the workflow fails with it. */
  @Workflow
  public String order(String order) {
    return self.fetch(order) + ", " + self.charge(order);
  }

  /** One step, for the queue. */
  @Workflow
  public String fetchOnly(String order) {
    return self.fetch(order);
  }

  /** A step, then a wait for a message on {@link #TOPIC} (the test kills the server there). */
  @Workflow
  public String waitForGo(String order) {
    self.fetch(order);
    String message = dbos.recv(TOPIC, String.class, Duration.ofMinutes(5)).orElse("a timeout");
    return self.finish(order, message);
  }

  /** Ticks every second, for the schedule ticks' metric. */
  @Scheduled(cron = "* * * * * *", name = SCHEDULE)
  @Workflow
  public void tick(Instant scheduledTime, Instant actualTime) {}
}
