package io.dbosee.sample.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbosee.devpostgres.DevPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The sample as a user runs it, in real processes: the development PostgreSQL started (or reused)
 * by {@link DevPostgres}, as the {@code sample} Maven profile's exec:java does, then Open Liberty
 * in the foreground with {@code bin/server run <server>}, as the profile's liberty:run does, on the
 * profile's server configuration (created by the build, see the {@code demo-server} execution in
 * sample-war/pom.xml) with the sample's WAR in its dropins. Ports come from {@code HTTP_PORT} and
 * {@code HTTPS_PORT} in the server's environment, as docs/tutorial.md tells users to move them.
 *
 * <p>{@link #kill()} SIGKILLs the server's JVM; {@link #close()} stops whatever this started: the
 * server and, unless it shares another's, the PostgreSQL (which the development run otherwise
 * leaves running on purpose).
 */
final class SampleProcess implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SampleProcess.class.getName());
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows");
  // Generous: on a loaded 2-core machine a Liberty start has taken more than three minutes.
  private static final Duration START_DEADLINE = Duration.ofMinutes(5);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Path wlpHome = Path.of(System.getProperty("liberty.wlp.home"));
  private final String serverName;
  private final Path serverDir;
  private final Path postgresDir = Path.of(System.getProperty("demo.postgres.dir"));
  private final int httpPort = freePort();
  private final int httpsPort = freePort();
  private final boolean ownsPostgres;
  private Process server;
  private Path log;

  /**
   * A sample on an empty database: stops a PostgreSQL an aborted run left, deletes its data, and
   * deploys the sample's WAR (as Maven packaged it) in the server's dropins.
   */
  SampleProcess() throws IOException, InterruptedException {
    this(System.getProperty("demo.server.name"), Path.of(System.getProperty("sample.war")), true);
  }

  /**
   * WAR {@code war} on Liberty server {@code serverName} (one the build created, see the {@code
   * demo-server} executions in sample-war/pom.xml). With {@code emptyDatabase} it first stops a
   * PostgreSQL an aborted run left and deletes its data; without, it shares the development
   * PostgreSQL with another {@code SampleProcess} (which owns and stops it).
   */
  SampleProcess(String serverName, Path war, boolean emptyDatabase)
      throws IOException, InterruptedException {
    this(serverName, war, emptyDatabase, "dropins");
  }

  /**
   * The same with the WAR in directory {@code deployDirectory} of the server as {@code
   * sample-war.war}: {@code "dropins"}, or {@code "apps"} for a server whose configuration declares
   * it in a {@code <webApplication>} (which a WAR in dropins cannot have).
   */
  SampleProcess(String serverName, Path war, boolean emptyDatabase, String deployDirectory)
      throws IOException, InterruptedException {
    this.serverName = serverName;
    this.serverDir = wlpHome.resolve("usr/servers").resolve(serverName);
    if (!Files.isDirectory(serverDir)) {
      throw new IllegalStateException(
          "no Liberty server " + serverDir + ": the build's demo-server executions create it");
    }
    this.ownsPostgres = emptyDatabase;
    if (emptyDatabase) {
      stopPostgres();
      deleteRecursively(postgresDir);
    }
    deleteRecursively(serverDir.resolve(deployDirectory));
    Files.createDirectories(serverDir.resolve(deployDirectory));
    Files.copy(war, serverDir.resolve(deployDirectory).resolve("sample-war.war"));
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  /**
   * Starts PostgreSQL (or reuses the running one) and the server, with {@code environment} added to
   * the server's, the server's console going to {@code target/<logName>}; returns when the sample
   * answers.
   */
  void start(String logName, Map<String, String> environment) throws Exception {
    if (server != null && server.isAlive()) {
      throw new IllegalStateException("the sample server already runs (pid " + server.pid() + ")");
    }
    startPostgres();
    log = postgresDir.resolveSibling(logName);
    ProcessBuilder builder =
        new ProcessBuilder(
                wlpHome.resolve(WINDOWS ? "bin/server.bat" : "bin/server").toString(),
                "run",
                serverName)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("POSTGRES_")); // the embedded PostgreSQL, always
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("HTTP_PORT", Integer.toString(httpPort));
    env.put("HTTPS_PORT", Integer.toString(httpsPort));
    env.putAll(environment);
    server = builder.start();
    LOG.info("Started " + serverName + " (pid " + server.pid() + "), console in " + log);
    Instant deadline = Instant.now().plus(START_DEADLINE);
    while (status("/greetings") != 200) {
      if (!server.isAlive()) {
        throw new IllegalStateException(
            "the sample server exited with " + server.exitValue() + "; see " + log);
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException(
            "the sample did not answer within " + START_DEADLINE + "; see " + log);
      }
      Thread.sleep(200);
    }
  }

  /** SIGKILLs the server's JVM ({@code server run} execs it) and waits until it is gone. */
  void kill() throws InterruptedException {
    List<ProcessHandle> descendants = server.descendants().toList();
    server.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
    if (!server.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the killed sample server (pid " + server.pid() + ") lives");
    }
    LOG.info("Killed " + serverName + " (pid " + server.pid() + ")");
  }

  /** What the server wrote to its console since its last start. */
  String console() throws IOException {
    return Files.readString(log);
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(request(path), HttpResponse.BodyHandlers.ofString());
  }

  /** A GET with request headers ({@code name, value, ...}). */
  HttpResponse<String> get(String path, String... headers)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(request(path), (name, value) -> true).headers(headers).build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  CompletableFuture<HttpResponse<String>> getAsync(String path) {
    return HTTP.sendAsync(request(path), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest request(String path) {
    return HttpRequest.newBuilder(URI.create("http://localhost:" + httpPort + path))
        .timeout(Duration.ofMinutes(2))
        .GET()
        .build();
  }

  private int status(String path) {
    try {
      return get(path).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** A connection to the sample's database (the system and the application tables). */
  /**
   * The single text the query answers on this server's database, null when it answers no row; fails
   * on several rows.
   */
  String single(String sql, String... args) throws SQLException {
    try (Connection c = database();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        String value = rs.getString(1);
        assertThat(rs.next()).as("more than one row for %s", sql).isFalse();
        return value;
      }
    }
  }

  Connection database() throws SQLException {
    try {
      int port = Integer.parseInt(Files.readString(postgresDir.resolve("port")).trim());
      return DriverManager.getConnection(
          "jdbc:postgresql://localhost:" + port + "/" + TestPostgresSession.DATABASE,
          "postgres",
          "");
    } catch (IOException e) {
      throw new UncheckedIOException("the development PostgreSQL has not started", e);
    }
  }

  /** Kills the server if it runs. */
  void stopServer() throws InterruptedException {
    if (server != null && server.isAlive()) {
      kill();
    }
  }

  @Override
  public void close() throws Exception {
    try {
      stopServer();
    } finally {
      if (ownsPostgres) {
        stopPostgres();
      }
    }
  }

  /** The process id of the server's JVM. */
  long pid() {
    return server.pid();
  }

  /**
   * How many threads the server's JVM has now: from /proc on Linux; elsewhere (macOS, Windows) by
   * the JDK's {@code jcmd <pid> Thread.print}, one quoted header line per Java thread.
   */
  int threads() throws IOException, InterruptedException {
    Path status = Path.of("/proc", Long.toString(pid()), "status");
    if (Files.isReadable(status)) {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("Threads:")) {
          return Integer.parseInt(line.substring("Threads:".length()).trim());
        }
      }
      throw new IllegalStateException("no Threads: line in " + status);
    }
    Process jcmd =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid()),
                "Thread.print")
            .redirectErrorStream(true)
            .start();
    String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (jcmd.waitFor() != 0) {
      throw new IllegalStateException("jcmd " + pid() + " Thread.print failed: " + out);
    }
    return (int) out.lines().filter(line -> line.startsWith("\"")).count();
  }

  /**
   * Starts the development PostgreSQL again on its data directory (on its previous port when that
   * is free, so the running server finds it where it was).
   */
  void startPostgres() throws Exception {
    // In a JVM of its own, as the sample profile starts it: the embedded PostgreSQL library locks
    // the data directory for the life of the JVM that started it, so a second start from this
    // test JVM (after stopPostgres) fails with an OverlappingFileLockException, unless a garbage
    // collection happened to release the first lock.
    Process launcher =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                DevPostgres.class.getName(),
                postgresDir.toString(),
                serverDir.toString(),
                TestPostgresSession.DATABASE,
                // the orders example's database, named by the sample's server.xml
                "dbos_sample_orders")
            .inheritIO()
            .start();
    if (!launcher.waitFor(5, TimeUnit.MINUTES)) {
      launcher.destroyForcibly();
      throw new IllegalStateException("the development PostgreSQL did not start in 5 minutes");
    }
    if (launcher.exitValue() != 0) {
      throw new IllegalStateException(
          "the development PostgreSQL launcher failed (exit " + launcher.exitValue() + ")");
    }
  }

  /**
   * Stops the PostgreSQL running on the data directory, if any, with a fast shutdown (SIGINT: it
   * ends its sessions and stops at once; SIGTERM would wait until every client disconnected).
   */
  void stopPostgres() throws InterruptedException {
    Optional<ProcessHandle> postmaster = postmaster();
    if (postmaster.isEmpty()) {
      return;
    }
    try {
      new ProcessBuilder("kill", "-INT", Long.toString(postmaster.get().pid()))
          .inheritIO()
          .start()
          .waitFor();
    } catch (IOException e) {
      postmaster.get().destroy(); // no kill command: SIGTERM, the smart shutdown
    }
    try {
      postmaster.get().onExit().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      postmaster.get().destroyForcibly();
    }
    LOG.info("Stopped the development PostgreSQL (pid " + postmaster.get().pid() + ")");
  }

  private Optional<ProcessHandle> postmaster() {
    try {
      List<String> lines = Files.readAllLines(postgresDir.resolve("data/postmaster.pid"));
      return ProcessHandle.of(Long.parseLong(lines.get(0).trim()))
          .filter(ProcessHandle::isAlive)
          .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  static Map<String, String> environment(String... keyValues) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      env.put(keyValues[i], keyValues[i + 1]);
    }
    return env;
  }
}
