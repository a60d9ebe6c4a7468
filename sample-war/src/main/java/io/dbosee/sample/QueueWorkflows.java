package io.dbosee.sample;

import io.dbosee.DBOS;
import io.dbosee.Queue;
import io.dbosee.QueueName;
import io.dbosee.Step;
import io.dbosee.Workflow;
import io.dbosee.WorkflowHandle;
import io.dbosee.WorkflowQueue;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The DBOS tutorial's queue example: a workflow enqueues ten steps on {@code example-queue}, which
 * run side by side on the server's managed executor, and waits for all of them. Kill the server
 * while they run and start it again: the steps that had finished are not run again (see {@code GET
 * /steps}).
 */
@WorkflowQueue(name = "example-queue")
@ApplicationScoped
public class QueueWorkflows {
  private static final Logger LOG = Logger.getLogger(QueueWorkflows.class.getName());

  @Inject DBOS dbos;
  @Inject QueueWorkflows self;
  @Inject StepExecutions executions;

  @Inject
  @QueueName("example-queue")
  Queue queue;

  /** How long each step works; the tutorial's five seconds unless configured. */
  @Inject
  @ConfigProperty(name = "sample.queue.step-seconds", defaultValue = "5")
  double stepSeconds;

  @Step
  public void queueStep(int i) throws InterruptedException {
    Thread.sleep(Duration.ofMillis((long) (stepSeconds * 1000)).toMillis());
    executions.record(dbos.workflowId().orElse("(no workflow)"), "queueStep");
    LOG.info("Step " + i + " completed!");
  }

  @Workflow
  public String queueWorkflow() throws InterruptedException {
    LOG.info("Enqueueing steps");
    List<WorkflowHandle<Void, InterruptedException>> handles = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      int step = i;
      handles.add(queue.enqueue(() -> self.queueStep(step)));
    }
    for (WorkflowHandle<Void, InterruptedException> handle : handles) {
      handle.getResult();
    }
    LOG.info("Successfully completed " + handles.size() + " steps");
    return "Successfully completed " + handles.size() + " steps";
  }
}
