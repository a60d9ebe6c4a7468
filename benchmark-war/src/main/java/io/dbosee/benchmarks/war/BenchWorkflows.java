package io.dbosee.benchmarks.war;

import io.dbosee.DBOS;
import io.dbosee.Step;
import io.dbosee.Transaction;
import io.dbosee.Workflow;
import io.dbosee.WorkflowQueue;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The benchmark's workflows, written as an application writes them: steps called through an
 * injected self-reference (CDI does not intercept calls through {@code this}).
 */
@WorkflowQueue(name = BenchWorkflows.QUEUE)
@ApplicationScoped
public class BenchWorkflows {
  static final String QUEUE = "bench-queue";

  @Inject BenchWorkflows self;
  @Inject DBOS dbos;

  @PersistenceContext(unitName = "bench")
  EntityManager em;

  /** A workflow of {@code steps} no-op steps. */
  @Workflow
  public String noopSteps(int steps) {
    for (int i = 0; i < steps; i++) {
      self.noop();
    }
    return "done";
  }

  @Step
  public String noop() {
    return "";
  }

  /**
   * The sample's workflow ({@code GET /workflow}): a step, five durable one-second sleeps, a step.
   * It returns a stage, so that its caller holds no thread while it sleeps.
   */
  @Workflow
  public CompletionStage<String> waiting() {
    self.noop();
    for (int i = 0; i < 5; i++) {
      dbos.sleep(Duration.ofSeconds(1));
    }
    self.noop();
    return CompletableFuture.completedFuture("waited");
  }

  /** A workflow of one transaction step that inserts the order {@code (workflow id, 42)}. */
  @Workflow
  public String order() {
    self.insertOrder(dbos.workflowId().orElseThrow());
    return "ordered";
  }

  @Transaction
  public void insertOrder(String id) {
    em.persist(new BenchOrder(id, 42));
  }
}
