package io.dbosee.internal.admin;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonStructure;
import jakarta.json.JsonValue;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * One request to the admin servlet, already authorized: its method, its path under the admin path,
 * and the ways to answer it.
 */
record AdminCall(
    String method, String path, HttpServletRequest request, HttpServletResponse response) {

  boolean get() {
    return method.equals("GET");
  }

  boolean post() {
    return method.equals("POST");
  }

  /** The request's JSON body; an empty body is an empty object. */
  JsonStructure body() throws IOException {
    return AdminJson.parse(request.getInputStream());
  }

  /** The request's JSON body, which must be an object. */
  JsonObject bodyObject() throws IOException {
    return AdminJson.object(body());
  }

  void json(int status, JsonValue value) throws IOException {
    write(response, status, value);
  }

  void noContent() {
    response.setStatus(204);
  }

  /** 405 with the method that is allowed. */
  void notAllowed(String allowed) throws IOException {
    response.setHeader("Allow", allowed);
    error(response, 405, method + " is not allowed on " + path + "; use " + allowed);
  }

  static void write(HttpServletResponse response, int status, JsonValue value) throws IOException {
    byte[] bytes = value.toString().getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-store");
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  static void error(HttpServletResponse response, int status, String message) throws IOException {
    write(response, status, Json.createObjectBuilder().add("error", message).build());
  }
}
