package io.dbosee.benchmarks;

import dev.dbos.transact.DBOS;
import dev.dbos.transact.workflow.Workflow;
import io.dbosee.benchmarks.floor.Orders;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;

/** The same workflow for the DBOS Java SDK: n inline steps ({@code runStep}), each a no-op. */
public class DbosWorkflowsImpl implements DbosWorkflows {
  /** When each workflow's body started, for enqueue-to-start latency. */
  static final Map<String, Long> STARTED_AT = new ConcurrentHashMap<>();

  static volatile CountDownLatch parkedIn = new CountDownLatch(0);
  static volatile CountDownLatch releaseParked = new CountDownLatch(0);
  static volatile boolean recordStarts;

  private final DBOS dbos;
  private final DataSource application;

  DbosWorkflowsImpl(DBOS dbos, DataSource application) {
    this.dbos = dbos;
    this.application = application;
  }

  /**
   * One step that inserts an order row in a transaction of its own: DBOS Java has no transaction
   * step, so this is the step its documentation would have the application write (the insert and
   * the step's checkpoint commit separately).
   */
  @Workflow(name = "order")
  @Override
  public String order() throws SQLException {
    return dbos.runStep(
        () -> {
          try (Connection c = application.getConnection()) {
            c.setAutoCommit(false);
            Orders.insert(c, DBOS.workflowId());
            c.commit();
          }
          return "ordered";
        },
        "order");
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
