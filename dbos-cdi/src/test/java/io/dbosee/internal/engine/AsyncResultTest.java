package io.dbosee.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbosee.DBOSInterruptedException;
import io.dbosee.DBOSNonExistentWorkflowException;
import io.dbosee.DBOSWorkflowCancelledException;
import io.dbosee.WorkflowHandle;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A handle's result as a stage: completed when the workflow ends, here or on another server,
 * without a thread held per waiting caller.
 */
class AsyncResultTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final EngineHarness harness = new EngineHarness();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() {
    harness.close();
  }

  /** Waits for {@link #release}, then returns its input or throws for "fail". */
  private final WorkflowSpec held =
      new WorkflowSpec(
          "held",
          String.class,
          new Class<?>[] {String.class},
          (engine, args) -> {
            release.await();
            if ("fail".equals(args[0])) {
              throw new IllegalArgumentException("declined: " + args[0]);
            }
            return "done " + args[0];
          });

  private static Throwable failureOf(CompletionStage<?> stage) throws InterruptedException {
    try {
      stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the stage did not complete", e);
    }
    throw new AssertionError("the stage completed normally");
  }

  private static Object resultOf(CompletionStage<?> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void theStageCompletesWhenAWorkflowRunningHereFinishes() throws Exception {
    harness.engine("local", held);
    WorkflowHandle<Object, Exception> handle = held.start(StartSpec.background(), "order-1");

    CompletableFuture<Object> stage = handle.getResultAsync().toCompletableFuture();
    assertThat(stage).isNotDone();
    release.countDown();

    assertThat(resultOf(stage)).isEqualTo("done order-1");
  }

  @Test
  void theWorkflowsOwnExceptionFailsTheStageAsItself() throws Exception {
    harness.engine("local", held);
    WorkflowHandle<Object, Exception> handle = held.start(StartSpec.background(), "fail");
    CompletionStage<Object> stage = handle.getResultAsync();
    release.countDown();

    assertThat(failureOf(stage))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("declined: fail");
    assertThat(failureOf(handle.getResultAsync()))
        .as("read back from the database once finished")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("declined: fail");
  }

  @Test
  void aWorkflowRunningOnAnotherServerIsFollowedThroughTheDatabase() throws Exception {
    DBOSEngine runner = harness.engine("runner", held);
    try (AutoCloseable id = runner.assignWorkflowId("elsewhere")) {
      held.start(StartSpec.background(), "remote");
    }
    // Started first: the spec starts its workflows on the engine it was bound to last.
    DBOSEngine watcher = harness.engine("watcher", held);
    CompletionStage<Object> stage = watcher.retrieveWorkflow("elsewhere").getResultAsync();
    assertThat(stage.toCompletableFuture()).isNotDone();

    release.countDown();

    assertThat(resultOf(stage)).isEqualTo("done remote");
  }

  @Test
  void aCancelledWorkflowFailsTheStage() throws Exception {
    DBOSEngine engine = harness.engine("local", held);
    WorkflowHandle<Object, Exception> handle = held.start(StartSpec.background(), "order-2");
    CompletionStage<Object> stage = handle.getResultAsync();

    engine.cancelWorkflow(handle.workflowId());
    release.countDown();

    assertThat(failureOf(stage)).isInstanceOf(DBOSWorkflowCancelledException.class);
  }

  @Test
  void aWorkflowDeletedWhileAwaitedFailsTheStage() throws Exception {
    DBOSEngine runner = harness.engine("runner", held);
    try (AutoCloseable id = runner.assignWorkflowId("doomed")) {
      held.start(StartSpec.background(), "x");
    }
    // Started first: the spec starts its workflows on the engine it was bound to last.
    DBOSEngine watcher = harness.engine("watcher", held);
    CompletionStage<Object> stage = watcher.retrieveWorkflow("doomed").getResultAsync();

    harness.query("DELETE FROM dbos.workflow_status WHERE workflow_uuid = 'doomed' RETURNING 1");

    assertThat(failureOf(stage)).isInstanceOf(DBOSNonExistentWorkflowException.class);
    release.countDown();
  }

  @Test
  void stoppingTheEngineEndsTheWaitNotTheWorkflow() throws Exception {
    DBOSEngine runner = harness.engine("runner", held);
    try (AutoCloseable id = runner.assignWorkflowId("outlives")) {
      held.start(StartSpec.background(), "y");
    }
    // Started first: the spec starts its workflows on the engine it was bound to last.
    DBOSEngine watcher = harness.engine("watcher", held);
    CompletionStage<Object> stage = watcher.retrieveWorkflow("outlives").getResultAsync();

    watcher.close();

    assertThat(failureOf(stage))
        .isInstanceOf(DBOSInterruptedException.class)
        .hasMessageContaining("only the wait ended");
    assertThat(failureOf(watcher.retrieveWorkflow("outlives").getResultAsync()))
        .as("asked after the stop")
        .isInstanceOf(DBOSInterruptedException.class);
    release.countDown();
    assertThat(runner.retrieveWorkflow("outlives").getResult(WAIT)).isEqualTo("done y");
  }

  @Test
  void aThousandCallersWaitOnParkedWorkflowsWithoutAThreadEach() throws Exception {
    int count = 1000;
    WorkflowSpec receiver =
        new WorkflowSpec(
            "receiver",
            String.class,
            new Class<?>[] {},
            (engine, args) -> {
              Optional<Object> message = engine.recv("t", String.class, Duration.ofMinutes(10));
              return (String) message.orElse("none");
            });
    // Four threads: the listener's and three for workflows. Blocking callers could not all wait.
    DBOSEngine engine =
        harness.engine(
            new EngineConfig("local", "v1", "dbos").withThreadHold(Duration.ZERO),
            Executors.newFixedThreadPool(4),
            List.of(),
            receiver);
    await().atMost(WAIT).until(engine::receivingNotifications);
    List<CompletableFuture<Object>> stages = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      try (AutoCloseable id = engine.assignWorkflowId("rx-" + i)) {
        stages.add(receiver.start(StartSpec.background()).getResultAsync().toCompletableFuture());
      }
    }
    await().atMost(WAIT).until(() -> engine.parkedWorkflows() == count);
    assertThat(stages).noneMatch(CompletableFuture::isDone);

    for (int i = 0; i < count; i++) {
      engine.send("rx-" + i, "hello " + i, "t", null);
    }

    CompletableFuture.allOf(stages.toArray(CompletableFuture[]::new))
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    for (int i = 0; i < count; i++) {
      assertThat(stages.get(i).join()).isEqualTo("hello " + i);
    }
  }
}
