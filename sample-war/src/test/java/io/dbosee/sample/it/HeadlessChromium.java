package io.dbosee.sample.it;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.openqa.selenium.SessionNotCreatedException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A headless Chromium (or Chrome) for the browser tests, found the way a developer's machine has
 * one: the system's Chromium and ChromeDriver when both are installed (Debian's, which {@code
 * .ci/run} installs, or Homebrew's, or on the PATH), named by path so that nothing is downloaded;
 * otherwise Selenium Manager's choice, which finds an installed Chrome and a matching driver, or
 * fetches both where the network allows. {@code -Dbrowser.binary} and {@code -Dbrowser.driver} name
 * them explicitly.
 */
final class HeadlessChromium {
  private HeadlessChromium() {}

  private static final List<String> BROWSERS =
      List.of(
          "/usr/bin/chromium",
          "/usr/bin/chromium-browser",
          "/usr/bin/google-chrome",
          "/opt/homebrew/bin/chromium",
          "/Applications/Chromium.app/Contents/MacOS/Chromium",
          "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome");

  private static final List<String> DRIVERS =
      List.of(
          "/usr/bin/chromedriver", "/usr/local/bin/chromedriver", "/opt/homebrew/bin/chromedriver");

  /** Starts one with a fresh {@code profile}, ChromeDriver logging to {@code log}. */
  static ChromeDriver start(Path profile, Path log) {
    ChromeOptions options =
        new ChromeOptions()
            .addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--user-data-dir=" + profile);
    Optional<String> browser = find("browser.binary", BROWSERS, "chromium", "chromium-browser");
    Optional<String> driver = find("browser.driver", DRIVERS, "chromedriver");
    ChromeDriverService.Builder service =
        new ChromeDriverService.Builder().usingAnyFreePort().withLogFile(log.toFile());
    if (browser.isPresent() && driver.isPresent()) {
      options.setBinary(browser.get());
      service.usingDriverExecutable(new File(driver.get()));
    }
    try {
      return new ChromeDriver(service.build(), options);
    } catch (SessionNotCreatedException | IllegalStateException e) {
      throw new IllegalStateException(
          "No Chromium or Chrome to run the browser test: found browser "
              + browser.orElse("none")
              + ", driver "
              + driver.orElse("none")
              + ", and Selenium Manager could not provide them ("
              + e.getMessage()
              + "). Install Chromium and its ChromeDriver (Debian: apt-get install chromium"
              + " chromium-driver; macOS: brew install --cask chromium chromedriver), or Chrome"
              + " with network access for Selenium Manager, or name them with -Dbrowser.binary"
              + " and -Dbrowser.driver.",
          e);
    }
  }

  /** The program a system property names, else the first of {@code paths}, else on the PATH. */
  private static Optional<String> find(String property, List<String> paths, String... names) {
    String named = System.getProperty(property);
    if (named != null && !named.isBlank()) {
      return Optional.of(named);
    }
    List<Path> candidates = new ArrayList<>();
    paths.forEach(p -> candidates.add(Path.of(p)));
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        for (String name : names) {
          candidates.add(Path.of(dir, name));
          candidates.add(Path.of(dir, name + ".exe"));
        }
      }
    }
    return candidates.stream().filter(Files::isExecutable).map(Path::toString).findFirst();
  }
}
