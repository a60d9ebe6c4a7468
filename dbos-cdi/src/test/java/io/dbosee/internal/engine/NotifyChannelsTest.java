package io.dbosee.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Since migrations 43 and 44 dropped the triggers that announced event and stream writes, every
 * writer sends those notifications itself; another SDK's {@code getEvent} or {@code readStream}
 * waiting on the channels must still wake when a workflow of ours writes.
 */
class NotifyChannelsTest {
  private final EngineHarness harness = new EngineHarness();

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void eventAndStreamWritesNotifyTheChannelsOtherSdksListenOn() throws Exception {
    WorkflowSpec writer =
        new WorkflowSpec(
            "writer",
            String.class,
            new Class<?>[] {},
            (engine, args) -> {
              engine.setEvent("status", "paid");
              engine.writeStream("progress", 1);
              engine.closeStream("progress");
              return "written";
            });
    harness.engine("local", writer);

    try (Connection listener = harness.dataSource().getConnection();
        Statement ls = listener.createStatement()) {
      ls.execute("LISTEN dbos_workflow_events_channel");
      ls.execute("LISTEN dbos_streams_channel");
      PGConnection pg = listener.unwrap(PGConnection.class);

      assertThat(writer.callWithId("w-1")).isEqualTo("written");

      List<String> received = new ArrayList<>();
      try (Connection c = harness.dataSource().getConnection();
          Statement s = c.createStatement()) {
        // Sent last: everything the workflow committed before it has been announced by now.
        s.execute("NOTIFY dbos_streams_channel, 'marker'");
      }
      while (!received.contains("dbos_streams_channel marker")) {
        PGNotification[] batch = pg.getNotifications(10_000);
        assertThat(batch).as("notifications within 10 s").isNotEmpty();
        for (PGNotification n : batch) {
          received.add(n.getName() + " " + n.getParameter());
        }
      }
      assertThat(received)
          .contains(
              "dbos_workflow_events_channel w-1::status", "dbos_streams_channel w-1::progress")
          .endsWith("dbos_streams_channel marker");
    }
  }
}
