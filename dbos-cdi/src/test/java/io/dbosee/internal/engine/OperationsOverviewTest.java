package io.dbosee.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbosee.ListWorkflowsInput;
import io.dbosee.WorkflowState;
import io.dbosee.internal.engine.db.OperationsOverview;
import io.dbosee.internal.engine.db.OperationsOverview.QueueActivity;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The console's reads: counts by status, queue depth by partition, versions, a workflow's mail. */
class OperationsOverviewTest {
  private final EngineHarness harness = new EngineHarness();

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void countsEachStatusUnderTheListingsOtherFilters() throws SQLException {
    DBOSEngine engine = harness.engine("server-1");
    insert("a-1", "SUCCESS", "report", null, null, 1_000);
    insert("a-2", "SUCCESS", "report", null, null, 2_000);
    insert("a-3", "ERROR", "report", null, null, 3_000);
    insert("b-1", "ERROR", "invoice", null, null, 4_000);

    Map<WorkflowState, Long> byName =
        engine
            .management()
            .countByStatus(
                ListWorkflowsInput.ALL.withName("report").withStatuses(WorkflowState.ERROR));

    // The status filter is left aside: the counts are what each status chip would show.
    assertThat(byName)
        .containsOnly(Map.entry(WorkflowState.SUCCESS, 2L), Map.entry(WorkflowState.ERROR, 1L));
    assertThat(engine.management().countByStatus(ListWorkflowsInput.ALL.withWorkflowIdPrefix("b-")))
        .containsOnly(Map.entry(WorkflowState.ERROR, 1L));
  }

  @Test
  void queueActivityCountsWaitingAndRunningWorkflowsByPartitionWithTheOldestWait()
      throws SQLException {
    DBOSEngine engine = harness.engine("server-1");
    insert("q-1", "ENQUEUED", "task", "orders", "tenant-a", 5_000);
    insert("q-2", "ENQUEUED", "task", "orders", "tenant-a", 4_000);
    insert("q-3", "PENDING", "task", "orders", "tenant-b", 3_000);
    insert("q-4", "SUCCESS", "task", "orders", "tenant-b", 2_000);
    insert("q-5", "ENQUEUED", "task", "mail", null, 7_000);

    assertThat(engine.overview().queueActivity())
        .containsExactly(
            new QueueActivity("mail", null, 1, 0, 7_000L),
            new QueueActivity("orders", "tenant-a", 2, 0, 4_000L),
            new QueueActivity("orders", "tenant-b", 0, 1, null));
  }

  @Test
  void aWorkflowsMessagesEventsStreamsAndForksAreRead() throws SQLException {
    DBOSEngine engine = harness.engine("server-1");
    insert("w", "PENDING", "report", null, null, 1_000);
    insert("w-fork", "SUCCESS", "report", null, null, 2_000);
    update("UPDATE dbos.workflow_status SET forked_from = 'w' WHERE workflow_uuid = 'w-fork'");
    update(
        "INSERT INTO dbos.notifications (destination_uuid, topic, message, created_at_epoch_ms)"
            + " VALUES ('w', 'orders', '\"order-7\"', 10)");
    update(
        "INSERT INTO dbos.workflow_events (workflow_uuid, key, value) VALUES ('w', 'stage', '\"2\"')");
    update(
        "INSERT INTO dbos.streams (workflow_uuid, key, value, \"offset\") VALUES ('w', 'log', '1',"
            + " 0), ('w', 'log', '2', 1), ('w', 'log', '__DBOS_STREAM_CLOSED__', 2), ('w', 'json', '1',"
            + " 0), ('w', 'json', '\"__DBOS_STREAM_CLOSED__\"', 1), ('w', 'open', '1', 0)");

    OperationsOverview overview = engine.overview();

    assertThat(overview.messages("w"))
        .containsExactly(new OperationsOverview.Message("orders", "\"order-7\"", 10, false));
    assertThat(overview.events("w"))
        .containsExactly(new OperationsOverview.Event("stage", "\"2\""));
    assertThat(overview.streams("w"))
        .containsExactly(
            new OperationsOverview.StreamSummary("json", 1, true),
            new OperationsOverview.StreamSummary("log", 2, true),
            new OperationsOverview.StreamSummary("open", 1, false));
    assertThat(overview.forks("w"))
        .containsExactly(new OperationsOverview.Fork("w-fork", "SUCCESS", 2_000));
    assertThat(overview.forks("w-fork")).isEmpty();
  }

  @Test
  void versionsAndTheServersLeasesAreListed() {
    DBOSEngine engine = harness.engine("server-1");

    assertThat(engine.overview().applicationVersions())
        .extracting(OperationsOverview.ApplicationVersion::name)
        .containsExactly(engine.config().applicationVersion());
    assertThat(engine.overview().executorLeases())
        .singleElement()
        .satisfies(
            lease -> {
              assertThat(lease.executorId()).isEqualTo("server-1");
              assertThat(lease.leaseUntil()).isGreaterThan(lease.renewedAt());
            });
  }

  private void insert(
      String id, String status, String name, String queue, String partition, long createdAt)
      throws SQLException {
    try (Connection c = harness.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO dbos.workflow_status (workflow_uuid, status, name, queue_name,"
                    + " queue_partition_key, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, id);
      ps.setString(2, status);
      ps.setString(3, name);
      ps.setString(4, queue);
      ps.setString(5, partition);
      ps.setLong(6, createdAt);
      ps.executeUpdate();
    }
  }

  private void update(String sql) throws SQLException {
    try (Connection c = harness.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.executeUpdate();
    }
  }
}
