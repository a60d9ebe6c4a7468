package io.dbosee.internal.engine;

import static io.dbosee.internal.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbosee.StepOptions;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StepRetryTest {
  private final EngineHarness harness = new EngineHarness();
  private final List<Duration> waits = new CopyOnWriteArrayList<>();
  private final TimeSource recordingTime =
      new TimeSource() {
        @Override
        public long currentTimeMillis() {
          return System.currentTimeMillis();
        }

        @Override
        public void sleep(Duration duration) {
          waits.add(duration);
        }
      };
  private final AtomicInteger attempts = new AtomicInteger();

  @AfterEach
  void stop() {
    harness.close();
  }

  private WorkflowSpec flaky(StepOptions options, int failures) {
    return new WorkflowSpec(
        "flaky",
        String.class,
        new Class<?>[0],
        (engine, args) ->
            (String)
                step(
                    engine,
                    "call-partner",
                    options,
                    String.class,
                    () -> {
                      int attempt = attempts.incrementAndGet();
                      if (attempt <= failures) {
                        throw new IOException("partner down, attempt " + attempt);
                      }
                      return "ok on attempt " + attempt;
                    }));
  }

  @Test
  void retriesAFailingStepWithAGrowingInterval() throws Exception {
    WorkflowSpec workflow =
        flaky(new StepOptions(4, Duration.ofMillis(100), 3.0), /* failures= */ 3);
    harness.engine("local", recordingTime, workflow);

    assertThat(workflow.callWithId("r-1")).isEqualTo("ok on attempt 4");

    assertThat(attempts).hasValue(4);
    assertThat(waits)
        .containsExactly(Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofMillis(900));
    assertThat(
            harness.queryColumn(
                "SELECT function_name || '=' || output FROM dbos.operation_outputs"))
        .containsExactly("call-partner=\"ok on attempt 4\"");
  }

  @Test
  void whenAttemptsRunOutTheLastExceptionIsRecordedAndRethrownAndReplayedAsItsType()
      throws Exception {
    WorkflowSpec workflow = flaky(new StepOptions(2, Duration.ofMillis(5), 2.0), 10);
    harness.engine("local", recordingTime, workflow);

    assertThatThrownBy(() -> workflow.callWithId("r-2"))
        .isExactlyInstanceOf(IOException.class)
        .hasMessage("partner down, attempt 2");
    assertThat(attempts).hasValue(2);
    assertThat(waits).containsExactly(Duration.ofMillis(5));

    assertThatThrownBy(() -> workflow.callWithId("r-2"))
        .isExactlyInstanceOf(IOException.class)
        .hasMessage("partner down, attempt 2");
    assertThat(attempts).as("a recorded failure is not retried on replay").hasValue(2);
    assertThat(harness.status("r-2")).isEqualTo("ERROR");
  }

  @Test
  void theDefaultPolicyDoesNotRetry() throws Exception {
    WorkflowSpec workflow = flaky(StepOptions.DEFAULT, 1);
    harness.engine("local", recordingTime, workflow);

    assertThatThrownBy(() -> workflow.callWithId("r-3")).isInstanceOf(IOException.class);
    assertThat(attempts).hasValue(1);
    assertThat(waits).isEmpty();
  }

  @Test
  void retryDelaysGrowByTheBackoffRate() {
    StepOptions options = new StepOptions(5, Duration.ofSeconds(1), 2.0);

    assertThat(options.delayBeforeRetry(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(options.delayBeforeRetry(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(options.delayBeforeRetry(4)).isEqualTo(Duration.ofSeconds(8));
  }

  @Test
  void invalidRetryPoliciesAreRejectedWithTheReason() {
    assertThatThrownBy(() -> new StepOptions(0, Duration.ZERO, 1.0))
        .hasMessageContaining("maxAttempts must be at least 1");
    assertThatThrownBy(() -> new StepOptions(1, Duration.ofSeconds(-1), 1.0))
        .hasMessageContaining("interval must be zero or positive");
    assertThatThrownBy(() -> new StepOptions(1, Duration.ZERO, 0.5))
        .hasMessageContaining("backoffRate must be a finite number of at least 1.0");
  }
}
