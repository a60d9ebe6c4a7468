package io.dbosee.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import io.dbosee.testing.NodeScripts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The TypeScript SDK's {@code DebouncerClient} ({@code @dbos-inc/dbos-sdk}, run in node by the
 * scripts of {@code src/test/typescript}) and this engine debounce into the same workflow: the
 * client's rows are started by this engine once, with the last call's arguments, and calls of the
 * two on one key collapse into one workflow whichever comes last. The engine's clock is the test's,
 * started at the real time: the client's delays (real time) pass when the test moves it.
 */
class TypeScriptDebouncerInteropTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration PERIOD = Duration.ofSeconds(60);

  private final EngineHarness harness = new EngineHarness();
  private final NodeScripts typescript = NodeScripts.on(harness.database);
  private final List<String> runs = Collections.synchronizedList(new ArrayList<>());
  private final ManualClock clock = new ManualClock(System.currentTimeMillis());

  private static final class ManualClock implements TimeSource {
    private volatile long now;

    ManualClock(long start) {
      now = start;
    }

    void advance(Duration d) {
      now += d.toMillis();
    }

    @Override
    public long currentTimeMillis() {
      return now;
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
      Thread.sleep(duration.toMillis());
    }
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  private WorkflowSpec work() {
    return new WorkflowSpec(
        "work",
        String.class,
        new Class<?>[] {String.class},
        (engine, args) -> {
          runs.add((String) args[0]);
          return args[0];
        });
  }

  /** The client debounces {@code key} once per argument, in order; the ids it got back. */
  @SuppressWarnings("unchecked")
  private List<String> clientDebounce(String key, Long timeoutMs, String... arguments) {
    StringBuilder calls = new StringBuilder();
    for (String argument : arguments) {
      calls.append(calls.length() == 0 ? "" : ",").append("[\"").append(argument).append("\"]");
    }
    Map<String, Object> result =
        typescript.object(
            "client.js",
            "debounce",
            "{\"workflowName\": \"work\", \"workflowClassName\": \"test.Workflows\", \"key\": \""
                + key
                + "\", \"periodMs\": "
                + PERIOD.toMillis()
                + (timeoutMs == null ? "" : ", \"timeoutMs\": " + timeoutMs)
                + ", \"calls\": ["
                + calls
                + "]}");
    return (List<String>) result.get("workflowIDs");
  }

  private String column(String column, String workflowId) {
    return harness.query(
        "SELECT " + column + " FROM dbos.workflow_status WHERE workflow_uuid = ?", workflowId);
  }

  private void runDue(DBOSEngine engine, String workflowId) {
    clock.advance(PERIOD.multipliedBy(3));
    engine.wakeQueues();
    await().atMost(WAIT).until(() -> "SUCCESS".equals(harness.status(workflowId)));
  }

  @Test
  void ourEngineRunsWhatTheClientDebouncedOnceWithTheLastArguments() {
    WorkflowSpec work = work();
    DBOSEngine engine = harness.engine("server", clock, work);

    List<String> ids = clientDebounce("doc", null, "a", "b", "c");

    assertThat(ids).containsOnly(ids.get(0));
    String id = ids.get(0);
    assertThat(column("status", id)).isEqualTo("DELAYED");
    assertThat(column("is_debounced", id)).isEqualTo("t");
    runDue(engine, id);
    assertThat(runs).containsExactly("c");
    assertThat(harness.output(id)).isEqualTo("\"c\"");
    assertThat(harness.query("SELECT count(*) FROM dbos.workflow_status")).isEqualTo("1");
  }

  @Test
  void theClientAndOurEngineCollapseOneKeyIntoOneWorkflowWhicheverCallsLast() throws Exception {
    WorkflowSpec work = work();
    DBOSEngine engine = harness.engine("server", clock, work);

    // Ours first, the client last: the client's call pushes our row back, with its arguments.
    String ours =
        engine.debounce(DebounceSpec.of("k1", PERIOD), () -> work.call("ours")).workflowId();
    assertThat(clientDebounce("k1", null, "client")).containsExactly(ours);

    // The client first (with a timeout), ours last: our call pushes its row back, to its deadline.
    String theirs = clientDebounce("k2", 70_000L, "client").get(0);
    clock.advance(Duration.ofSeconds(30));
    assertThat(engine.debounce(DebounceSpec.of("k2", PERIOD), () -> work.call("ours")).workflowId())
        .isEqualTo(theirs);
    assertThat(column("delay_until_epoch_ms", theirs))
        .isEqualTo(column("debounce_deadline_epoch_ms", theirs));

    runDue(engine, ours);
    await().atMost(WAIT).until(() -> "SUCCESS".equals(harness.status(theirs)));
    assertThat(harness.output(ours)).isEqualTo("\"client\"");
    assertThat(harness.output(theirs)).isEqualTo("\"ours\"");
    assertThat(runs).containsExactlyInAnyOrder("client", "ours");
    assertThat(harness.query("SELECT count(*) FROM dbos.workflow_status")).isEqualTo("2");
  }
}
