package io.dbosee.internal.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbosee.internal.engine.PartitionLimits;
import io.dbosee.internal.engine.QueueDefinition;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What {@code GET /dbos-workflow-queues-metadata} says of one queue. */
class AdminQueueMetadataTest {
  @Test
  void aPartitionedQueueShowsItsQueueWideAndPartitionLimits() {
    QueueDefinition tenants =
        QueueDefinition.unlimited("tenants")
            .withPartitioned(true)
            .withConcurrency(10)
            .withPartitionLimits(new PartitionLimits(2, 1, 5, Duration.ofMillis(1500)));

    assertThat(OperationsEndpoints.queueMetadata(tenants).toString())
        .isEqualTo(
            "{\"name\":\"tenants\",\"concurrency\":10,\"priorityEnabled\":false,"
                + "\"partitionQueue\":true,\"partitionConcurrency\":2,"
                + "\"partitionWorkerConcurrency\":1,"
                + "\"partitionRateLimit\":{\"limit\":5,\"period\":1.5}}");
  }

  @Test
  void limitsThatAreNotSetAreLeftOut() {
    assertThat(
            OperationsEndpoints.queueMetadata(
                    QueueDefinition.unlimited("plain").withRateLimit(3, Duration.ofSeconds(2)))
                .toString())
        .isEqualTo(
            "{\"name\":\"plain\",\"rateLimit\":{\"limit\":3,\"period\":2.0},"
                + "\"priorityEnabled\":false,\"partitionQueue\":false}");
  }
}
