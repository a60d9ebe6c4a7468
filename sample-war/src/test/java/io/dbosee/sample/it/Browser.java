package io.dbosee.sample.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;

/**
 * A headless Debian Chromium driven through ChromeDriver's W3C WebDriver protocol (plain HTTP and
 * JSON, no client library). Needs the Debian packages chromium and chromium-driver (.ci/run
 * installs them).
 */
final class Browser implements AutoCloseable {
  private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  private final Process driver;
  private final Path profile;
  private final String base;
  private final String session;

  Browser() throws Exception {
    assertThat(Path.of(CHROMIUM))
        .as("Chromium is needed for the dashboard test: apt-get install chromium chromium-driver")
        .exists();
    assertThat(Path.of(CHROMEDRIVER))
        .as("ChromeDriver is needed: apt-get install chromium-driver")
        .exists();
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    profile = Files.createTempDirectory("dbos-dashboard-chromium");
    driver =
        new ProcessBuilder(CHROMEDRIVER, "--port=" + port)
            .redirectErrorStream(true)
            .redirectOutput(profile.resolve("chromedriver.log").toFile())
            .start();
    base = "http://localhost:" + port;
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> call("GET", "/status", null).getJsonObject("value").getBoolean("ready"));
    JsonArray args =
        Json.createArrayBuilder()
            .add("--headless")
            .add("--no-sandbox")
            .add("--disable-gpu")
            .add("--disable-quic")
            .add("--no-first-run")
            .add("--disable-background-networking")
            .add("--disable-component-update")
            .add("--disable-sync")
            .add("--disable-dev-shm-usage")
            .add("--user-data-dir=" + profile.resolve("profile"))
            .build();
    JsonObject capabilities =
        Json.createObjectBuilder()
            .add(
                "capabilities",
                Json.createObjectBuilder()
                    .add(
                        "alwaysMatch",
                        Json.createObjectBuilder()
                            .add("browserName", "chrome")
                            .add(
                                "goog:chromeOptions",
                                Json.createObjectBuilder()
                                    .add("binary", CHROMIUM)
                                    .add("args", args))))
            .build();
    session = call("POST", "/session", capabilities).getJsonObject("value").getString("sessionId");
  }

  /** Sends HTTP Basic credentials with every request the page makes. */
  void authenticateAs(String user, String password) throws Exception {
    String token =
        Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    cdp("Network.enable", JsonValue.EMPTY_JSON_OBJECT);
    cdp(
        "Network.setExtraHTTPHeaders",
        Json.createObjectBuilder()
            .add("headers", Json.createObjectBuilder().add("Authorization", "Basic " + token))
            .build());
  }

  private void cdp(String command, JsonValue params) throws Exception {
    call(
        "POST",
        "/session/" + session + "/goog/cdp/execute",
        Json.createObjectBuilder().add("cmd", command).add("params", params).build());
  }

  void open(URI uri) throws Exception {
    call(
        "POST",
        "/session/" + session + "/url",
        Json.createObjectBuilder().add("url", uri.toString()).build());
  }

  /** The element's id, or null when no element matches {@code css}. */
  String find(String css) throws Exception {
    JsonObject answer =
        call(
            "POST",
            "/session/" + session + "/elements",
            Json.createObjectBuilder().add("using", "css selector").add("value", css).build());
    JsonArray found = answer.getJsonArray("value");
    return found.isEmpty() ? null : found.getJsonObject(0).getString(ELEMENT);
  }

  /** The visible text of the first element matching {@code css}, or null when there is none. */
  String text(String css) throws Exception {
    String element = find(css);
    if (element == null) {
      return null;
    }
    return call("GET", "/session/" + session + "/element/" + element + "/text", null)
        .getString("value");
  }

  int count(String css) throws Exception {
    return call(
            "POST",
            "/session/" + session + "/elements",
            Json.createObjectBuilder().add("using", "css selector").add("value", css).build())
        .getJsonArray("value")
        .size();
  }

  void click(String css) throws Exception {
    String element = find(css);
    assertThat(element).as("an element matching %s", css).isNotNull();
    call(
        "POST",
        "/session/" + session + "/element/" + element + "/click",
        JsonValue.EMPTY_JSON_OBJECT);
  }

  void clear(String css) throws Exception {
    String element = find(css);
    assertThat(element).as("an element matching %s", css).isNotNull();
    call(
        "POST",
        "/session/" + session + "/element/" + element + "/clear",
        JsonValue.EMPTY_JSON_OBJECT);
  }

  void type(String css, String text) throws Exception {
    String element = find(css);
    assertThat(element).as("an element matching %s", css).isNotNull();
    call(
        "POST",
        "/session/" + session + "/element/" + element + "/value",
        Json.createObjectBuilder().add("text", text).build());
  }

  private JsonObject call(String method, String path, JsonValue body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    }
    HttpResponse<String> response =
        AdminClient.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode())
        .as("WebDriver %s %s: %s", method, path, response.body())
        .isEqualTo(200);
    try (var reader = Json.createReader(new StringReader(response.body()))) {
      return reader.readObject();
    }
  }

  @Override
  public void close() throws Exception {
    try {
      call("DELETE", "/session/" + session, null);
    } finally {
      driver.destroy();
      driver.waitFor();
      try (var files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
