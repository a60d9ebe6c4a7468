package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbosee.WorkflowQueue;
import io.dbosee.testing.TestPostgres;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The partition limits of {@code @WorkflowQueue} and of the {@code dbos.queue."<name>".partition-*}
 * keys reach the engine: the {@code queues} row each start writes shows the limits it enforces.
 */
class CdiPartitionLimitsTest {
  private final TestPostgres.Database database = TestPostgres.newDatabase();
  private WeldContainer container;

  @WorkflowQueue(
      name = "tenants",
      partitioned = true,
      concurrency = 10,
      workerConcurrency = 5,
      partitionConcurrency = 2,
      partitionWorkerConcurrency = 1,
      partitionRateLimitMax = 6,
      partitionRateLimitPeriodSeconds = 30)
  @ApplicationScoped
  public static class Declarations {}

  /** A queue declared partitioned when its queue-wide limits held for each key. */
  @WorkflowQueue(name = "legacy", partitioned = true, concurrency = 1)
  @ApplicationScoped
  public static class LegacyDeclaration {}

  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final Logger library = Logger.getLogger("io.dbosee");
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          warnings.add(record.getLevel() + " " + record.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @AfterEach
  void stop() {
    library.removeHandler(capture);
    if (container != null) {
      container.close();
    }
    CdiTestSupport.releaseConfig();
  }

  private String row(String queue) {
    return CdiTestSupport.query(
        database,
        "SELECT (concurrency, worker_concurrency, partition_queue, partition_concurrency,"
            + " partition_worker_concurrency, partition_rate_limit_max,"
            + " partition_rate_limit_period_sec)::text FROM dbos.queues WHERE name = ?",
        queue);
  }

  @Test
  void theAnnotationDeclaresThePartitionLimits() {
    container = CdiTestSupport.start(CdiTestSupport.systemDatabase(database), Declarations.class);

    assertThat(row("tenants")).isEqualTo("(10,5,t,2,1,6,30)");
  }

  @Test
  void configurationOverridesThemAndDeclaresThemForAQueueOfItsOwn() {
    Map<String, String> properties = new HashMap<>(CdiTestSupport.systemDatabase(database));
    properties.put("dbos.queue.\"tenants\".partition-concurrency", "3");
    properties.put("dbos.queue.\"tenants\".partition-worker-concurrency", "2");
    properties.put("dbos.queue.\"tenants\".partition-rate-limit-max", "0");
    properties.put("dbos.queue.\"tenants\".partition-rate-limit-period-seconds", "0");
    properties.put("dbos.queue.\"regions\".partitioned", "true");
    properties.put("dbos.queue.\"regions\".partition-rate-limit-max", "4");
    properties.put("dbos.queue.\"regions\".partition-rate-limit-period-seconds", "0.5");
    container = CdiTestSupport.start(properties, Declarations.class);

    assertThat(row("tenants")).isEqualTo("(10,5,t,3,2,,)");
    assertThat(row("regions")).isEqualTo("(,,t,,,4,0.5)");
  }

  @Test
  void aPartitionedQueueWithoutPartitionLimitsIsWarnedAboutWithTheChangedMeaning() {
    library.addHandler(capture);
    container =
        CdiTestSupport.start(
            CdiTestSupport.systemDatabase(database), Declarations.class, LegacyDeclaration.class);

    assertThat(warnings.stream().filter(w -> w.contains("DBOS-CDI-083")))
        .singleElement()
        .asString()
        .startsWith("WARNING")
        .contains("Queue 'legacy' is partitioned but sets no partition limit")
        .contains("its concurrency 1 hold(s) for the whole queue")
        .contains("dbos.queue.\"legacy\".partition-*")
        .contains("declare the queue not partitioned");
    assertThat(row("legacy")).isEqualTo("(1,,t,,,,)");
  }
}
