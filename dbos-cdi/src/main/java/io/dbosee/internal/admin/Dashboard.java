package io.dbosee.internal.admin;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The dashboard: one HTML page whose script calls the admin endpoints next to it. The page is a
 * resource of this jar, read once; the endpoints' base path is written into it per request.
 */
final class Dashboard {
  private static final String PAGE = load();

  private Dashboard() {}

  static void write(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String base = request.getContextPath() + request.getServletPath();
    byte[] bytes =
        PAGE.replace("__DBOS_ADMIN_BASE__", base.replace("\"", ""))
            .getBytes(StandardCharsets.UTF_8);
    response.setStatus(200);
    response.setContentType("text/html");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-store");
    response.setHeader("Content-Security-Policy", "default-src 'self' 'unsafe-inline'");
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  private static String load() {
    try (InputStream in = Dashboard.class.getResourceAsStream("dashboard.html")) {
      if (in == null) {
        throw new IllegalStateException("dashboard.html is missing from the dbos-cdi jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
