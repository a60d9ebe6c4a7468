package io.dbosee.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbosee.WorkflowHandle;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The limits of each partition of a partitioned queue (the DBOS SDKs' partition concurrency,
 * partition worker concurrency and partition rate limit), with the queue-wide limits beside them,
 * on two servers sharing one system database.
 */
class PartitionLimitsTest {
  /** Long enough that only a wake-up, never the polling fallback, can start work in a test. */
  private static final Duration NO_POLLING = Duration.ofHours(1);

  private static final Duration WAIT = Duration.ofSeconds(30);

  /** A limit that is reached is watched this long to see that it is not exceeded. */
  private static final Duration HOLDS = Duration.ofMillis(500);

  private final EngineHarness harness = new EngineHarness();

  /** Which server each engine is, for the workflows to tell where they run. */
  private final Map<DBOSEngine, String> servers = new IdentityHashMap<>();

  /** The workflows of each partition key running now, and the most at once. */
  private final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();

  private final Map<String, AtomicInteger> most = new ConcurrentHashMap<>();

  /** Partition keys whose workflows wait for their latch before finishing. */
  private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();

  @AfterEach
  void stop() {
    gates.values().forEach(CountDownLatch::countDown);
    harness.close();
  }

  /** Counts itself running under its partition key, and under "server/key", until its gate. */
  private WorkflowSpec work() {
    return new WorkflowSpec(
        "work",
        String.class,
        new Class<?>[] {String.class},
        (engine, args) -> {
          String key = (String) args[0];
          List<String> counted = List.of(key, servers.get(engine) + "/" + key, "all");
          for (String c : counted) {
            int now = running.computeIfAbsent(c, k -> new AtomicInteger()).incrementAndGet();
            most.computeIfAbsent(c, k -> new AtomicInteger()).accumulateAndGet(now, Math::max);
          }
          try {
            CountDownLatch gate = gates.get(key);
            if (gate != null && !gate.await(60, TimeUnit.SECONDS)) {
              throw new IllegalStateException("the gate of " + key + " never opened");
            }
          } finally {
            counted.forEach(c -> running.get(c).decrementAndGet());
          }
          return key;
        });
  }

  private static QueueDefinition partitionedQueue(PartitionLimits limits) {
    return QueueDefinition.unlimited("q")
        .withPollingInterval(NO_POLLING)
        .withPartitioned(true)
        .withPartitionLimits(limits);
  }

  /** Two servers a and b, each running {@code queue}, with copies of one workflow. */
  private List<WorkflowSpec> twoServers(QueueDefinition queue) {
    WorkflowSpec onA = work();
    WorkflowSpec onB = onA.copy();
    servers.put(harness.engine("a", List.of(queue), onA), "a");
    servers.put(harness.engine("b", List.of(queue), onB), "b");
    return List.of(onA, onB);
  }

  /** Enqueues {@code count} workflows on partition {@code key}, alternately through a and b. */
  private List<WorkflowHandle<Object, Exception>> enqueue(
      List<WorkflowSpec> specs, String key, int count) {
    List<WorkflowHandle<Object, Exception>> handles = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      handles.add(
          specs.get(i % specs.size()).start(StartSpec.onQueue("q").withPartitionKey(key), key));
    }
    return handles;
  }

  private int runningNow(String counter) {
    AtomicInteger n = running.get(counter);
    return n == null ? 0 : n.get();
  }

  private int mostAtOnce(String counter) {
    AtomicInteger n = most.get(counter);
    return n == null ? 0 : n.get();
  }

  private static void awaitAll(List<WorkflowHandle<Object, Exception>> handles) throws Exception {
    for (WorkflowHandle<Object, Exception> handle : handles) {
      handle.getResult(WAIT);
    }
  }

  @Test
  void partitionConcurrencyHoldsExactlyForEachKeyAcrossServersWhileOtherKeysProceed()
      throws Exception {
    List<WorkflowSpec> specs =
        twoServers(partitionedQueue(PartitionLimits.NONE.withConcurrency(2)));
    gates.put("red", new CountDownLatch(1));
    gates.put("blue", new CountDownLatch(1));
    List<WorkflowHandle<Object, Exception>> red = enqueue(specs, "red", 5);
    List<WorkflowHandle<Object, Exception>> blue = enqueue(specs, "blue", 5);

    // Each key runs its two, on whichever servers, and no more while they hold their slots.
    await().atMost(WAIT).until(() -> runningNow("red") == 2 && runningNow("blue") == 2);
    await()
        .during(HOLDS)
        .atMost(WAIT)
        .until(() -> runningNow("red") == 2 && runningNow("blue") == 2);
    // A key with free slots proceeds while the others are full.
    awaitAll(enqueue(specs, "green", 3));

    gates.get("red").countDown();
    awaitAll(red);
    assertThat(runningNow("blue")).as("blue still holds its slots").isEqualTo(2);
    gates.get("blue").countDown();
    awaitAll(blue);

    assertThat(mostAtOnce("red")).isEqualTo(2);
    assertThat(mostAtOnce("blue")).isEqualTo(2);
    assertThat(mostAtOnce("all")).as("the keys ran side by side").isGreaterThanOrEqualTo(4);
    assertThat(harness.query("SELECT count(DISTINCT executor_id) FROM dbos.workflow_status"))
        .isEqualTo("2");
  }

  @Test
  void partitionWorkerConcurrencyHoldsForEachKeyOnEachServer() throws Exception {
    List<WorkflowSpec> specs =
        twoServers(partitionedQueue(PartitionLimits.NONE.withWorkerConcurrency(1)));
    gates.put("red", new CountDownLatch(1));
    gates.put("blue", new CountDownLatch(1));
    List<WorkflowHandle<Object, Exception>> handles = new ArrayList<>(enqueue(specs, "red", 4));
    handles.addAll(enqueue(specs, "blue", 4));

    // One of each key on each server: two of each key in all.
    await().atMost(WAIT).until(() -> runningNow("red") == 2 && runningNow("blue") == 2);
    await()
        .during(HOLDS)
        .atMost(WAIT)
        .until(() -> runningNow("red") == 2 && runningNow("blue") == 2);
    gates.values().forEach(CountDownLatch::countDown);
    awaitAll(handles);

    for (String server : List.of("a", "b")) {
      for (String key : List.of("red", "blue")) {
        assertThat(mostAtOnce(server + "/" + key)).as("%s on server %s", key, server).isOne();
      }
    }
  }

  @Test
  void aPartitionRateLimitGivesEachKeyItsOwnWindow() throws Exception {
    long periodMs = 1500;
    List<WorkflowSpec> specs =
        twoServers(
            partitionedQueue(PartitionLimits.NONE.withRateLimit(2, Duration.ofMillis(periodMs))));
    List<WorkflowHandle<Object, Exception>> handles = new ArrayList<>(enqueue(specs, "red", 4));
    handles.addAll(enqueue(specs, "blue", 4));
    awaitAll(handles);

    for (String key : List.of("red", "blue")) {
      List<Long> starts = starts("WHERE queue_partition_key = ?", key);
      assertThat(starts).hasSize(4);
      for (int i = 2; i < starts.size(); i++) {
        assertThat(starts.get(i) - starts.get(i - 2))
            .as("the third start of %s within one window", key)
            .isGreaterThanOrEqualTo(periodMs);
      }
    }
    // Each key spends its own window: four starts in the first, two of each.
    List<Long> all = starts("WHERE queue_partition_key IS NOT NULL");
    assertThat(all.get(3) - all.get(0)).isLessThan(periodMs);
  }

  @Test
  void theQueueWideLimitsHoldAcrossThePartitionsBesideTheirOwn() throws Exception {
    List<WorkflowSpec> specs =
        twoServers(partitionedQueue(PartitionLimits.NONE.withConcurrency(2)).withConcurrency(3));
    gates.put("red", new CountDownLatch(1));
    gates.put("blue", new CountDownLatch(1));
    List<WorkflowHandle<Object, Exception>> handles = new ArrayList<>(enqueue(specs, "red", 4));
    handles.addAll(enqueue(specs, "blue", 4));

    await().atMost(WAIT).until(() -> runningNow("all") == 3);
    await().during(HOLDS).atMost(WAIT).until(() -> runningNow("all") == 3);
    assertThat(runningNow("red")).isBetween(1, 2);
    assertThat(runningNow("blue")).isBetween(1, 2);
    gates.values().forEach(CountDownLatch::countDown);
    awaitAll(handles);

    assertThat(mostAtOnce("all")).isEqualTo(3);
    assertThat(mostAtOnce("red")).isLessThanOrEqualTo(2);
    assertThat(mostAtOnce("blue")).isLessThanOrEqualTo(2);
  }

  @Test
  void aRowWithoutAPartitionKeyIsNotDequeuedAndTakesNoKeyPastItsLimit() throws Exception {
    WorkflowSpec work = work();
    servers.put(
        harness.engine(
            "a",
            List.of(
                partitionedQueue(PartitionLimits.NONE.withConcurrency(1))
                    .withPollingInterval(Duration.ofMillis(50))),
            work),
        "a");
    gates.put("red", new CountDownLatch(1));
    List<WorkflowHandle<Object, Exception>> red = enqueue(List.of(work), "red", 2);
    await().atMost(WAIT).until(() -> runningNow("red") == 1);

    // As SQL or another SDK may write it on a partitioned queue: no key.
    String keyless =
        harness.query(
            "SELECT dbos.enqueue_workflow('work', 'q', ARRAY['\"none\"'::json],"
                + " class_name => 'test.Workflows')");
    await()
        .during(HOLDS)
        .atMost(WAIT)
        .until(() -> runningNow("red") == 1 && "ENQUEUED".equals(harness.status(keyless)));

    gates.get("red").countDown();
    awaitAll(red);
    assertThat(mostAtOnce("red")).isOne();
    assertThat(harness.status(keyless)).as("as the SDKs leave it").isEqualTo("ENQUEUED");
  }

  @Test
  void eachDeclaredQueueIsRecordedInTheQueuesTableAsTheSdksWriteIt() {
    QueueDefinition tenants =
        partitionedQueue(new PartitionLimits(3, 2, 10, Duration.ofMillis(2500)))
            .withConcurrency(8)
            .withWorkerConcurrency(4)
            .withRateLimit(100, Duration.ofSeconds(60))
            .withPollingInterval(Duration.ofMillis(1500));
    QueueDefinition plain = QueueDefinition.unlimited("plain").withPriorityEnabled(true);
    harness.engine("a", List.of(tenants, plain), work()).close();

    String columns =
        "concurrency, worker_concurrency, rate_limit_max, rate_limit_period_sec,"
            + " priority_enabled, partition_queue, partition_concurrency,"
            + " partition_worker_concurrency, partition_rate_limit_max,"
            + " partition_rate_limit_period_sec, polling_interval_sec,"
            + " application_name IS NULL, created_at > 0 AND updated_at >= created_at";
    assertThat(row(columns, "q")).isEqualTo("(8,4,100,60,f,t,3,2,10,2.5,1.5,t,t)");
    assertThat(row(columns, "plain")).isEqualTo("(,,,,t,f,,,,,1,t,t)");
    assertThat(harness.query("SELECT count(*) FROM dbos.queues"))
        .as("not the internal queue")
        .isEqualTo("2");

    // The next start records its own declaration; an owner another SDK recorded stays.
    harness.query(
        "UPDATE dbos.queues SET application_name = 'billing' WHERE name = 'q' RETURNING 1");
    harness.engine(
        "b", List.of(partitionedQueue(PartitionLimits.NONE.withConcurrency(1)), plain), work());
    assertThat(row(columns.replace("application_name IS NULL", "application_name"), "q"))
        .isEqualTo("(,,,,f,t,1,,,,3600,billing,t)");
  }

  private String row(String columns, String queue) {
    return harness.query("SELECT (" + columns + ")::text FROM dbos.queues WHERE name = ?", queue);
  }

  private List<Long> starts(String where, Object... parameters) {
    return harness
        .queryColumn(
            "SELECT started_at_epoch_ms FROM dbos.workflow_status "
                + where
                + " ORDER BY started_at_epoch_ms",
            parameters)
        .stream()
        .map(Long::valueOf)
        .toList();
  }
}
