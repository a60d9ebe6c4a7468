package io.dbosee.sample.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.ClassLoaderAsset;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** What the Arquillian tests share: the deployment, HTTP calls, and reads of both databases. */
final class SampleServer {
  static final String CONTAINER = "liberty";
  static final String DEPLOYMENT = "sample";
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private SampleServer() {}

  /**
   * The sample WAR as Maven packaged it: the sample's classes with dbos-cdi and dbos-jpa-datasource
   * in WEB-INF/lib.
   */
  static WebArchive sampleWar() {
    File war = new File(System.getProperty("sample.war", "target/sample-war.war"));
    WebArchive archive = ShrinkWrap.createFromZipFile(WebArchive.class, war);
    assertThat(archive.getContent().keySet())
        .as("WEB-INF/lib of %s", war)
        .anyMatch(path -> path.get().matches("/WEB-INF/lib/dbos-cdi-.*\\.jar"))
        .anyMatch(path -> path.get().matches("/WEB-INF/lib/dbos-jpa-datasource-.*\\.jar"));
    return archive;
  }

  /** A WAR named {@code name} holding only the sample's libraries (dbos-cdi and its modules). */
  static WebArchive libraryWar(String name) {
    WebArchive war = ShrinkWrap.create(WebArchive.class, name);
    for (var entry : sampleWar().getContent().entrySet()) {
      if (entry.getKey().get().startsWith("/WEB-INF/lib/") && entry.getValue().getAsset() != null) {
        war.add(entry.getValue().getAsset(), entry.getKey());
      }
    }
    return war;
  }

  /**
   * The sample plus test-only endpoints (see {@code inserver}), with the test configuration
   * (src/test/resources/test-config) in place of the sample's.
   */
  static WebArchive sampleWarWithTestEndpoints() {
    return sampleWarWithTestConfig()
        .addClasses(
            io.dbosee.sample.it.inserver.BackgroundWorkflows.class,
            io.dbosee.sample.it.inserver.ContextProbes.class,
            io.dbosee.sample.it.inserver.ContextProbeResource.class,
            io.dbosee.sample.it.inserver.QueueProbes.class,
            io.dbosee.sample.it.inserver.QueueProbeResource.class,
            io.dbosee.sample.it.inserver.RequestState.class,
            io.dbosee.sample.it.inserver.TransactionalProbeCaller.class);
  }

  /**
   * The sample plus the crash trials' workload ({@code inserver.CrashWorkload} and its endpoints),
   * with the test configuration.
   */
  static WebArchive sampleWarWithCrashWorkload() {
    return sampleWarWithTestConfig()
        .addClasses(
            io.dbosee.sample.it.inserver.CrashWorkload.class,
            io.dbosee.sample.it.inserver.CrashWorkloadResource.class);
  }

  /**
   * The sample plus the tracing test's workflows ({@code inserver.TracedWorkflows} and its
   * endpoints), with the test configuration.
   */
  static WebArchive sampleWarWithTracedWorkflows() {
    return sampleWarWithTestConfig()
        .addClasses(
            io.dbosee.sample.it.inserver.TracedWorkflows.class,
            io.dbosee.sample.it.inserver.TracingResource.class);
  }

  /**
   * The sample plus the outbox probes ({@code inserver.OutboxProbes}, its workflows and endpoints),
   * with the test configuration.
   */
  static WebArchive sampleWarWithOutboxProbes() {
    return sampleWarWithTestConfig()
        .addClasses(
            io.dbosee.sample.it.inserver.OutboxProbes.class,
            io.dbosee.sample.it.inserver.OutboxProbeResource.class,
            io.dbosee.sample.it.inserver.OutboxWorkflows.class);
  }

  /**
   * The sample with the test configuration (src/test/resources/test-config) in place of its own.
   */
  private static WebArchive sampleWarWithTestConfig() {
    WebArchive war = sampleWar();
    String config = "WEB-INF/classes/META-INF/microprofile-config.properties";
    war.delete(config);
    war.add(new ClassLoaderAsset("test-config/microprofile-config.properties"), config);
    return war;
  }

  /** {@code war} with {@code lines} added to the end of its MicroProfile Config properties. */
  static WebArchive withConfig(WebArchive war, String lines) {
    String path = "WEB-INF/classes/META-INF/microprofile-config.properties";
    String config;
    try (InputStream in = war.get(path).getAsset().openStream()) {
      config = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    war.delete(path);
    war.add(new StringAsset(config + "\n" + lines + "\n"), path);
    return war;
  }

  static URI uri(String path) {
    return URI.create("http://localhost:" + System.getProperty("liberty.http.port") + path);
  }

  static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(request(path), HttpResponse.BodyHandlers.ofString());
  }

  static CompletableFuture<HttpResponse<String>> getAsync(String path) {
    return HTTP.sendAsync(request(path), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest request(String path) {
    return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofMinutes(2)).GET().build();
  }

  static Connection database() throws SQLException {
    return DriverManager.getConnection(System.getProperty("test.postgres.url"), "postgres", "");
  }

  /** The workflow's status in the system database, empty while it has no row. */
  static Optional<String> workflowStatus(String workflowId) throws SQLException {
    return single(
            "SELECT status FROM dbos.workflow_status WHERE workflow_uuid = ?", List.of(workflowId))
        .map(String::valueOf);
  }

  /** How many times the sample recorded {@code step} of the workflow (0 when never). */
  static int stepExecutions(String workflowId, String step) throws SQLException {
    if (!tableExists("public", "sample_step_executions")) {
      return 0;
    }
    return single(
            "SELECT executions FROM sample_step_executions WHERE workflow_id = ? AND step = ?",
            List.of(workflowId, step))
        .map(v -> ((Number) v).intValue())
        .orElse(0);
  }

  /** The number the query answers (a count), 0 when it answers nothing. */
  static long count(String sql, String... args) throws SQLException {
    return single(sql, List.of(args)).map(v -> ((Number) v).longValue()).orElse(0L);
  }

  /** The text the query answers, or null. */
  static String text(String sql, String... args) throws SQLException {
    return single(sql, List.of(args)).map(String::valueOf).orElse(null);
  }

  /** Runs an update in its own transaction; the number of rows it changed. */
  static int update(String sql, String... args) throws SQLException {
    try (Connection c = database();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      return ps.executeUpdate();
    }
  }

  /**
   * How many tick workflows of the schedule finished (ids {@code sched-<schedule>-<time>+00:00}).
   */
  static long finishedTicks(String schedule) throws SQLException {
    return single(
            "SELECT count(*) FROM dbos.workflow_status WHERE schedule_name = ? AND status ="
                + " 'SUCCESS' AND workflow_uuid LIKE 'sched-' || schedule_name || '-%+00:00'",
            List.of(schedule))
        .map(v -> ((Number) v).longValue())
        .orElse(0L);
  }

  static boolean tableExists(String schema, String table) throws SQLException {
    return single(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            List.of(schema, table))
        .isPresent();
  }

  private static Optional<Object> single(String sql, List<String> args) throws SQLException {
    if (sql.contains("dbos.") && !tableExists("dbos", "workflow_status")) {
      return Optional.empty();
    }
    try (Connection c = database();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.size(); i++) {
        ps.setString(i + 1, args.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.ofNullable(rs.getObject(1)) : Optional.empty();
      }
    }
  }
}
