package io.dbosee.internal.engine;

import static io.dbosee.internal.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.io.FileNotFoundException;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Once the engine's calls on a thread have returned, the thread keeps nothing of the engine's: a
 * server's pooled threads outlive the application, and an entry left in a thread-local would hold
 * its classes after it is undeployed (issue 28: Payara logged a leak for each such thread).
 */
class ThreadStateReleaseTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** Every wait parks at once, so that a sleeping workflow is resumed on another task. */
  private static final EngineConfig PARK_AT_ONCE =
      new EngineConfig("local", "v1", "dbos").withThreadHold(Duration.ZERO);

  private final EngineHarness harness = new EngineHarness();
  private final AtomicReference<DBOSEngine> engine = new AtomicReference<>();

  /** The executor threads that kept the engine's state after a task, and how many were checked. */
  private final Queue<String> kept = new ConcurrentLinkedQueue<>();

  private final AtomicInteger checked = new AtomicInteger();

  /** A cached pool that checks, on the task's own thread, what each task left behind. */
  private final ThreadPoolExecutor executor =
      new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>()) {
        @Override
        protected void afterExecute(Runnable task, Throwable failure) {
          DBOSEngine running = engine.get();
          if (running != null && running.holdsThreadState()) {
            kept.add(Thread.currentThread().getName());
          }
          checked.incrementAndGet();
        }
      };

  private final WorkflowSpec greet =
      new WorkflowSpec(
          "greet",
          String.class,
          new Class<?>[] {String.class},
          (e, args) -> {
            step(e, "sign", () -> "signed");
            if ("fail".equals(args[0])) {
              throw new FileNotFoundException("no " + args[0]);
            }
            return "hello " + args[0];
          });

  private final WorkflowSpec sleeper =
      new WorkflowSpec(
          "sleeper",
          String.class,
          new Class<?>[0],
          (e, args) -> {
            e.sleep(Duration.ofMillis(200));
            return step(e, "after", () -> "awake");
          });

  /** Returns a stage: a call starts it in the background. */
  private final WorkflowSpec greetLater =
      new WorkflowSpec(
          "greetLater",
          java.util.concurrent.CompletionStage.class,
          new Class<?>[] {String.class},
          (e, args) -> java.util.concurrent.CompletableFuture.completedFuture("later " + args[0]));

  @AfterEach
  void stop() {
    harness.close();
  }

  private DBOSEngine start() {
    DBOSEngine started =
        harness.engine(
            PARK_AT_ONCE,
            executor,
            List.of(QueueDefinition.unlimited("q").withPollingInterval(Duration.ofMillis(50))),
            greet,
            sleeper,
            greetLater);
    engine.set(started);
    return started;
  }

  @Test
  void theCallersThreadKeepsNothingAfterWorkflowsStepsAndStarts() throws Exception {
    DBOSEngine dbos = start();

    assertThat(greet.call("Ann")).isEqualTo("hello Ann");
    assertThat(dbos.holdsThreadState()).as("after a workflow").isFalse();

    assertThat(greet.callWithId("greet-bob", "Bob")).isEqualTo("hello Bob");
    assertThat(dbos.holdsThreadState()).as("after a workflow with its id").isFalse();

    assertThatThrownBy(() -> greet.call("fail")).isInstanceOf(FileNotFoundException.class);
    assertThat(dbos.holdsThreadState()).as("after a failed workflow").isFalse();

    assertThat(step(dbos, "plain", () -> "plain")).isEqualTo("plain");
    assertThat(dbos.holdsThreadState()).as("after a step outside a workflow").isFalse();

    try (AutoCloseable timeout = dbos.assignTimeout(Duration.ofMinutes(1))) {
      assertThat(greet.start(StartSpec.background(), "Cy").getResult(WAIT)).isEqualTo("hello Cy");
    }
    assertThat(dbos.holdsThreadState()).as("after a background start").isFalse();

    assertThat(greet.start(StartSpec.onQueue("q"), "Di").getResult(WAIT)).isEqualTo("hello Di");
    assertThat(dbos.holdsThreadState()).as("after an enqueue").isFalse();

    Object stage = greetLater.call("Gus");
    assertThat(dbos.holdsThreadState()).as("after a call that returned a stage").isFalse();
    assertThat(((java.util.concurrent.CompletionStage<?>) stage).toCompletableFuture().get())
        .isEqualTo("later Gus");

    assertThatThrownBy(() -> dbos.start(StartSpec.background(), () -> "no workflow"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(dbos.holdsThreadState()).as("after a start that called nothing").isFalse();
  }

  @Test
  void executorThreadsKeepNothingAfterTheWorkflowsTheyRan() throws Exception {
    DBOSEngine dbos = start();
    int before = checked.get();

    assertThat(greet.start(StartSpec.background(), "Ed").getResult(WAIT)).isEqualTo("hello Ed");
    assertThat(greet.start(StartSpec.onQueue("q"), "Flo").getResult(WAIT)).isEqualTo("hello Flo");
    assertThat(sleeper.start(StartSpec.background()).getResult(WAIT)).isEqualTo("awake");
    await().atMost(WAIT).until(() -> dbos.parkedWorkflows() == 0);

    // Each workflow's task ends a moment after its result is there: wait for their checks.
    await().atMost(WAIT).until(() -> checked.get() - before >= 4);
    assertThat(kept).as("executor threads that kept the engine's state").isEmpty();
  }
}
