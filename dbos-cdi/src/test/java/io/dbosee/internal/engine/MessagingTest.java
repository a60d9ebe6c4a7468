package io.dbosee.internal.engine;

import static io.dbosee.internal.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbosee.DBOSNonExistentWorkflowException;
import io.dbosee.DBOSWorkflowCancelledException;
import io.dbosee.WorkflowHandle;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MessagingTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final EngineHarness harness = new EngineHarness();

  @AfterEach
  void stop() {
    harness.close();
  }

  /** Receives two messages of topic "t", with a step between them. */
  private WorkflowSpec receiver(AtomicBoolean hangInStep, CountDownLatch inStep) {
    return new WorkflowSpec(
        "receiver",
        String.class,
        new Class<?>[] {},
        (engine, args) -> {
          Optional<Object> first = engine.recv("t", String.class, Duration.ofMinutes(5));
          step(
              engine,
              "between",
              () -> {
                inStep.countDown();
                if (hangInStep.get()) {
                  new CountDownLatch(1).await(); // until the crash interrupts it
                }
                return null;
              });
          Optional<Object> second = engine.recv("t", String.class, Duration.ofMinutes(5));
          return first.orElse("none") + "," + second.orElse("none");
        });
  }

  @Test
  void messagesArriveOldestFirstAndExactlyOnceAcrossARestartInTheMiddle() throws Exception {
    AtomicBoolean hang = new AtomicBoolean(true);
    CountDownLatch inStep = new CountDownLatch(1);
    WorkflowSpec receiver = receiver(hang, inStep);
    DBOSEngine first = harness.engine("server", receiver);
    WorkflowHandle<Object, Exception> handle;
    try (AutoCloseable id = first.assignWorkflowId("rx")) {
      handle = receiver.start(StartSpec.background());
    }
    first.send("rx", "one", "t", null);
    first.send("rx", "two", "t", null);
    first.send("rx", "other topic", "u", null);
    assertThat(inStep.await(30, TimeUnit.SECONDS)).isTrue();
    harness.crash(first);

    hang.set(false);
    DBOSEngine second = harness.engine("server", receiver(hang, new CountDownLatch(1)));
    second.recoverPendingWorkflows();

    await().atMost(WAIT).until(() -> "SUCCESS".equals(harness.status("rx")));
    assertThat(second.retrieveWorkflow("rx").getResult()).isEqualTo("one,two");
    assertThat(
            harness.queryColumn(
                "SELECT message || ':' || consumed || ':'"
                    + " || coalesce(consumed_by_function_id::text, '-') FROM dbos.notifications"
                    + " ORDER BY created_at_epoch_ms, message"))
        .as("each message, and the recv that consumed it (its position in the workflow)")
        .containsExactlyInAnyOrder("\"one\":true:0", "\"two\":true:3", "\"other topic\":false:-");
    assertThat(handle.workflowId()).isEqualTo("rx");
  }

  /** Holds in a step until released, then receives {@code count} messages of topic "t". */
  private static WorkflowSpec collector(int count, CountDownLatch release) {
    return new WorkflowSpec(
        "collector",
        String.class,
        new Class<?>[] {},
        (engine, args) -> {
          step(
              engine,
              "held",
              () -> {
                release.await();
                return null;
              });
          List<String> received = new java.util.ArrayList<>();
          for (int i = 0; i < count; i++) {
            received.add(
                (String) engine.recv("t", String.class, Duration.ofMinutes(1)).orElse("none"));
          }
          return String.join(",", received);
        });
  }

  @Test
  void aMessageIsNeverStampedBeforeAnUnconsumedOneThatCameEarlier() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    WorkflowSpec collector = collector(2, release);
    DBOSEngine engine = harness.engine("local", collector);
    WorkflowHandle<Object, Exception> handle;
    try (AutoCloseable id = engine.assignWorkflowId("c")) {
      handle = collector.start(StartSpec.background());
    }
    // As a sender whose clock runs a minute ahead (or a burst within one millisecond) stamps it.
    harness.query(
        "INSERT INTO dbos.notifications (destination_uuid, topic, message, serialization,"
            + " created_at_epoch_ms) VALUES ('c', 't', '\"ahead\"', 'portable_json',"
            + " (extract(epoch FROM now()) * 1000)::bigint + 60000) RETURNING 1");
    engine.send("c", "after", "t", null);
    release.countDown();

    assertThat(handle.getResult(WAIT)).isEqualTo("ahead,after");
  }

  @Test
  void aRecvIsWokenByTheSendNotByPolling() throws Exception {
    WorkflowSpec receiver = receiver(new AtomicBoolean(false), new CountDownLatch(1));
    DBOSEngine engine = harness.engine("local", receiver);
    engine.setWaitPollInterval(Duration.ofHours(1));
    WorkflowHandle<Object, Exception> handle;
    try (AutoCloseable id = engine.assignWorkflowId("woken")) {
      handle = receiver.start(StartSpec.background());
    }
    await()
        .atMost(WAIT)
        .until(
            () ->
                "1"
                    .equals(
                        harness.query(
                            "SELECT count(*) FROM dbos.operation_outputs WHERE workflow_uuid ="
                                + " 'woken' AND function_name = 'DBOS.sleep'")));

    engine.send("woken", "a", "t", null);
    engine.send("woken", "b", "t", null);

    assertThat(handle.getResult(WAIT)).isEqualTo("a,b");
  }

  @Test
  void aRecvTimeoutIsDurableAndEndsAtTheRecordedInstant() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch waiting = new CountDownLatch(1);
    WorkflowSpec waiter =
        new WorkflowSpec(
            "waiter",
            String.class,
            new Class<?>[] {},
            (engine, args) -> {
              runs.incrementAndGet();
              waiting.countDown();
              return engine.recv(null, String.class, Duration.ofSeconds(2)).orElse("timed out");
            });
    DBOSEngine first = harness.engine("server", waiter);
    try (AutoCloseable id = first.assignWorkflowId("waits")) {
      waiter.start(StartSpec.background());
    }
    assertThat(waiting.await(30, TimeUnit.SECONDS)).isTrue();
    await()
        .atMost(WAIT)
        .until(
            () ->
                harness.query(
                        "SELECT output FROM dbos.operation_outputs WHERE workflow_uuid = 'waits'"
                            + " AND function_name = 'DBOS.sleep'")
                    != null);
    long wakeAt =
        Long.parseLong(
            harness.query(
                "SELECT output FROM dbos.operation_outputs WHERE workflow_uuid = 'waits' AND"
                    + " function_name = 'DBOS.sleep'"));
    harness.crash(first);

    DBOSEngine second = harness.engine("server", waiter.copy());
    second.recoverPendingWorkflows();

    assertThat(second.retrieveWorkflow("waits").getResult(WAIT)).isEqualTo("timed out");
    // Run before the crash, and recovered after it; a wait that parked adds a replay each.
    assertThat(runs.get()).isGreaterThanOrEqualTo(2);
    assertThat(
            Long.parseLong(
                harness.query(
                    "SELECT completed_at FROM dbos.workflow_status WHERE workflow_uuid = 'waits'")))
        .as("the timeout recorded before the crash holds")
        .isGreaterThanOrEqualTo(wakeAt);
    assertThat(
            harness.query(
                "SELECT count(*) FROM dbos.operation_outputs WHERE workflow_uuid = 'waits' AND"
                    + " function_name = 'DBOS.sleep'"))
        .isEqualTo("1");
  }

  @Test
  void sendingFromOutsideWithAnIdempotencyKeyDeliversOnce() throws Exception {
    WorkflowSpec receiver = receiver(new AtomicBoolean(false), new CountDownLatch(1));
    DBOSEngine engine = harness.engine("local", receiver);
    WorkflowHandle<Object, Exception> handle;
    try (AutoCloseable id = engine.assignWorkflowId("once")) {
      handle = receiver.start(StartSpec.background());
    }

    engine.send("once", "x", "t", "key-1");
    engine.send("once", "x", "t", "key-1");
    harness.query("SELECT dbos.send_message('once', '\"y\"'::json, 't')");

    assertThat(handle.getResult(WAIT)).isEqualTo("x,y");
    assertThat(harness.query("SELECT count(*) FROM dbos.notifications")).isEqualTo("2");
  }

  @Test
  void sendingToAnUnknownWorkflowFails() {
    DBOSEngine engine = harness.engine("local");

    assertThatThrownBy(() -> engine.send("nobody", "x", null, null))
        .isInstanceOf(DBOSNonExistentWorkflowException.class)
        .hasMessageContaining("'nobody'");
  }

  @Test
  void aSendInsideAWorkflowIsNotRepeatedByAReplay() throws Exception {
    AtomicInteger bodies = new AtomicInteger();
    WorkflowSpec sink = new WorkflowSpec("sink", String.class, new Class<?>[] {}, (e, a) -> "sink");
    WorkflowSpec sender =
        new WorkflowSpec(
            "sender",
            String.class,
            new Class<?>[] {},
            (engine, args) -> {
              engine.send("sink-1", "hello", null, null);
              if (bodies.incrementAndGet() == 1) {
                throw new IllegalStateException("fails once, after sending");
              }
              return "sent";
            });
    DBOSEngine engine = harness.engine("local", sink, sender);
    try (AutoCloseable id = engine.assignWorkflowId("sink-1")) {
      sink.call();
    }
    try (AutoCloseable id = engine.assignWorkflowId("sender-1")) {
      assertThatThrownBy(sender::call).isInstanceOf(IllegalStateException.class);
    }
    harness.query(
        "UPDATE dbos.workflow_status SET status = 'PENDING', error = NULL WHERE workflow_uuid ="
            + " 'sender-1' RETURNING 1");

    engine.recoverPendingWorkflows();

    await().atMost(WAIT).until(() -> "SUCCESS".equals(harness.status("sender-1")));
    assertThat(harness.query("SELECT count(*) FROM dbos.notifications")).isEqualTo("1");
  }

  @Test
  void recvOutsideAWorkflowSaysWhere() {
    DBOSEngine engine = harness.engine("local");

    assertThatThrownBy(() -> engine.recv("t", String.class, Duration.ZERO))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("only be called by a workflow");
  }

  @Test
  void aCancelWakesAWorkflowWaitingForAMessage() throws Exception {
    WorkflowSpec receiver = receiver(new AtomicBoolean(false), new CountDownLatch(1));
    DBOSEngine engine = harness.engine("local", receiver);
    WorkflowHandle<Object, Exception> handle;
    try (AutoCloseable id = engine.assignWorkflowId("cancel-me")) {
      handle = receiver.start(StartSpec.background());
    }
    await()
        .atMost(WAIT)
        .until(
            () ->
                harness.query(
                        "SELECT 1 FROM dbos.operation_outputs WHERE workflow_uuid = 'cancel-me'")
                    != null);

    engine.cancelWorkflow("cancel-me");

    assertThatThrownBy(() -> handle.getResult(WAIT))
        .isInstanceOf(DBOSWorkflowCancelledException.class);
  }

  @Test
  void theLatestEventValueWinsAndEveryValueIsInTheHistory() throws Exception {
    CountDownLatch proceed = new CountDownLatch(1);
    WorkflowSpec publisher =
        new WorkflowSpec(
            "publisher",
            String.class,
            new Class<?>[] {},
            (engine, args) -> {
              engine.setEvent("stage", "started");
              step(
                  engine,
                  "work",
                  () -> {
                    engine.setEvent("progress", 50);
                    return null;
                  });
              proceed.await();
              engine.setEvent("stage", "done");
              return "published";
            });
    DBOSEngine engine = harness.engine("local", publisher);
    try (AutoCloseable id = engine.assignWorkflowId("pub")) {
      publisher.start(StartSpec.background());
    }

    assertThat(engine.getEvent("pub", "stage", String.class, WAIT)).contains("started");
    assertThat(engine.getEvent("pub", "progress", Integer.class, WAIT)).contains(50);
    assertThat(engine.getEvent("pub", "missing", String.class, Duration.ofMillis(200))).isEmpty();
    proceed.countDown();
    await()
        .atMost(WAIT)
        .until(
            () ->
                engine
                    .getEvent("pub", "stage", String.class, Duration.ZERO)
                    .equals(Optional.of("done")));

    assertThat(
            harness.queryColumn(
                "SELECT function_id || ':' || key || '=' || value FROM"
                    + " dbos.workflow_events_history ORDER BY function_id"))
        .containsExactly("0:stage=\"started\"", "1:progress=50", "2:stage=\"done\"");
  }

  @Test
  void aGetEventWaitsUntilTheEventIsSet() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    WorkflowSpec late =
        new WorkflowSpec(
            "late",
            String.class,
            new Class<?>[] {},
            (engine, args) -> {
              release.await();
              engine.setEvent("ready", true);
              return "ok";
            });
    WorkflowSpec reader =
        new WorkflowSpec(
            "reader",
            Boolean.class,
            new Class<?>[] {},
            (engine, args) ->
                engine
                    .getEvent("late-1", "ready", Boolean.class, Duration.ofMinutes(5))
                    .orElse(false));
    DBOSEngine engine = harness.engine("local", late, reader);
    engine.setWaitPollInterval(Duration.ofHours(1));
    try (AutoCloseable id = engine.assignWorkflowId("late-1")) {
      late.start(StartSpec.background());
    }
    WorkflowHandle<Object, Exception> read;
    try (AutoCloseable id = engine.assignWorkflowId("reader-1")) {
      read = reader.start(StartSpec.background());
    }
    await()
        .atMost(WAIT)
        .until(
            () ->
                harness.query(
                        "SELECT 1 FROM dbos.operation_outputs WHERE workflow_uuid = 'reader-1'")
                    != null);

    release.countDown();

    assertThat(read.getResult(WAIT)).isEqualTo(true);
    assertThat(
            harness.queryColumn(
                "SELECT function_name || '=' || coalesce(output, 'null') FROM"
                    + " dbos.operation_outputs WHERE workflow_uuid = 'reader-1' ORDER BY"
                    + " function_id"))
        .hasSize(2)
        .contains("DBOS.getEvent=true");
    assertThat(List.of(read.workflowId())).containsExactly("reader-1");
  }
}
