package io.dbosee.sample.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.openqa.selenium.support.ui.ExpectedConditions.and;
import static org.openqa.selenium.support.ui.ExpectedConditions.attributeContains;
import static org.openqa.selenium.support.ui.ExpectedConditions.invisibilityOfElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.numberOfElementsToBe;
import static org.openqa.selenium.support.ui.ExpectedConditions.presenceOfElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.textToBe;
import static org.openqa.selenium.support.ui.ExpectedConditions.textToBePresentInElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.visibilityOfElementLocated;

import io.dbosee.sample.it.inserver.AdminProbes;
import io.dbosee.sample.it.inserver.ConsoleProbes;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;

/**
 * The operations console in a real headless Chromium, driven by Selenium against the sample on
 * Liberty: each view, each action, a workflow's link opened cold, a failing step's error, and the
 * role check. Each view's screenshot is written to docs/operations/console for the documentation.
 *
 * <p>Needs a Chromium or Chrome and its ChromeDriver, found as {@link HeadlessChromium} says.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ConsoleIT {
  private static final String DEPLOYMENT = "console";

  /** The sample's application name here, so that the page has another application to hide. */
  private static final String APPLICATION = "console";

  private static final String SCHEDULE = "console-hourly";

  private static final ServerForClass SERVER = new ServerForClass(ConsoleIT.class, DEPLOYMENT);

  @ArquillianResource ContainerController controller;
  @ArquillianResource Deployer deployer;

  @Deployment(name = DEPLOYMENT, managed = false, testable = false)
  static WebArchive sample() {
    return SampleServer.withConfig(
        SampleServer.sampleWarWithTestEndpoints()
            .addClasses(AdminProbes.class, ConsoleProbes.class),
        "dbos.application-name=" + APPLICATION);
  }

  @BeforeEach
  void startAndDeployOnce() throws Exception {
    SERVER.beforeEach(controller, deployer, () -> {});
  }

  @AfterEach
  void undeployAndStopAfterTheLastTest() throws Exception {
    SERVER.afterEach(controller, deployer);
  }

  @AfterAll
  static void forgetWhatTheConsoleMade() throws Exception {
    // The sample's queues and schedules are unclaimed again, as the other tests (which give the
    // sample no name, or another one) expect them; this class's rows go.
    SampleServer.update("DELETE FROM dbos.workflow_status WHERE workflow_uuid LIKE 'console-%'");
    SampleServer.update(
        "DELETE FROM dbos.workflow_status WHERE workflow_uuid LIKE 'sched-console-%'");
    SampleServer.update("DELETE FROM dbos.workflow_schedules WHERE schedule_name = ?", SCHEDULE);
    SampleServer.update(
        "UPDATE dbos.queues SET application_name = NULL WHERE application_name = ?", APPLICATION);
    SampleServer.update(
        "UPDATE dbos.workflow_schedules SET application_name = NULL WHERE application_name = ?",
        APPLICATION);
  }

  @Test
  void theConsoleAndItsDataNeedTheRole() throws Exception {
    for (String path : List.of("/", "/console.js", "/console-api/queues", "/console-api/servers")) {
      HttpResponse<String> anonymous = AdminClient.ANONYMOUS.get(path);
      assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
      assertThat(anonymous.body()).as(path).doesNotContain("console-tenants", "executor_id");
      HttpResponse<String> viewer = AdminClient.VIEWER.get(path);
      assertThat(viewer.statusCode()).as(path).isEqualTo(403);
      assertThat(viewer.body()).as(path).doesNotContain("console-tenants", "executor_id");
    }
    assertThat(AdminClient.VIEWER.post("/console-api/counts", "{}").statusCode()).isEqualTo(403);
    assertThat(AdminClient.VIEWER.post("/console-api/schedules/x/trigger", "").statusCode())
        .isEqualTo(403);

    // In the browser: a user without the role gets the container's refusal, not the console.
    start("failing", "console-role-secret");
    try (ConsolePage page = ConsolePage.signedInAs("viewer", "dbos-viewer-dev")) {
      page.open("#/workflows/console-role-secret");
      assertThat(page.chromium.findElements(By.id("workflows"))).isEmpty();
      assertThat(page.chromium.getPageSource())
          .doesNotContain("console-role-secret", "ConsoleProbes");
    }

    HttpResponse<String> script = AdminClient.OPERATOR.get("/console.js");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript"));
    String etag = script.headers().firstValue("ETag").orElseThrow();
    // Revalidated, not fetched again, while unchanged; the page itself is never cached.
    assertThat(AdminClient.OPERATOR.get("/console.js", "If-None-Match", etag).statusCode())
        .isEqualTo(304);
    HttpResponse<String> page = AdminClient.OPERATOR.get("/");
    assertThat(page.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    // Liberty appends its own directive (no-cache=set-cookie) to the servlet's.
    assertThat(page.headers().firstValue("Cache-Control"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("no-store"));
    assertThat(page.headers().firstValue("Content-Security-Policy"))
        .contains("default-src 'self'; img-src 'self' data:");
  }

  @Test
  void theWorkflowsViewFiltersCountsPagesAndRefreshesItself() throws Exception {
    start("failing", "console-list-failed");
    start("hold", "console-list-held");
    awaitStatus("console-list-failed", "ERROR");
    // 55 finished workflows of another name: more than a page of 50.
    SampleServer.update(
        "INSERT INTO dbos.workflow_status (workflow_uuid, status, name, created_at)"
            + " SELECT 'console-page-' || lpad(i::text, 2, '0'), 'SUCCESS', 'console-imported',"
            + " (extract(epoch from now()) * 1000)::bigint - 60000 + i FROM generate_series(1, 55) i");
    // The sample's tutorial queue: its steps run as one-step workflows named <temp>.queueStep.
    var tutorial = SampleServer.getAsync("/queue");

    try (ConsolePage page = ConsolePage.signedInAs("operator", "dbos-admin-dev")) {
      page.open("#/workflows?prefix=console-list-");
      page.waitUntil(numberOfElementsToBe(ROWS, 2));
      assertThat(page.text(count("ERROR"))).isEqualTo("ERROR 1");
      assertThat(page.text(count("PENDING"))).isEqualTo("PENDING 1");
      assertThat(page.text(count(""))).isEqualTo("All 2");

      page.click(count("ERROR")); // a count is also the status filter
      page.waitUntil(
          and(numberOfElementsToBe(ROWS, 1), presenceOfElementLocated(row("console-list-failed"))));
      assertThat(page.text(cell("console-list-failed", "name"))).isEqualTo("ConsoleProbes.failing");
      assertThat(page.chromium.getCurrentUrl())
          .contains("status=ERROR")
          .contains("prefix=console-list-");

      page.click(By.id("clear-filters"));
      page.type(By.id("filter-name"), "console-imported");
      page.click(By.id("apply-filters"));
      // The page info, not the row count, tells the filtered list from the cleared one before it.
      page.waitUntil(textToBe(By.id("page-info"), "Workflows 1–50 of 55"));
      assertThat(page.chromium.findElements(ROWS)).hasSize(50);
      page.click(By.id("next"));
      page.waitUntil(numberOfElementsToBe(ROWS, 5));
      assertThat(page.text(By.id("page-info"))).isEqualTo("Workflows 51–55 of 55");
      page.click(By.id("prev"));
      page.waitUntil(numberOfElementsToBe(ROWS, 50));

      page.click(By.id("clear-filters"));
      page.type(By.id("filter-queue"), "example-queue");
      page.select(By.id("filter-range"), "15m");
      page.click(By.id("apply-filters"));
      page.waitUntil(
          textToBePresentInElementLocated(
              By.cssSelector("#workflows td.name"), "QueueWorkflows.queueStep"));
      // The list is redrawn as the tutorial's steps finish: read it through waits.
      page.waitUntil(
          textToBePresentInElementLocated(By.cssSelector("#workflows td.name .kind"), "step"));
      page.screenshot("workflows");
      page.phoneScreenshot("workflows-phone");

      // Auto refresh: a workflow started elsewhere shows without a click.
      page.click(By.id("clear-filters"));
      page.type(By.id("filter-prefix"), "console-list-");
      page.click(By.id("apply-filters"));
      page.waitUntil(numberOfElementsToBe(ROWS, 2));
      page.click(By.id("auto-refresh"));
      start("failing", "console-list-later");
      page.waitUntil(presenceOfElementLocated(row("console-list-later")));

      // Another application's workflow shows only once the page is asked for all applications.
      SampleServer.update(
          "INSERT INTO dbos.workflow_status (workflow_uuid, status, name, application_name)"
              + " VALUES ('console-list-elsewhere', 'SUCCESS', 'elsewhere', 'another-app')");
      page.waitUntil(numberOfElementsToBe(ROWS, 3));
      assertThat(page.chromium.findElements(row("console-list-elsewhere"))).isEmpty();
      page.click(By.id("filter-all"));
      page.waitUntil(presenceOfElementLocated(row("console-list-elsewhere")));
      assertThat(page.text(cell("console-list-elsewhere", "application"))).isEqualTo("another-app");
    } finally {
      cancel("console-list-held");
      tutorial.join();
    }
  }

  @Test
  void aWorkflowsLinkOpensItColdWithItsFailedStepsError() throws Exception {
    start("failing", "console-failed");
    awaitStatus("console-failed", "ERROR");

    try (ConsolePage page = ConsolePage.signedInAs("operator", "dbos-admin-dev")) {
      page.open("#/workflows/console-failed"); // the first page this browser opens

      page.waitUntil(textToBe(By.id("detail-status"), "ERROR"));
      assertThat(page.text(By.id("detail-title")))
          .isEqualTo("ConsoleProbes.failing — console-failed");
      assertThat(page.text(By.id("detail-outcome-title"))).isEqualTo("Error");
      assertThat(page.text(By.id("detail-output")))
          .isEqualTo("IllegalStateException: The card was declined for order console-failed");
      page.waitUntil(numberOfElementsToBe(By.cssSelector("#timeline .step"), 2));
      assertThat(page.text(By.cssSelector("#timeline .step.failed .step-label")))
          .startsWith("1 charge");
      assertThat(page.text(By.cssSelector("#timeline .step.failed .step-error")))
          .contains("The card was declined for order console-failed");
      assertThat(page.chromium.findElements(By.cssSelector("#timeline .bar.failed"))).hasSize(1);
      page.screenshot("workflow-failed");
    }
  }

  @Test
  void aWorkflowShowsItsChildMessagesEventsAndStreams() throws Exception {
    start("chatty", "console-chatty");
    awaitStatus("console-chatty-child", "SUCCESS");

    try (ConsolePage page = ConsolePage.signedInAs("operator", "dbos-admin-dev")) {
      page.open("#/workflows/console-chatty");
      page.waitUntil(textToBe(By.id("detail-status"), "PENDING"));
      page.waitUntil(textToBePresentInElementLocated(By.id("children"), "console-chatty-child"));
      assertThat(page.text(By.id("events"))).contains("stage").contains("packed");
      assertThat(page.text(By.id("streams"))).contains("log 2 yes");
      page.click(By.id("auto-refresh"));

      assertThat(
              AdminClient.plainGet("/test/console/send?to=console-chatty&topic=orders&text=order-7")
                  .statusCode())
          .isEqualTo(200);

      page.waitUntil(textToBe(By.id("detail-status"), "SUCCESS"));
      page.waitUntil(textToBePresentInElementLocated(By.id("messages"), "orders"));
      assertThat(page.text(By.id("messages"))).contains("order-7").contains("yes");
      assertThat(page.text(By.id("detail-output"))).contains("order-7");
      page.screenshot("workflow");

      page.click(By.cssSelector("#children a"));
      page.waitUntil(textToBe(By.id("detail-title"), "ConsoleProbes.child — console-chatty-child"));
      assertThat(page.text(By.id("detail-status"))).isEqualTo("SUCCESS");
      assertThat(page.text(By.cssSelector("#detail-fields .detail-parent")))
          .isEqualTo("console-chatty");
    }
  }

  @Test
  void anOperatorCancelsResumesAndDeletesAWorkflow() throws Exception {
    start("hold", "console-held");
    await()
        .atMost(ConsolePage.WAIT)
        .until(
            () ->
                SampleServer.count(
                        "SELECT count(*) FROM dbos.operation_outputs WHERE workflow_uuid = ?",
                        "console-held")
                    >= 1);

    try (ConsolePage page = ConsolePage.signedInAs("operator", "dbos-admin-dev")) {
      page.open("#/workflows/console-held");
      page.waitUntil(textToBe(By.id("detail-status"), "PENDING"));

      page.click(By.id("cancel"));
      page.waitUntil(textToBe(By.id("detail-status"), "CANCELLED"));
      assertThat(SampleServer.workflowStatus("console-held")).contains("CANCELLED");

      page.click(By.id("resume"));
      page.waitUntil(textToBe(By.id("detail-status"), "PENDING"));
      assertThat(SampleServer.workflowStatus("console-held")).contains("PENDING");

      page.click(By.id("cancel")); // nothing left waiting once it is gone
      page.waitUntil(textToBe(By.id("detail-status"), "CANCELLED"));
      page.click(By.id("delete"));
      page.waitUntil(visibilityOfElementLocated(By.id("delete-confirm")));
      page.screenshot("workflow-delete");
      page.click(By.id("delete-no")); // kept
      page.waitUntil(invisibilityOfElementLocated(By.id("delete-confirm")));
      assertThat(SampleServer.workflowStatus("console-held")).isPresent();

      page.click(By.id("delete"));
      page.click(By.id("delete-yes"));
      page.waitUntil(textToBePresentInElementLocated(By.id("notice"), "Deleted console-held"));
      assertThat(page.chromium.getCurrentUrl()).endsWith("#/workflows");
      await()
          .atMost(ConsolePage.WAIT)
          .until(() -> SampleServer.workflowStatus("console-held").isEmpty());
    }
  }

  @Test
  void anOperatorForksAFailedWorkflowFromItsFailedStep() throws Exception {
    start("failing", "console-to-fork");
    awaitStatus("console-to-fork", "ERROR");

    try (ConsolePage page = ConsolePage.signedInAs("operator", "dbos-admin-dev")) {
      page.open("#/workflows/console-to-fork");
      page.waitUntil(textToBe(By.id("detail-status"), "ERROR"));

      page.select(By.id("fork-step"), "1"); // the charge: the reserve step is replayed
      page.click(By.id("fork"));
      String fork =
          page.waitUntil(
              d -> {
                String title = d.findElement(By.id("detail-title")).getText();
                return title.endsWith(" console-to-fork") || title.isEmpty()
                    ? null
                    : title.substring(title.lastIndexOf(' ') + 1);
              });
      assertThat(page.text(By.id("notice"))).isEqualTo("Forked console-to-fork as " + fork + ".");
      assertThat(
              SampleServer.text(
                  "SELECT forked_from FROM dbos.workflow_status WHERE workflow_uuid = ?", fork))
          .isEqualTo("console-to-fork");
      assertThat(page.text(By.cssSelector("#detail-fields .detail-forked-from")))
          .isEqualTo("console-to-fork");
      // The charge fails again in the fork, after the reserve step copied from the original:
      // the page follows it with auto refresh.
      page.click(By.id("auto-refresh"));
      page.waitUntil(textToBe(By.id("detail-status"), "ERROR"));
      page.waitUntil(numberOfElementsToBe(By.cssSelector("#timeline .step"), 2));
      assertThat(page.text(By.cssSelector("#timeline .step.failed .step-error")))
          .contains("The card was declined for order console-to-fork");

      page.click(By.cssSelector("#detail-fields .detail-forked-from a"));
      page.waitUntil(textToBePresentInElementLocated(By.id("forks"), fork));
    }
  }

  @Test
  void theQueuesViewShowsLimitsDepthByPartitionAndTheOldestWait() throws Exception {
    for (String[] w :
        new String[][] {
          {"console-q-a1", "tenant-a"},
          {"console-q-a2", "tenant-a"},
          {"console-q-a3", "tenant-a"},
          {"console-q-b1", "tenant-b"}
        }) {
      assertThat(
              AdminClient.plainGet("/test/console/enqueue?id=" + w[0] + "&partition=" + w[1])
                  .statusCode())
          .isEqualTo(200);
    }
    // One of each partition runs (partition concurrency 1); the other two of tenant-a wait.
    await()
        .atMost(ConsolePage.WAIT)
        .until(
            () ->
                SampleServer.count(
                        "SELECT count(*) FROM dbos.workflow_status WHERE workflow_uuid LIKE 'console-q-%' AND status = 'PENDING'")
                    == 2);

    try (ConsolePage page = ConsolePage.signedInAs("operator", "dbos-admin-dev")) {
      page.open("#/queues");
      By queue = By.cssSelector("tr[data-queue='console-tenants']");
      page.waitUntil(presenceOfElementLocated(queue));
      assertThat(page.text(By.cssSelector("tr[data-queue='console-tenants'] .limits")))
          .isEqualTo("per partition 1");
      assertThat(page.text(By.cssSelector("tr[data-queue='console-tenants'] .enqueued")))
          .isEqualTo("2");
      assertThat(page.text(By.cssSelector("tr[data-queue='console-tenants'] .running")))
          .isEqualTo("2");
      assertThat(page.text(By.cssSelector("tr[data-queue='console-tenants'] .oldest-wait")))
          .isNotEmpty();
      assertThat(page.text(By.cssSelector("[data-partition='tenant-a']")))
          .startsWith("tenant-a: 2 enqueued, 1 running, oldest ");
      assertThat(page.text(By.cssSelector("[data-partition='tenant-b']")))
          .isEqualTo("tenant-b: 0 enqueued, 1 running");
      page.screenshot("queues");

      page.click(By.cssSelector("tr[data-queue='console-tenants'] .name a"));
      page.waitUntil(numberOfElementsToBe(ROWS, 4));
      assertThat(page.chromium.getCurrentUrl()).endsWith("#/workflows?queue=console-tenants");
    } finally {
      for (String id : List.of("console-q-a1", "console-q-a2", "console-q-a3", "console-q-b1")) {
        cancel(id);
      }
    }
  }

  @Test
  void theSchedulesViewPausesResumesTriggersAndBackfills() throws Exception {
    assertThat(AdminClient.plainGet("/test/console/schedule?name=" + SCHEDULE).statusCode())
        .isEqualTo(200);

    try (ConsolePage page = ConsolePage.signedInAs("operator", "dbos-admin-dev")) {
      page.open("#/schedules");
      By state = By.cssSelector("tr[data-schedule='" + SCHEDULE + "'] .state");
      page.waitUntil(textToBe(state, "Active"));
      assertThat(page.text(By.cssSelector("tr[data-schedule='" + SCHEDULE + "'] .cron")))
          .isEqualTo("0 0 * * * *");
      assertThat(page.text(By.cssSelector("tr[data-schedule='" + SCHEDULE + "'] .next-tick")))
          .matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:00:00Z");
      assertThat(page.text(By.cssSelector("tr[data-schedule='" + SCHEDULE + "'] .workflow")))
          .isEqualTo("ConsoleProbes.tick");

      page.click(By.cssSelector("tr[data-schedule='" + SCHEDULE + "'] button.pause"));
      page.waitUntil(textToBe(state, "Paused"));
      assertThat(
              SampleServer.text(
                  "SELECT status FROM dbos.workflow_schedules WHERE schedule_name = ?", SCHEDULE))
          .isEqualTo("PAUSED");

      page.click(By.cssSelector("tr[data-schedule='" + SCHEDULE + "'] button.resume"));
      page.waitUntil(textToBe(state, "Active"));

      page.click(By.cssSelector("tr[data-schedule='" + SCHEDULE + "'] button.trigger"));
      page.waitUntil(textToBePresentInElementLocated(By.id("notice"), "Started sched-" + SCHEDULE));
      String triggered = page.text(By.cssSelector("#notice a"));
      assertThat(SampleServer.workflowStatus(triggered)).isPresent();

      page.select(By.id("backfill-schedule"), SCHEDULE);
      page.type(By.id("backfill-from"), "2026-01-01T00:00:00Z");
      page.type(By.id("backfill-to"), "2026-01-01T03:00:00Z");
      page.click(By.id("backfill"));
      page.waitUntil(
          textToBe(
              By.id("notice"),
              "Backfill of "
                  + SCHEDULE
                  + ": 3 tick(s) in the interval, those not run before started."));
      assertThat(
              SampleServer.count(
                  "SELECT count(*) FROM dbos.workflow_status WHERE workflow_uuid LIKE ?",
                  "sched-" + SCHEDULE + "-2026-01-01T0%"))
          .isEqualTo(3);

      page.screenshot("schedules");

      page.type(By.id("backfill-to"), "not a time");
      page.click(By.id("backfill"));
      page.waitUntil(
          textToBePresentInElementLocated(By.id("message"), "end must be an ISO-8601 time"));
    }
  }

  @Test
  void theServersViewShowsVersionsAndLeases() throws Exception {
    String executor =
        AdminClient.object(AdminClient.OPERATOR.get("/console-api/servers"))
            .getString("executor_id");
    try (ConsolePage page = ConsolePage.signedInAs("operator", "dbos-admin-dev")) {
      page.open("#/servers");
      page.waitUntil(textToBePresentInElementLocated(By.id("this-server"), executor));
      page.waitUntil(textToBePresentInElementLocated(By.id("versions"), "(this server)"));
      page.waitUntil(
          textToBePresentInElementLocated(By.id("executors"), executor + " (this server)"));
      assertThat(page.text(By.id("executors"))).contains("live");
      page.waitUntil(attributeContains(By.id("nav-servers"), "class", "current"));
      page.screenshot("servers");
    }
  }

  private static final By ROWS = By.cssSelector("#workflows tr");

  private static By row(String workflowId) {
    return By.cssSelector("tr[data-workflow-id='" + workflowId + "']");
  }

  private static By cell(String workflowId, String column) {
    return By.cssSelector("tr[data-workflow-id='" + workflowId + "'] td." + column);
  }

  private static By count(String status) {
    return By.cssSelector("#counts .count[data-status='" + status + "']");
  }

  private static void start(String kind, String id) throws Exception {
    assertThat(AdminClient.plainGet("/test/console/start?kind=" + kind + "&id=" + id).statusCode())
        .isEqualTo(200);
  }

  private static void awaitStatus(String workflowId, String status) {
    await()
        .atMost(ConsolePage.WAIT)
        .until(() -> SampleServer.workflowStatus(workflowId).equals(Optional.of(status)));
  }

  private static void cancel(String id) throws Exception {
    AdminClient.OPERATOR.post("/workflows/" + id + "/cancel", "");
  }
}
