package io.dbosee.internal.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbosee.internal.engine.db.OperationsOverview.QueueActivity;
import jakarta.json.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleQueuesTest {

  @Test
  void aQueueSumsItsPartitionsAndWaitsSinceItsOldestEnqueuedWorkflow() {
    List<QueueActivity> rows =
        List.of(
            new QueueActivity("orders", "tenant-a", 2, 1, 4_000L),
            new QueueActivity("orders", "tenant-b", 0, 1, null),
            new QueueActivity("orders", "tenant-c", 1, 0, 9_000L));

    String json =
        ConsoleQueues.withActivity(Json.createObjectBuilder().add("name", "orders"), rows, 10_000)
            .build()
            .toString();

    assertThat(json)
        .isEqualTo(
            "{\"name\":\"orders\",\"enqueued\":3,\"running\":2,\"partitions\":["
                + "{\"partition_key\":\"tenant-a\",\"enqueued\":2,\"running\":1,\"oldest_wait_ms\":6000},"
                + "{\"partition_key\":\"tenant-b\",\"enqueued\":0,\"running\":1,\"oldest_wait_ms\":null},"
                + "{\"partition_key\":\"tenant-c\",\"enqueued\":1,\"running\":0,\"oldest_wait_ms\":1000}],"
                + "\"oldest_wait_ms\":6000}");
  }

  @Test
  void anIdleQueueHasNoWaitAndAnUnpartitionedOneNoPartitions() {
    assertThat(
            ConsoleQueues.withActivity(Json.createObjectBuilder(), List.of(), 10_000)
                .build()
                .toString())
        .isEqualTo("{\"enqueued\":0,\"running\":0,\"partitions\":[],\"oldest_wait_ms\":null}");
    assertThat(
            ConsoleQueues.withActivity(
                    Json.createObjectBuilder(),
                    List.of(new QueueActivity("mail", null, 1, 0, 7_000L)),
                    10_000)
                .build()
                .toString())
        .isEqualTo("{\"enqueued\":1,\"running\":0,\"partitions\":[],\"oldest_wait_ms\":3000}");
  }
}
