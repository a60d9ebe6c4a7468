package io.dbosee.benchmarks;

import dev.dbos.transact.DBOS;
import dev.dbos.transact.workflow.Workflow;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/** The same workflow for the DBOS Java SDK: n inline steps ({@code runStep}), each a no-op. */
public class DbosWorkflowsImpl implements DbosWorkflows {
  /** When each workflow's body started, for enqueue-to-start latency. */
  static final Map<String, Long> STARTED_AT = new ConcurrentHashMap<>();

  static volatile CountDownLatch parkedIn = new CountDownLatch(0);
  static volatile CountDownLatch releaseParked = new CountDownLatch(0);
  static volatile boolean recordStarts;

  private final DBOS dbos;

  DbosWorkflowsImpl(DBOS dbos) {
    this.dbos = dbos;
  }

  @Workflow(name = "noopSteps")
  @Override
  public String noopSteps(int steps, int payloadBytes) {
    if (recordStarts) {
      STARTED_AT.put(DBOS.workflowId(), System.nanoTime());
    }
    for (int i = 0; i < steps; i++) {
      dbos.runStep(() -> Payloads.of(payloadBytes), "noop");
    }
    return "done";
  }

  @Workflow(name = "parked")
  @Override
  public String parked() throws InterruptedException {
    return dbos.runStep(
        () -> {
          parkedIn.countDown();
          releaseParked.await();
          return "released";
        },
        "wait");
  }
}
