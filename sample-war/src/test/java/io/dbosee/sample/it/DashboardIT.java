package io.dbosee.sample.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.openqa.selenium.support.ui.ExpectedConditions.and;
import static org.openqa.selenium.support.ui.ExpectedConditions.numberOfElementsToBe;
import static org.openqa.selenium.support.ui.ExpectedConditions.presenceOfElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.stalenessOf;
import static org.openqa.selenium.support.ui.ExpectedConditions.textToBe;

import io.dbosee.sample.it.inserver.AdminProbes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium, driven by Selenium's ChromeDriver: see a workflow, its
 * steps, cancel it, resume it, fork it.
 *
 * <p>Needs a Chromium or Chrome and its ChromeDriver, found as {@link HeadlessChromium} says (here:
 * Debian's chromium and chromium-driver, which {@code .ci/run} installs).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class DashboardIT {
  private static final String DEPLOYMENT = "dashboard";
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Duration POLL = Duration.ofMillis(100);

  /** ChromeDriver's log, kept for a failed run. */
  private static final Path CHROMEDRIVER_LOG = Path.of("target", "dashboard-chromedriver.log");

  private static final By ROWS = By.cssSelector("#workflows tr");
  private static final By DETAIL_TITLE = By.id("detail-title");
  private static final By DETAIL_STATUS = By.id("detail-status");
  private static final By DETAIL_INPUT = By.id("detail-input");
  private static final By TIMELINE = By.id("timeline");
  private static final By TIMELINE_BARS = By.cssSelector("#timeline .bar");
  private static final By SEARCH = By.id("search");
  private static final By REFRESH = By.id("refresh");
  private static final By CANCEL = By.id("cancel");
  private static final By RESUME = By.id("resume");
  private static final By FORK = By.id("fork");
  private static final By MESSAGE = By.id("message");
  private static final By ALL_APPLICATIONS = By.id("all-applications");

  /** The sample's application name here, so that the page has another application to hide. */
  private static final String APPLICATION = "dashboard";

  @ArquillianResource ContainerController controller;
  @ArquillianResource Deployer deployer;

  private Path profile;
  private ChromeDriver chromium;

  @Deployment(name = DEPLOYMENT, managed = false, testable = false)
  static WebArchive sample() {
    return SampleServer.withConfig(
        SampleServer.sampleWarWithTestEndpoints().addClass(AdminProbes.class),
        "dbos.application-name=" + APPLICATION);
  }

  @BeforeEach
  void startAndDeploy() {
    LibertyProcess.startAndDeploy(controller, deployer, DEPLOYMENT);
  }

  @AfterEach
  void undeployAndStop() throws Exception {
    try {
      quitChromium();
    } finally {
      try {
        LibertyProcess.undeployAndStop(controller, deployer, DEPLOYMENT);
      } finally {
        // The sample's queues and schedules are unclaimed again, as the other tests (which give
        // the sample no name, or another one) expect them, and the other application's workflow
        // is gone.
        SampleServer.update(
            "DELETE FROM dbos.workflow_status WHERE workflow_uuid = 'dash-elsewhere'");
        SampleServer.update(
            "UPDATE dbos.queues SET application_name = NULL WHERE application_name = ?",
            APPLICATION);
        SampleServer.update(
            "UPDATE dbos.workflow_schedules SET application_name = NULL"
                + " WHERE application_name = ?",
            APPLICATION);
      }
    }
  }

  @Test
  void anOperatorSeesAWorkflowItsStepsCancelsResumesAndForksIt() throws Exception {
    assertThat(AdminClient.plainGet("/test/admin/start?id=dash-1&seconds=600").statusCode())
        .isEqualTo(200);
    await()
        .atMost(WAIT)
        .until(
            () ->
                SampleServer.count(
                        "SELECT count(*) FROM dbos.operation_outputs WHERE workflow_uuid = ?",
                        "dash-1")
                    >= 2);

    startChromium();
    openDashboardAs("operator", "dbos-admin-dev");

    waitUntil(presenceOfElementLocated(row("dash-1")));
    assertThat(text(statusCell("dash-1"))).isEqualTo("PENDING");

    searchFor("dash-");
    waitUntil(and(numberOfElementsToBe(ROWS, 1), presenceOfElementLocated(row("dash-1"))));

    click(row("dash-1"));
    waitUntil(textToBe(DETAIL_STATUS, "PENDING"));
    assertThat(text(DETAIL_INPUT)).contains("dash-1").contains("600");
    waitUntil(numberOfElementsToBe(TIMELINE_BARS, 2));
    assertThat(text(TIMELINE)).contains("before").contains("DBOS.sleep");

    click(CANCEL);

    waitUntil(textToBe(DETAIL_STATUS, "CANCELLED"));
    assertThat(text(statusCell("dash-1"))).isEqualTo("CANCELLED");
    assertThat(SampleServer.workflowStatus("dash-1")).isEqualTo(Optional.of("CANCELLED"));

    click(RESUME);

    // Resumed from its last completed step: it runs (sleeps) again.
    waitUntil(textToBe(DETAIL_STATUS, "PENDING"));
    assertThat(text(statusCell("dash-1"))).isEqualTo("PENDING");
    assertThat(SampleServer.workflowStatus("dash-1")).isEqualTo(Optional.of("PENDING"));

    chromium.findElement(SEARCH).clear(); // the fork's id is new: list every workflow
    click(FORK);

    // The page shows the new workflow: a copy of dash-1 from step 0, with its own id.
    String title = waitUntil(titleOfAWorkflowOtherThan("dash-1"));
    String forkId = title.substring(title.lastIndexOf(' ') + 1);
    assertThat(
            SampleServer.text(
                "SELECT forked_from FROM dbos.workflow_status WHERE workflow_uuid = ?", forkId))
        .isEqualTo("dash-1");
    waitUntil(presenceOfElementLocated(row(forkId)));
    assertThat(text(DETAIL_INPUT)).contains("dash-1").contains("600");

    click(CANCEL); // the fork, then the original: leave nothing sleeping
    waitUntil(textToBe(DETAIL_STATUS, "CANCELLED"));
    assertThat(AdminClient.OPERATOR.post("/workflows/dash-1/cancel", "").statusCode())
        .isEqualTo(204);

    // Another application's workflow shows only once the page is asked for all applications.
    SampleServer.update(
        "INSERT INTO dbos.workflow_status (workflow_uuid, status, name, application_name)"
            + " VALUES ('dash-elsewhere', 'SUCCESS', 'elsewhere', 'another-app')");
    WebElement firstRowBefore = chromium.findElement(ROWS);
    click(REFRESH);
    waitUntil(stalenessOf(firstRowBefore));
    assertThat(chromium.findElements(row("dash-elsewhere"))).isEmpty();
    assertThat(text(applicationCell("dash-1"))).isEqualTo(APPLICATION);

    click(ALL_APPLICATIONS);

    waitUntil(presenceOfElementLocated(row("dash-elsewhere")));
    assertThat(text(applicationCell("dash-elsewhere"))).isEqualTo("another-app");
  }

  /** The application cell in the list's row of one workflow. */
  private static By applicationCell(String workflowId) {
    return By.cssSelector("tr[data-workflow-id='" + workflowId + "'] td.application");
  }

  /** The list's row of one workflow. */
  private static By row(String workflowId) {
    return By.cssSelector("tr[data-workflow-id='" + workflowId + "']");
  }

  /** The status cell in the list's row of one workflow. */
  private static By statusCell(String workflowId) {
    return By.cssSelector("tr[data-workflow-id='" + workflowId + "'] td.status");
  }

  /** The detail's title ("name — id") once it shows a workflow other than {@code workflowId}. */
  private static ExpectedCondition<String> titleOfAWorkflowOtherThan(String workflowId) {
    return new ExpectedCondition<>() {
      @Override
      public String apply(WebDriver page) {
        String title = page.findElement(DETAIL_TITLE).getText();
        return title.endsWith(" " + workflowId) ? null : title;
      }

      @Override
      public String toString() {
        return "the detail to show a workflow other than " + workflowId;
      }
    };
  }

  /** A headless Chromium with a fresh profile ({@link HeadlessChromium}). */
  private void startChromium() throws Exception {
    profile = Files.createTempDirectory("dbos-dashboard-chromium");
    chromium = HeadlessChromium.start(profile, CHROMEDRIVER_LOG);
  }

  /**
   * Opens the dashboard with HTTP Basic credentials sent on every request the page makes (through
   * the DevTools protocol, as the page's fetch calls get no login prompt).
   */
  private void openDashboardAs(String user, String password) {
    String token =
        Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    // Through ChromeDriver's own CDP endpoint: no selenium-devtools module needed (Selenium's
    // "Unable to find CDP implementation matching 156" warning at the start says only that).
    chromium.executeCdpCommand("Network.enable", Map.of());
    chromium.executeCdpCommand(
        "Network.setExtraHTTPHeaders",
        Map.of("headers", Map.of("Authorization", "Basic " + token)));
    chromium.get(SampleServer.uri(AdminClient.BASE + "/").toString());
  }

  /**
   * Waits at most {@link #WAIT} for {@code condition}; on timeout the failure also quotes the
   * page's message line, where the dashboard shows a failed call.
   */
  private <T> T waitUntil(ExpectedCondition<T> condition) {
    return new WebDriverWait(chromium, WAIT, POLL)
        .withMessage(() -> condition + " (the page's message line: \"" + pageMessage() + "\")")
        .until(condition);
  }

  private String pageMessage() {
    try {
      return chromium.findElement(MESSAGE).getText();
    } catch (WebDriverException e) {
      return "unreadable: " + e.getClass().getSimpleName();
    }
  }

  /**
   * Types {@code prefix} into the id search and refreshes, then waits for the list to be drawn
   * again from the answer (its first row replaced): until then the list is the one from before the
   * search.
   */
  private void searchFor(String prefix) {
    WebElement firstRowBefore = chromium.findElement(ROWS);
    chromium.findElement(SEARCH).sendKeys(prefix);
    click(REFRESH);
    waitUntil(stalenessOf(firstRowBefore));
  }

  private String text(By element) {
    return chromium.findElement(element).getText();
  }

  private void click(By element) {
    chromium.findElement(element).click();
  }

  private void quitChromium() throws Exception {
    try {
      if (chromium != null) {
        chromium.quit();
      }
    } finally {
      chromium = null;
      if (profile != null) {
        try (var files = Files.walk(profile)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        profile = null;
      }
    }
  }
}
