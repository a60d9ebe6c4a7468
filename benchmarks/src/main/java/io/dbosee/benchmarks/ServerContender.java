package io.dbosee.benchmarks;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * A contender of the in-server benchmark: its endpoints under {@code path} of the server (the
 * contract's {@code /bench/workflow}, {@code /bench/transaction}, {@code /bench/enqueue}), from the
 * WAR {@code war} in the server's dropins, writing to its own {@code database}.
 */
record ServerContender(String name, String war, String path, String database) {
  static final String OURS = "dbos-ee";
  static final String FLOOR = "floor";
  static final String DBOS_JAVA = "DBOS Java";
  static final String OUR_WAR = "benchmark-war.war";

  /**
   * Every contender the benchmark knows, in report order; it measures those whose WAR is deployed.
   * A new contender's WAR goes in the server's dropins (the server-bench profile's
   * copy-dependencies: add it as a dependency there) and here.
   */
  static final List<ServerContender> KNOWN =
      List.of(
          new ServerContender(OURS, OUR_WAR, "/dbosee/bench", "bench_dbosee"),
          new ServerContender(FLOOR, OUR_WAR, "/dbosee/bench/floor", "bench_floor"),
          new ServerContender(
              DBOS_JAVA, "benchmark-dbos-java-war.war", "/dbos-java/bench", "bench_dbos_java"));

  /**
   * The known contender called {@code name} on a command line: its name with a hyphen for a space,
   * in any case ({@code dbos-ee}, {@code floor}, {@code dbos-java}).
   */
  static ServerContender named(String name) {
    return KNOWN.stream()
        .filter(c -> c.argument().equals(name.trim().toLowerCase(Locale.ROOT)))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no contender called '"
                        + name
                        + "'; the contenders are "
                        + String.join(
                            ", ", KNOWN.stream().map(ServerContender::argument).toList())));
  }

  /** How a command line names this contender. */
  String argument() {
    return name.replace(' ', '-').toLowerCase(Locale.ROOT);
  }

  /** The known contenders whose WAR is among {@code wars} (file names). */
  static List<ServerContender> deployed(List<String> wars) {
    return KNOWN.stream().filter(c -> wars.contains(c.war())).toList();
  }

  /** One kind of work per request. */
  record Endpoint(String label, String path) {}

  static final Endpoint WORKFLOW_10 = new Endpoint("workflow, 10 steps", "/workflow?steps=10");

  static final List<Endpoint> ENDPOINTS =
      List.of(
          new Endpoint("workflow, 0 steps", "/workflow?steps=0"),
          new Endpoint("workflow, 1 step", "/workflow?steps=1"),
          WORKFLOW_10,
          new Endpoint("@Transaction step inserting a row", "/transaction"),
          new Endpoint("enqueue, wait for the result", "/enqueue"));

  /** The request for {@code endpoint} with workflow id {@code id}. */
  URI uri(String baseUrl, Endpoint endpoint, String id) {
    String separator = endpoint.path().contains("?") ? "&" : "?";
    return URI.create(
        baseUrl
            + path
            + endpoint.path()
            + separator
            + "id="
            + URLEncoder.encode(id, StandardCharsets.UTF_8));
  }
}
