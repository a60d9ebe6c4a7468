package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbosee.Scheduled;
import io.dbosee.Workflow;
import io.dbosee.testing.TestPostgres;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A misused {@code @Scheduled} stops the deployment with a message that points at it. */
class ScheduleDeploymentTest {
  private static final TestPostgres.Database DATABASE = TestPostgres.newDatabase();

  @AfterEach
  void release() {
    CdiTestSupport.releaseConfig();
  }

  private static String deploy(Map<String, String> extra, Class<?>... beans) {
    Map<String, String> properties = new HashMap<>(CdiTestSupport.systemDatabase(DATABASE));
    properties.put("dbos.schedules.enabled", "false");
    properties.putAll(extra);
    return CdiTestSupport.deploymentFailure(properties, beans);
  }

  @ApplicationScoped
  public static class BadCron {
    @Scheduled(cron = "every second")
    @Workflow
    public void tick(Instant scheduledTime, Instant actualTime) {}
  }

  @Test
  void anInvalidCronExpressionIsRejectedWithItsMethodAndTheAcceptedForms() {
    assertThat(deploy(Map.of(), BadCron.class))
        .contains("DBOS-CDI-030")
        .contains("BadCron.tick(Instant, Instant)")
        .contains("'every second'")
        .contains("six fields with seconds first")
        .contains("@Scheduled(cron)");
  }

  @ApplicationScoped
  public static class GoodCron {
    @Scheduled(cron = "* * * * * *")
    @Workflow
    public void tick(Instant scheduledTime, Instant actualTime) {}
  }

  @Test
  void anInvalidCronExpressionFromConfigurationIsRejectedWithItsKey() {
    String key = "dbos.schedule.\"" + GoodCron.class.getName() + "/tick\".cron";
    assertThat(deploy(Map.of(key, "99 * * * * *"), GoodCron.class))
        .contains("DBOS-CDI-030")
        .contains("'99 * * * * *'")
        .contains(key);
  }

  @ApplicationScoped
  public static class WrongParameters {
    @Scheduled(cron = "* * * * * *")
    @Workflow
    public void tick(Instant scheduledTime) {}
  }

  @Test
  void aScheduledWorkflowWithOtherParametersIsRejected() {
    assertThat(deploy(Map.of(), WrongParameters.class))
        .contains("DBOS-CDI-031")
        .contains("WrongParameters.tick(Instant)")
        .contains("(Instant scheduledTime, Instant actualTime)");
  }

  @ApplicationScoped
  public static class NotAWorkflow {
    @Scheduled(cron = "* * * * * *")
    public void tick(Instant scheduledTime, Instant actualTime) {}
  }

  @Test
  void aScheduledMethodThatIsNotAWorkflowIsRejected() {
    assertThat(deploy(Map.of(), NotAWorkflow.class))
        .contains("DBOS-CDI-031")
        .contains("NotAWorkflow.tick(Instant, Instant)")
        .contains("add @Workflow");
  }

  @ApplicationScoped
  public static class UnknownZone {
    @Scheduled(cron = "0 0 9 * * *", timeZone = "Mars/Olympus")
    @Workflow
    public void tick(Instant scheduledTime, Instant actualTime) {}
  }

  @Test
  void anUnknownTimeZoneIsRejected() {
    assertThat(deploy(Map.of(), UnknownZone.class))
        .contains("DBOS-CDI-032")
        .contains("'Mars/Olympus'")
        .contains("Europe/Paris");
  }

  @ApplicationScoped
  public static class SameName {
    @Scheduled(cron = "* * * * * *", name = "same")
    @Workflow
    public void one(Instant scheduledTime, Instant actualTime) {}

    @Scheduled(cron = "* * * * * *", name = "same")
    @Workflow
    public void two(Instant scheduledTime, Instant actualTime) {}
  }

  @Test
  void twoSchedulesWithOneNameAreRejected() {
    assertThat(deploy(Map.of(), SameName.class))
        .contains("DBOS-CDI-033")
        .contains("schedule 'same'")
        .contains("@Scheduled(name");
  }

  @ApplicationScoped
  public static class UnknownQueue {
    @Scheduled(cron = "* * * * * *", queue = "nowhere")
    @Workflow
    public void tick(Instant scheduledTime, Instant actualTime) {}
  }

  @Test
  void aScheduleOnAnUndeclaredQueueIsRejected() {
    assertThat(deploy(Map.of(), UnknownQueue.class))
        .contains("DBOS-CDI-021")
        .contains("queue 'nowhere'");
  }
}
