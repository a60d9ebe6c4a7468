package io.dbosee.sample.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operations console in a real headless Chromium ({@link HeadlessChromium}), signed in with
 * HTTP Basic credentials sent on every request the page makes (through the DevTools protocol, as
 * the page's fetch calls get no login prompt). Screenshots go to {@code docs/operations/console},
 * where the documentation shows them: each run keeps them current.
 */
final class ConsolePage implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(60);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final By MESSAGE = By.id("message");

  /** Where the screenshots go: the docs' folder, from the module's directory. */
  static final Path SCREENSHOTS =
      Path.of(System.getProperty("console.screenshots", "../docs/operations/console"));

  private final Path profile;
  final ChromeDriver chromium;

  private ConsolePage(Path profile, ChromeDriver chromium) {
    this.profile = profile;
    this.chromium = chromium;
  }

  /** A fresh browser (its own profile: nothing cached) that signs in as {@code user}. */
  static ConsolePage signedInAs(String user, String password) throws Exception {
    Path profile = Files.createTempDirectory("dbos-console-chromium");
    ChromeDriver chromium =
        HeadlessChromium.start(profile, Path.of("target", "console-chromedriver.log"));
    String token =
        Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    // Through ChromeDriver's own CDP endpoint: no selenium-devtools module needed.
    chromium.executeCdpCommand("Network.enable", Map.of());
    chromium.executeCdpCommand(
        "Network.setExtraHTTPHeaders",
        Map.of("headers", Map.of("Authorization", "Basic " + token)));
    chromium.manage().window().setSize(new Dimension(1280, 900));
    return new ConsolePage(profile, chromium);
  }

  /** Opens the console at {@code fragment} (such as {@code #/queues}) by its URL. */
  ConsolePage open(String fragment) {
    chromium.get(SampleServer.uri(AdminClient.BASE + "/" + fragment).toString());
    return this;
  }

  /**
   * Waits at most {@link #WAIT} for {@code condition}; on timeout the failure also quotes the
   * page's message line, where the console shows a failed call.
   */
  <T> T waitUntil(ExpectedCondition<T> condition) {
    return new WebDriverWait(chromium, WAIT, POLL)
        .withMessage(() -> condition + " " + whatThePageShows())
        .until(condition);
  }

  /**
   * For a failure's message: the page's message line and text; its screenshot is kept as
   * target/console-failure.png.
   */
  private String whatThePageShows() {
    try {
      Files.write(
          Path.of("target", "console-failure.png"), chromium.getScreenshotAs(OutputType.BYTES));
      String page = chromium.findElement(By.tagName("body")).getText();
      return "(the page's message line: \""
          + message()
          + "\"; the page shows: "
          + page.substring(0, Math.min(page.length(), 3000))
          + ")";
    } catch (Exception e) {
      return "(the page is unreadable: " + e + ")";
    }
  }

  String message() {
    try {
      return chromium.findElement(MESSAGE).getText();
    } catch (WebDriverException e) {
      return "unreadable: " + e.getClass().getSimpleName();
    }
  }

  String text(By element) {
    return chromium.findElement(element).getText();
  }

  void click(By element) {
    chromium.findElement(element).click();
  }

  void type(By element, String text) {
    chromium.findElement(element).clear();
    chromium.findElement(element).sendKeys(text);
  }

  void select(By element, String value) {
    Select select = new Select(chromium.findElement(element));
    waitUntil(
        page -> select.getOptions().stream().anyMatch(o -> value.equals(o.getAttribute("value"))));
    select.selectByValue(value);
  }

  /** Saves what the page shows as {@code <name>.png} for the documentation. */
  void screenshot(String name) throws Exception {
    Files.createDirectories(SCREENSHOTS);
    Files.write(SCREENSHOTS.resolve(name + ".png"), chromium.getScreenshotAs(OutputType.BYTES));
  }

  /** The same, with the window of a phone (390 by 844 CSS pixels), then back to a desktop's. */
  void phoneScreenshot(String name) throws Exception {
    chromium.manage().window().setSize(new Dimension(390, 844));
    try {
      screenshot(name);
    } finally {
      chromium.manage().window().setSize(new Dimension(1280, 900));
    }
  }

  @Override
  public void close() throws Exception {
    try {
      chromium.quit();
    } finally {
      try (var files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
