package io.dbosee.sample.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tutorial's crash-and-resume demo (docs/tutorial.md) with real processes: the sample started
 * as the {@code sample} profile starts it (development PostgreSQL, then {@code bin/server run}),
 * the server SIGKILLed in the middle of a workflow, started again the same way, and what the user
 * would check: the log, the guestbook, the recorded greetings, the steps that ran.
 */
class SampleCrashDemoIT {
  private static final Duration DEADLINE = Duration.ofSeconds(90);
  private static final String STEP_ONE = ">>> STEP 1: Signed the guestbook for Mike";
  private static final String SLEEPING = "Press Control + C to stop the app...";
  private static final String STEP_TWO = ">>> STEP 2: Greeting to Mike recorded in the database!";

  private static SampleProcess sample;

  @BeforeAll
  static void emptyDatabase() throws Exception {
    sample = new SampleProcess();
  }

  @AfterEach
  void stopTheServer() throws Exception {
    sample.stopServer();
  }

  @AfterAll
  static void stopEverything() throws Exception {
    if (sample != null) {
      sample.close();
    }
  }

  @Test
  void aGreetingKilledDuringItsSleepsSignsTheGuestbookOnceAndRecordsOneGreeting() throws Exception {
    sample.start("demo-greeting-1.log", Map.of());
    CompletableFuture<HttpResponse<String>> call = sample.getAsync("/greeting/Mike");
    await("step one and the first sleep")
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> sample.console().contains(SLEEPING) || call.isDone());
    assertThat(call).as("the greeting answered before its sleeps").isNotDone();
    assertThat(sample.console()).contains(STEP_ONE);

    sample.kill();

    assertThat(callFailure(call)).as("the call the kill cut").isNotNull();
    String id =
        sample.single("SELECT workflow_uuid FROM dbos.workflow_status WHERE name = 'greet'");
    assertThat(sample.single("SELECT status FROM dbos.workflow_status WHERE workflow_uuid = ?", id))
        .isEqualTo("PENDING");
    assertThat(signatures("Mike")).as("guestbook signatures after the kill").isEqualTo(1);
    assertThat(greetings("Mike")).as("greetings after the kill").isZero();

    sample.start("demo-greeting-2.log", Map.of());

    await("the resumed greeting")
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> "SUCCESS".equals(status(id)));
    String resumed = sample.console();
    assertThat(resumed)
        .as("the console after the restart")
        .containsPattern("Recovering \\d+ pending workflow\\(s\\): \\[[^]]*" + id)
        .contains(STEP_TWO)
        .doesNotContain(STEP_ONE);
    // As in the tutorial: the loop runs again, the sleeps already slept end at once.
    assertThat(count(resumed, SLEEPING)).isEqualTo(5);
    assertThat(sample.single("SELECT output FROM dbos.workflow_output WHERE workflow_uuid = ?", id))
        .isEqualTo("\"Thank you for being awesome, Mike!\"");
    assertThat(sample.get("/guestbook").body()).contains("Mike signed 1 time(s)");
    assertThat(sample.get("/greetings").body())
        .isEqualTo("recorded greetings\nMike (workflow " + id + ")\n");
  }

  /**
   * The queue example killed while its ten steps run, two at a time and one second each (set in the
   * server's environment, as docs/tutorial.md shows): after the restart the steps that had finished
   * do not run again, the others run, and the workflow completes.
   */
  @Test
  void aQueueKilledMidwayDoesNotRerunTheStepsThatHadFinished() throws Exception {
    Map<String, String> twoAtATime =
        SampleProcess.environment(
            "DBOS_QUEUE__EXAMPLE_QUEUE__WORKER_CONCURRENCY", "2",
            "SAMPLE_QUEUE_STEP_SECONDS", "1");
    sample.start("demo-queue-1.log", twoAtATime);
    CompletableFuture<HttpResponse<String>> call = sample.getAsync("/queue");
    await("the queue workflow")
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> queueWorkflowId() != null);
    String id = queueWorkflowId();
    await("some steps of " + id + " finished")
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> finishedSteps(id).size() >= 2 || call.isDone());

    sample.kill();

    List<String> finishedBeforeKill = finishedSteps(id);
    assertThat(finishedBeforeKill).as("the queue was killed midway").hasSizeBetween(2, 9);
    assertThat(count(sample.console(), "completed!"))
        .isGreaterThanOrEqualTo(finishedBeforeKill.size());

    sample.start("demo-queue-2.log", twoAtATime);

    await("workflow " + id + " resumed to SUCCESS")
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> "SUCCESS".equals(status(id)));
    assertThat(finishedSteps(id)).hasSize(10);
    for (int i = 0; i < 10; i++) {
      String step = id + "-" + i;
      boolean finished = finishedBeforeKill.contains(step);
      // A step running at the kill may have counted its execution without its checkpoint.
      assertThat(executions(step))
          .as("executions of %s (finished before the kill: %s)", step, finished)
          .isBetween(1, finished ? 1 : 2);
      assertThat(sample.console().contains("Step " + i + " completed!"))
          .as("step %s logged after the restart", i)
          .isEqualTo(!finished);
    }
    assertThat(sample.console()).contains("Successfully completed 10 steps");
  }

  private static Throwable callFailure(CompletableFuture<HttpResponse<String>> call)
      throws InterruptedException {
    try {
      HttpResponse<String> response = call.get(30, TimeUnit.SECONDS);
      throw new AssertionError("the cut call answered: " + response.body());
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the call to the killed server did not end", e);
    }
  }

  private static String queueWorkflowId() throws SQLException {
    return sample.single(
        "SELECT workflow_uuid FROM dbos.workflow_status WHERE name = 'queueWorkflow'");
  }

  /** The ids of the queue workflow's step workflows that finished ({@code <id>-<i>}). */
  private static List<String> finishedSteps(String id) throws SQLException {
    List<String> finished = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      if ("SUCCESS".equals(status(id + "-" + i))) {
        finished.add(id + "-" + i);
      }
    }
    return finished;
  }

  private static String status(String id) throws SQLException {
    return sample.single("SELECT status FROM dbos.workflow_status WHERE workflow_uuid = ?", id);
  }

  private static int signatures(String name) throws SQLException {
    String n =
        sample.single("SELECT signatures::text FROM guestbook_signatures WHERE name = ?", name);
    return n == null ? 0 : Integer.parseInt(n);
  }

  private static int greetings(String name) throws SQLException {
    return Integer.parseInt(
        sample.single("SELECT count(*)::text FROM greetings WHERE name = ?", name));
  }

  private static int executions(String workflowId) throws SQLException {
    String n =
        sample.single(
            "SELECT executions::text FROM sample_step_executions WHERE workflow_id = ?",
            workflowId);
    return n == null ? 0 : Integer.parseInt(n);
  }

  private static int count(String text, String line) {
    Matcher m = Pattern.compile(Pattern.quote(line)).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
