package io.dbosee.internal.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The console's static files, resources of this jar read once: the page (into which the admin path
 * is written per request, so it is never cached) and its script and style sheet (revalidated by
 * their ETag: a new jar's files are fetched at once, unchanged ones cost a 304).
 */
final class ConsoleAssets {
  private record Asset(String contentType, byte[] bytes, String etag) {}

  private static final String PAGE = new String(load("console.html"), StandardCharsets.UTF_8);
  private static final Map<String, Asset> FILES =
      Map.of(
          "/console.js", asset("console.js", "text/javascript"),
          "/console.css", asset("console.css", "text/css"));

  private ConsoleAssets() {}

  /** Answers {@code call} if it asks for the page or one of its files; false if it does not. */
  static boolean serve(AdminCall call) throws IOException {
    boolean page = call.path().equals("/") || call.path().equals("/dashboard");
    Asset file = FILES.get(call.path());
    if (!page && file == null) {
      return false;
    }
    if (!call.get()) {
      call.notAllowed("GET");
      return true;
    }
    var response = call.response();
    response.setHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:");
    response.setHeader("X-Content-Type-Options", "nosniff");
    if (page) {
      String base = call.request().getContextPath() + call.request().getServletPath();
      String html = PAGE.replace("__DBOS_ADMIN_BASE__", base.replace("\"", ""));
      response.setHeader("Cache-Control", "no-store");
      write(call, "text/html", html.getBytes(StandardCharsets.UTF_8));
      return true;
    }
    response.setHeader("Cache-Control", "no-cache");
    response.setHeader("ETag", file.etag());
    if (file.etag().equals(call.request().getHeader("If-None-Match"))) {
      response.setStatus(304);
      return true;
    }
    write(call, file.contentType(), file.bytes());
    return true;
  }

  private static void write(AdminCall call, String contentType, byte[] bytes) throws IOException {
    var response = call.response();
    response.setStatus(200);
    response.setContentType(contentType);
    response.setCharacterEncoding("UTF-8");
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  private static Asset asset(String name, String contentType) {
    byte[] bytes = load(name);
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return new Asset(contentType, bytes, "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  private static byte[] load(String name) {
    try (InputStream in = ConsoleAssets.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the dbos-cdi jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
