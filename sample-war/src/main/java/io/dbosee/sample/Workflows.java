package io.dbosee.sample;

import io.dbosee.DBOS;
import io.dbosee.Step;
import io.dbosee.Workflow;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.logging.Logger;

/**
 * The DBOS tutorial's first workflow: step one, five durable one-second sleeps, step two. Kill the
 * server during the sleeps and start it again: the workflow resumes after step one, which does not
 * run again (see {@code GET /steps}).
 */
@ApplicationScoped
public class Workflows {
  private static final Logger LOG = Logger.getLogger(Workflows.class.getName());

  @Inject DBOS dbos;

  // Steps are called through this injected reference: CDI does not intercept calls through `this`.
  @Inject Workflows self;

  @Inject StepExecutions executions;

  @Step
  public void stepOne() {
    executions.record(currentWorkflowId(), "stepOne");
    LOG.info(">>> STEP 1 completed!");
  }

  @Step
  public void stepTwo() {
    executions.record(currentWorkflowId(), "stepTwo");
    LOG.info(">>> STEP 2 completed!");
  }

  /** Returns a stage: a call starts it in the background, and its caller holds no thread. */
  @Workflow
  public CompletionStage<String> workflow() {
    self.stepOne();
    for (int i = 0; i < 5; i++) {
      LOG.info("Press Control + C to stop the app...");
      dbos.sleep(Duration.ofSeconds(1));
    }
    self.stepTwo();
    return CompletableFuture.completedFuture("Workflow " + currentWorkflowId() + " completed");
  }

  private String currentWorkflowId() {
    return dbos.workflowId().orElse("(no workflow)");
  }
}
