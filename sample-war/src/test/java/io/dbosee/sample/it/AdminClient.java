package io.dbosee.sample.it;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonStructure;
import java.io.IOException;
import java.io.StringReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * Calls to the admin endpoints of the deployed sample (or of another WAR, {@link #of}), as a given
 * user (or none).
 */
final class AdminClient {
  static final String BASE = "/dbos-admin";
  static final AdminClient OPERATOR = new AdminClient("operator", "dbos-admin-dev");
  static final AdminClient VIEWER = new AdminClient("viewer", "dbos-viewer-dev");
  static final AdminClient WRONG_PASSWORD = new AdminClient("operator", "not-the-password");
  static final AdminClient ANONYMOUS = new AdminClient(null, null);

  /** HTTP/1.1: no h2c upgrade, whose connection Liberty may close (GOAWAY) under load. */
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  private final String user;
  private final String password;

  /** The admin path of the WAR called: the sample's, at the root, unless {@link #of} says. */
  private final String base;

  private AdminClient(String user, String password) {
    this(user, password, BASE);
  }

  private AdminClient(String user, String password, String base) {
    this.user = user;
    this.password = password;
    this.base = base;
  }

  /** The same user's calls to the admin endpoints of the WAR at {@code contextRoot}. */
  AdminClient of(String contextRoot) {
    return new AdminClient(user, password, contextRoot + BASE);
  }

  /** A GET outside the admin path, without credentials (the sample's own endpoints). */
  static HttpResponse<String> plainGet(String path) throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(SampleServer.uri(path)).timeout(Duration.ofMinutes(2)).GET());
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(builder(path).GET());
  }

  /** A GET with one more request header (a conditional one, say). */
  HttpResponse<String> get(String path, String header, String value)
      throws IOException, InterruptedException {
    return send(builder(path).header(header, value).GET());
  }

  HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
    return send(
        builder(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** A POST the way an HTML form would send it (not JSON). */
  HttpResponse<String> postText(String path, String body) throws IOException, InterruptedException {
    return send(
        builder(path)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private HttpRequest.Builder builder(String path) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(SampleServer.uri(base + path)).timeout(Duration.ofMinutes(1));
    if (user != null) {
      String token =
          Base64.getEncoder()
              .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
      b.header("Authorization", "Basic " + token);
    }
    return b;
  }

  private static HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonObject object(HttpResponse<String> response) {
    return (JsonObject) parse(response.body());
  }

  static JsonArray array(HttpResponse<String> response) {
    return (JsonArray) parse(response.body());
  }

  private static JsonStructure parse(String body) {
    try (var reader = Json.createReader(new StringReader(body))) {
      return reader.read();
    }
  }
}
