package io.dbosee.internal.engine;

import static io.dbosee.internal.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbosee.WorkflowHandle;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A workflow belongs to the application version that started it: a server of another version
 * neither recovers nor dequeues it, so in-flight work is never replayed against code it was not
 * recorded with.
 */
class ApplicationVersionTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final EngineHarness harness = new EngineHarness();
  private final ExecutorService callers = Executors.newCachedThreadPool();
  private final AtomicInteger runs = new AtomicInteger();
  private final CountDownLatch neverReleased = new CountDownLatch(1);

  @AfterEach
  void stop() {
    callers.shutdownNow();
    harness.close();
  }

  /** Blocks on its first run (the server dies there), finishes on later ones. */
  private WorkflowSpec blocksOnce() {
    return new WorkflowSpec(
        "blocksOnce",
        String.class,
        new Class<?>[0],
        (engine, args) -> {
          step(
              engine,
              "work",
              () -> {
                if (runs.incrementAndGet() == 1) {
                  neverReleased.await();
                }
                return 1;
              });
          return "done";
        });
  }

  @Test
  void recoveryLeavesAnotherVersionsPendingWorkflowsForAServerOfThatVersion() throws Exception {
    WorkflowSpec old = blocksOnce();
    DBOSEngine v1 = harness.engine("server-1", "v1", TimeSource.SYSTEM, List.of(), old);
    callers.submit(() -> old.callWithId("in-flight"));
    await().atMost(WAIT).until(() -> runs.get() == 1);
    harness.crash(v1);

    WorkflowSpec upgraded = old.copy();
    DBOSEngine v2 = harness.engine("server-1", "v2", TimeSource.SYSTEM, List.of(), upgraded);
    assertThat(v2.recoverPendingWorkflows()).isEmpty();
    assertThat(harness.status("in-flight")).isEqualTo("PENDING");

    WorkflowSpec sameVersion = old.copy();
    DBOSEngine v1Again =
        harness.engine("server-1", "v1", TimeSource.SYSTEM, List.of(), sameVersion);
    assertThat(v1Again.recoverPendingWorkflows()).containsExactly("in-flight");
    await().atMost(WAIT).until(() -> "SUCCESS".equals(harness.status("in-flight")));
    assertThat(v2.management().workflowStatus("in-flight").orElseThrow().applicationVersion())
        .isEqualTo("v1");
  }

  @Test
  void aQueuedWorkflowIsDequeuedOnlyByAServerOfItsVersion() throws Exception {
    runs.set(1); // never blocks
    QueueDefinition queue = QueueDefinition.unlimited("versioned");
    WorkflowSpec onV2 = blocksOnce();
    harness.engine("server-2", "v2", TimeSource.SYSTEM, List.of(queue), onV2);
    WorkflowSpec onV1 = onV2.copy();
    DBOSEngine v1 = harness.engine("server-1", "v1", TimeSource.SYSTEM, List.of(), onV1);
    // Enqueued by a v1 server that does not run the queue: only a v1 server may take it.
    v1.registerQueue(queue, false);
    WorkflowHandle<Object, Exception> handle =
        onV1.start(StartSpec.onQueue("versioned").withWorkflowId("queued-v1"));

    WorkflowSpec listening = onV2.copy();
    DBOSEngine v1Worker =
        harness.engine("server-3", "v1", TimeSource.SYSTEM, List.of(queue), listening);

    assertThat(handle.getResult(WAIT)).isEqualTo("done");
    assertThat(v1Worker.management().workflowStatus("queued-v1").orElseThrow().executorId())
        .as("the v2 server, listening first, did not take it")
        .isEqualTo("server-3");
  }
}
