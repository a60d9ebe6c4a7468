package io.dbosee.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WorkflowContextTest {

  private static WorkflowContext started() {
    return new WorkflowContext("wf", null, null, Map.of(), false, null, Long.MAX_VALUE);
  }

  @Test
  void theStatusIsNotReadAgainUntilTheIntervalHasPassedSinceItsLastRead() {
    long interval = TimeUnit.MILLISECONDS.toNanos(100);
    WorkflowContext context = started();

    // The start just read the row.
    assertThat(context.statusReadDue(interval)).isFalse();

    long since = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> System.nanoTime() - since >= interval);
    assertThat(context.statusReadDue(interval)).isTrue();
    // That checkpoint's read counts: the next one within the interval reads nothing.
    assertThat(context.statusReadDue(interval)).isFalse();
  }

  @Test
  void withNoIntervalEveryCheckpointReadsTheStatus() {
    WorkflowContext context = started();
    assertThat(context.statusReadDue(0)).isTrue();
    assertThat(context.statusReadDue(0)).isTrue();
  }
}
