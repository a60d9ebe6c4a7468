package io.dbosee.internal.engine;

import static io.dbosee.internal.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.dbos.transact.DBOSClient;
import dev.dbos.transact.DBOSClient.EnqueueOptions;
import dev.dbos.transact.DBOSClient.SendOptions;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import io.dbosee.internal.engine.db.OlderSchemas;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A system database at migration 41, with work in flight written by this library before it moved to
 * 123 and by the DBOS Java SDK 1.1.0-m6, is migrated when a new engine starts on it; every workflow
 * finishes, no completed step runs again and no message is lost.
 */
class UpgradeFrom41Test {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final List<String> IN_FLIGHT =
      List.of(
          "old-midstep", "old-sleeper", "old-listener", "old-queued", "old-delayed", "java-queued");

  private final EngineHarness harness = new EngineHarness();
  private final Map<String, AtomicInteger> stepRuns = new ConcurrentHashMap<>();

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void workInFlightAt41FinishesAfterTheMigrationWithNoStepRunTwiceAndNoMessageLost()
      throws Exception {
    OlderSchemas.migrateTo(harness.dataSource(), "dbos", 41);
    load("/upgrade/written-at-41.sql");
    try (DBOSClient client =
        new DBOSClient(
            harness.database.jdbcUrl(), harness.database.user(), harness.database.password())) {
      client.enqueuePortableWorkflow(
          new EnqueueOptions("queued", "test.Workflows", "q").withWorkflowId("java-queued"),
          new Object[] {"glue"},
          null);
      client.send(
          "old-listener", "hello-from-java", "greeting", "java-hello", SendOptions.portable());
    }

    DBOSEngine engine =
        harness.engine(
            "local", List.of(QueueDefinition.unlimited("q").withConcurrency(1)), workflowsOf41());
    assertThat(harness.query("SELECT version FROM dbos.dbos_migrations")).isEqualTo("123");
    assertThat(engine.recoverPendingWorkflows())
        .containsExactlyInAnyOrder("old-midstep", "old-sleeper", "old-listener");
    engine.send("old-listener", "hello-after-upgrade", "greeting", null);

    await()
        .atMost(WAIT)
        .until(
            () -> IN_FLIGHT.stream().map(harness::status).allMatch("SUCCESS"::equals),
            done -> done);
    assertThat(IN_FLIGHT)
        .map(id -> id + " " + engine.retrieveWorkflow(id).getResult(WAIT))
        .containsExactly(
            "old-midstep reserved book, charged",
            "old-sleeper before, woke",
            "old-listener ready, hello-at-41, hello-from-java, hello-after-upgrade",
            "old-queued worked on ink",
            "old-delayed worked on paper",
            "java-queued worked on glue");
    assertThat(stepRuns)
        .as("steps recorded at 41 are replayed, never run again")
        .doesNotContainKeys("reserve", "before", "ready")
        .containsOnlyKeys("charge", "work");
    assertThat(stepRuns.get("charge")).hasValue(1);
    assertThat(stepRuns.get("work")).hasValue(3);
    assertThat(harness.queryColumn("SELECT message FROM dbos.notifications WHERE NOT consumed"))
        .as("every message reached its recv")
        .isEmpty();
    assertThat(harness.output("old-midstep"))
        .as("finished in the current shape")
        .isEqualTo("\"reserved book, charged\"");
    assertThat(
            harness.query(
                "SELECT output IS NULL FROM dbos.workflow_status WHERE workflow_uuid ="
                    + " 'old-midstep'"))
        .isEqualTo("t");

    assertThat(engine.retrieveWorkflow("old-done").getResult(WAIT))
        .as("outcomes recorded at 41 stay readable")
        .isEqualTo("done pen");
    assertThatThrownBy(() -> engine.retrieveWorkflow("old-failed").getResult(WAIT))
        .as("rebuilt from the class name the engine of 41 recorded")
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("failed at 41");
  }

  /** The workflows of the fixture, by the names and signatures it recorded. */
  private WorkflowSpec[] workflowsOf41() {
    return new WorkflowSpec[] {
      new WorkflowSpec(
          "midstep",
          String.class,
          new Class<?>[] {String.class},
          (engine, args) ->
              counted(engine, "reserve", "reserved " + args[0])
                  + ", "
                  + counted(engine, "charge", "charged")),
      new WorkflowSpec(
          "sleeper",
          String.class,
          new Class<?>[] {},
          (engine, args) -> {
            Object before = counted(engine, "before", "before");
            // Recorded at 41 with its end long past; slept again from now, it would outlast WAIT.
            engine.sleep(Duration.ofHours(1));
            return before + ", woke";
          }),
      new WorkflowSpec(
          "listener",
          String.class,
          new Class<?>[] {},
          (engine, args) -> {
            StringBuilder heard = new StringBuilder().append(counted(engine, "ready", "ready"));
            for (int i = 0; i < 3; i++) {
              heard
                  .append(", ")
                  .append(engine.recv("greeting", String.class, Duration.ofDays(3650)).orElse("-"));
            }
            return heard.toString();
          }),
      new WorkflowSpec(
          "queued",
          String.class,
          new Class<?>[] {String.class},
          (engine, args) -> counted(engine, "work", "worked on " + args[0])),
      new WorkflowSpec(
          "done", String.class, new Class<?>[] {String.class}, (engine, args) -> "done " + args[0]),
      new WorkflowSpec(
          "failed",
          String.class,
          new Class<?>[] {},
          (engine, args) -> {
            throw new IllegalStateException("failed at 41");
          })
    };
  }

  private Object counted(DBOSEngine engine, String name, Object result) throws Exception {
    return step(
        engine,
        name,
        () -> {
          stepRuns.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
          return result;
        });
  }

  /** Runs each statement of a fixture file (one per line; lines starting with -- are comments). */
  private void load(String resource) throws IOException, SQLException {
    String text;
    try (InputStream in = UpgradeFrom41Test.class.getResourceAsStream(resource)) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    try (Connection c = harness.dataSource().getConnection();
        Statement s = c.createStatement()) {
      for (String line : text.split("\n")) {
        if (!line.isBlank() && !line.startsWith("--")) {
          s.execute(line);
        }
      }
    }
  }
}
