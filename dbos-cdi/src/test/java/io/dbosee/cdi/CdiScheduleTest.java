package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbosee.DBOS;
import io.dbosee.ScheduleStatus;
import io.dbosee.Scheduled;
import io.dbosee.Workflow;
import io.dbosee.WorkflowHandle;
import io.dbosee.WorkflowSchedule;
import io.dbosee.internal.cdi.DBOSRuntime;
import io.dbosee.testing.TestPostgres;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Scheduled workflows through the CDI programming model, on Weld SE. */
class CdiScheduleTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String EVERY_SECOND_KEY =
      "dbos.schedule.\"" + Ticks.class.getName() + "/everySecond\".";

  private final TestPostgres.Database database = TestPostgres.newDatabase();
  private WeldContainer container;
  private DBOS dbos;

  @ApplicationScoped
  public static class Ticks {
    /** The arguments of every run, by workflow id. */
    static final Map<String, Instant[]> RUNS = new ConcurrentHashMap<>();

    @Scheduled(cron = "* * * * * *", name = "cdi-every-second")
    @Workflow
    public void everySecond(Instant scheduledTime, Instant actualTime) {
      RUNS.put(key(scheduledTime, "cdi-every-second"), new Instant[] {scheduledTime, actualTime});
    }

    @Workflow
    public String report(Instant scheduledTime, Instant actualTime) {
      RUNS.put(key(scheduledTime, "report"), new Instant[] {scheduledTime, actualTime});
      return "report for " + scheduledTime;
    }

    private static String key(Instant scheduledTime, String schedule) {
      return schedule + "@" + scheduledTime;
    }
  }

  @BeforeEach
  void clear() {
    Ticks.RUNS.clear();
  }

  private void start(Map<String, String> extra) {
    Map<String, String> properties = new HashMap<>(CdiTestSupport.systemDatabase(database));
    properties.putAll(extra);
    container = CdiTestSupport.start(properties, Ticks.class);
    dbos = container.select(DBOS.class).get();
  }

  @AfterEach
  void stop() {
    if (container != null) {
      container.close();
    }
    CdiTestSupport.releaseConfig();
  }

  private long runsOf(String schedule) {
    return Ticks.RUNS.keySet().stream().filter(k -> k.startsWith(schedule + "@")).count();
  }

  @Test
  void anAnnotatedScheduleIsStoredAndFiresEverySecondOnTheManagedScheduledExecutor() {
    start(Map.of());

    await().atMost(WAIT).until(() -> runsOf("cdi-every-second") >= 2);

    ScheduleStatus stored = dbos.getSchedule("cdi-every-second").orElseThrow();
    assertThat(stored.schedule().className()).isEqualTo(Ticks.class.getName());
    assertThat(stored.schedule().workflowName()).isEqualTo("everySecond");
    assertThat(stored.schedule().cron()).isEqualTo("* * * * * *");
    assertThat(stored.paused()).isFalse();
    String oneTick =
        database.query(
            "SELECT workflow_uuid FROM dbos.workflow_status WHERE schedule_name ="
                + " 'cdi-every-second' ORDER BY workflow_uuid LIMIT 1");
    assertThat(oneTick)
        .matches("sched-cdi-every-second-\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+00:00");
    for (Instant[] run : Ticks.RUNS.values()) {
      assertThat(Duration.between(run[0], run[1])).isBetween(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void configurationSwitchesOffOneScheduleOnThisServer() {
    start(Map.of(EVERY_SECOND_KEY + "enabled", "false"));
    dbos.createSchedule(WorkflowSchedule.of("fence", Ticks.class, "report", "* * * * * *"));

    // The runtime schedule fires at the same ticks the switched-off one would have.
    await().atMost(WAIT).until(() -> runsOf("report") >= 2);

    assertThat(runsOf("cdi-every-second")).isZero();
    assertThat(dbos.getSchedule("cdi-every-second")).as("not stored either").isEmpty();
  }

  @Test
  void configurationSwitchesOffEveryScheduleOnThisServer() throws Exception {
    start(Map.of("dbos.schedules.enabled", "false"));

    assertThat(container.select(DBOSRuntime.class).get().scheduler().isRunning()).isFalse();
    // Still stored and manageable, for the servers that run schedules.
    assertThat(dbos.getSchedule("cdi-every-second")).isPresent();
    WorkflowHandle<Void, RuntimeException> now = dbos.triggerSchedule("cdi-every-second");
    now.getResult(WAIT);
    assertThat(runsOf("cdi-every-second")).isEqualTo(1);
  }

  @Test
  void configurationOverridesTheAnnotation() {
    start(
        Map.of(
            EVERY_SECOND_KEY + "cron", "0 0 3 * * *",
            EVERY_SECOND_KEY + "time-zone", "Asia/Tokyo"));

    WorkflowSchedule stored = dbos.getSchedule("cdi-every-second").orElseThrow().schedule();
    assertThat(stored.cron()).isEqualTo("0 0 3 * * *");
    assertThat(stored.timeZone()).isEqualTo(ZoneId.of("Asia/Tokyo"));
  }

  @Test
  void schedulesAreManagedAtRunTimeThroughTheDbosBean() throws Exception {
    start(Map.of("dbos.schedules.enabled", "false"));
    dbos.createSchedule(
        WorkflowSchedule.of("nightly", Ticks.class, "report", "0 2 * * *")
            .withTimeZone(ZoneId.of("Europe/Paris")));

    assertThat(dbos.listSchedules())
        .extracting(s -> s.schedule().name())
        .containsExactly("cdi-every-second", "nightly");
    dbos.pauseSchedule("nightly");
    assertThat(dbos.getSchedule("nightly").orElseThrow().paused()).isTrue();
    dbos.resumeSchedule("nightly");
    assertThat(dbos.getSchedule("nightly").orElseThrow().paused()).isFalse();

    WorkflowHandle<String, RuntimeException> triggered = dbos.triggerSchedule("nightly");
    assertThat(triggered.getResult(WAIT)).startsWith("report for ");
    List<WorkflowHandle<String, RuntimeException>> backfilled =
        dbos.backfillSchedule(
            "nightly",
            Instant.parse("2026-11-01T00:00:00Z"),
            Instant.parse("2026-11-04T00:00:00Z"));
    assertThat(backfilled)
        .extracting(WorkflowHandle::workflowId)
        .containsExactly(
            "sched-nightly-2026-11-01T02:00:00+01:00",
            "sched-nightly-2026-11-02T02:00:00+01:00",
            "sched-nightly-2026-11-03T02:00:00+01:00");
    assertThat(backfilled.get(0).getResult(WAIT)).isEqualTo("report for 2026-11-01T01:00:00Z");

    dbos.deleteSchedule("nightly");
    assertThat(dbos.getSchedule("nightly")).isEmpty();
  }
}
