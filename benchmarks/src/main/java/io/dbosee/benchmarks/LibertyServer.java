package io.dbosee.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The benchmark's Open Liberty server, created by the build (the {@code server-bench} profile's
 * liberty:create, with the WARs in its dropins), run here in the background with {@code bin/server
 * run} on free ports, told where PostgreSQL is, and stopped by {@link #close()}, also when the run
 * fails (and by a shutdown hook when the driver is interrupted).
 */
final class LibertyServer implements AutoCloseable {
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
  // Generous: on a loaded 2-core machine a Liberty start has taken more than three minutes.
  private static final Duration START_DEADLINE = Duration.ofMinutes(5);

  private final Path wlpHome;
  private final String name;
  private final Path log;
  private final int httpPort = freePort();
  private final Process process;
  private final Thread killOnExit;

  /** Where the server finds PostgreSQL. */
  record Database(String host, int port, String user, String password) {}

  /**
   * Starts server {@code name} of the Liberty installation {@code wlpHome}, its console going to
   * {@code log}.
   */
  LibertyServer(Path wlpHome, String name, Database database, Path log) throws IOException {
    this.wlpHome = wlpHome;
    this.name = name;
    this.log = log;
    Path serverDir = serverDir(wlpHome, name);
    if (!Files.isDirectory(serverDir)) {
      throw new IllegalStateException(
          "no Liberty server "
              + serverDir
              + ": run the benchmark through the build, which creates it: mvn -B -pl benchmarks"
              + " -am -Pserver-bench -DskipTests verify");
    }
    Map<String, String> settings =
        Map.of(
            "bench.db.host", database.host(),
            "bench.db.port", Integer.toString(database.port()),
            "bench.db.user", database.user(),
            "bench.db.password", database.password());
    StringBuilder bootstrap = new StringBuilder();
    StringBuilder jvmOptions = new StringBuilder("-Xms1g\n-Xmx1g\n");
    settings.forEach(
        (k, v) -> {
          bootstrap.append(k).append('=').append(v).append('\n');
          jvmOptions.append("-D").append(k).append('=').append(v).append('\n');
        });
    bootstrap.append("http.port=").append(httpPort).append('\n');
    bootstrap.append("https.port=").append(freePort()).append('\n');
    Files.writeString(serverDir.resolve("bootstrap.properties"), bootstrap);
    Files.writeString(serverDir.resolve("jvm.options"), jvmOptions);
    Files.createDirectories(log.toAbsolutePath().getParent());
    ProcessBuilder builder =
        new ProcessBuilder(server(), "run", name)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    this.process = builder.start();
    this.killOnExit = new Thread(this::kill, "stop-liberty");
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  static Path serverDir(Path wlpHome, String name) {
    return wlpHome.resolve("usr/servers").resolve(name);
  }

  /** The WAR files in the server's dropins. */
  static List<String> deployedWars(Path wlpHome, String name) throws IOException {
    Path dropins = serverDir(wlpHome, name).resolve("dropins");
    if (!Files.isDirectory(dropins)) {
      return List.of();
    }
    try (var files = Files.list(dropins)) {
      return files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".war")).toList();
    }
  }

  /**
   * Moves every WAR but those of {@code wars} out of the server's dropins (into its {@code
   * undeployed} folder), so that the server runs only those applications; the build copies them
   * back on its next run.
   */
  static void deployOnly(Path wlpHome, String name, Collection<String> wars) throws IOException {
    Path server = serverDir(wlpHome, name);
    Path undeployed = Files.createDirectories(server.resolve("undeployed"));
    for (String other : deployedWars(wlpHome, name)) {
      if (!wars.contains(other)) {
        Files.move(
            server.resolve("dropins").resolve(other),
            undeployed.resolve(other),
            StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  String baseUrl() {
    return "http://localhost:" + httpPort;
  }

  long pid() {
    return process.pid();
  }

  /** Waits until {@code ready} holds; fails when the server exits or does not get there in time. */
  void awaitReady(String what, BooleanSupplier ready) throws InterruptedException {
    Instant deadline = Instant.now().plus(START_DEADLINE);
    while (!ready.getAsBoolean()) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the Liberty server exited with " + process.exitValue() + "; see " + log);
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException(
            what + " did not answer within " + START_DEADLINE + "; see " + log);
      }
      Thread.sleep(200); // polling a server that is starting: nothing to wait on but its answer
    }
  }

  private String server() {
    return wlpHome.resolve(WINDOWS ? "bin/server.bat" : "bin/server").toString();
  }

  /** Stops the server ({@code server stop}), and kills it if it has not exited within a minute. */
  @Override
  public void close() throws Exception {
    try {
      if (process.isAlive()) {
        Process stop =
            new ProcessBuilder(server(), "stop", name)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        stop.waitFor(2, TimeUnit.MINUTES);
        process.waitFor(1, TimeUnit.MINUTES);
      }
    } finally {
      kill();
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    }
  }

  private void kill() {
    if (process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }
}
