package io.dbosee.devpostgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Makes sure a PostgreSQL for the sample's development run is up, and tells a Liberty server where.
 *
 * <p>The server runs detached (pg_ctl puts it in its own session, and no shutdown hook stops it),
 * so killing Maven or Liberty, even with SIGKILL, leaves it running and its data intact. The next
 * run finds it through {@code postmaster.pid} and reuses it; a stale pid file (the machine
 * rebooted, the server was killed) is removed and the server started again on the same data
 * directory. It writes {@code configDropins/overrides/dev-postgres.xml} into the Liberty server
 * directory with the port and database, which beats the defaults of {@code dbos-liberty.xml}.
 *
 * <p>For WildFly the second argument names a properties file instead (it ends with {@code
 * .properties}): the same values as system properties, which {@code standalone.sh -P <file>} hands
 * to the server, where server-config's {@code dbos-wildfly.cli} data sources read them. For Payara
 * it names an asadmin command file (it ends with {@code .asadmin}) that sets them as the domain's
 * system properties ({@code asadmin multimode --file <file>}). See {@link ServerOverrides}.
 *
 * <p>With {@code POSTGRES_HOST} set in the environment it starts nothing and removes that file (a
 * properties file is left empty, so that {@code -P} still finds it), so the {@code POSTGRES_*}
 * variables reach the server unchanged; Payara's asadmin file sets their values as the system
 * properties.
 *
 * <p>Usage: {@code DevPostgres <base directory> <liberty server directory, wildfly .properties or
 * payara .asadmin file> [database [other database...]]}: each database is created when missing, the
 * first is the server's {@code postgres.database} (the others, such as the sample's second
 * application database, are named by the server's own configuration); the data lives in {@code
 * <base directory>/data}, the server's log in {@code <base directory>/postgres.log}.
 */
public final class DevPostgres {
  private static final String USER = "postgres";
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

  private final Path baseDir;
  private final Path dataDir;
  private final Path overridesFile;

  /** What the server reads: Liberty's, WildFly's or Payara's format. */
  private final ServerOverrides overrides;

  private final String database;
  private final List<String> otherDatabases;

  DevPostgres(Path baseDir, Path serverDir, String database, List<String> otherDatabases) {
    this.baseDir = baseDir.toAbsolutePath();
    this.dataDir = this.baseDir.resolve("data");
    this.overrides = ServerOverrides.forTarget(serverDir);
    this.overridesFile = overrides.file(serverDir.toAbsolutePath());
    this.database = database;
    this.otherDatabases = List.copyOf(otherDatabases);
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      throw new IllegalArgumentException(
          "usage: DevPostgres <base directory> <liberty server directory, wildfly .properties"
              + " or payara .asadmin file> [database [other database...]]");
    }
    String database = args.length > 2 ? args[2] : "dbos_sample";
    List<String> others = args.length > 3 ? List.of(args).subList(3, args.length) : List.of();
    new DevPostgres(Path.of(args[0]), Path.of(args[1]), database, others).run();
  }

  void run() throws IOException, SQLException, InterruptedException {
    String externalHost = System.getenv("POSTGRES_HOST");
    if (externalHost != null && !externalHost.isBlank()) {
      Optional<String> content = overrides.external(System.getenv());
      if (content.isPresent()) {
        write(content.get());
      } else {
        Files.deleteIfExists(overridesFile);
      }
      log(
          "POSTGRES_HOST is set: using the PostgreSQL at "
              + externalHost
              + " (POSTGRES_PORT, POSTGRES_DATABASE, POSTGRES_USER, POSTGRES_PASSWORD); no embedded"
              + " PostgreSQL started.");
      return;
    }
    Files.createDirectories(baseDir);
    int port = reuseRunningServer().orElseGet(this::startServer);
    createDatabaseIfMissing(port, database);
    for (String other : otherDatabases) {
      createDatabaseIfMissing(port, other);
    }
    writeOverrides(port);
    log(
        "PostgreSQL is up on localhost:"
            + port
            + ", database "
            + database
            + (otherDatabases.isEmpty() ? "" : " (and " + String.join(", ", otherDatabases) + ")")
            + ", data in "
            + dataDir
            + " (it keeps running after the server stops; to stop it: kill "
            + postmasterPid().map(String::valueOf).orElse("<postmaster pid>")
            + ")");
  }

  /** The port of a live server on {@link #dataDir}, after removing what a dead one left. */
  private Optional<Integer> reuseRunningServer() throws InterruptedException, IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return Optional.empty();
    }
    List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
    long pid = lines.isEmpty() ? -1 : parseOrMinusOne(lines.get(0));
    int port = lines.size() > 3 ? (int) parseOrMinusOne(lines.get(3)) : -1;
    Optional<ProcessHandle> postmaster =
        pid > 0
            ? ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false))
            : Optional.empty();
    if (postmaster.isPresent() && port > 0 && answers(port)) {
      log("Reusing the PostgreSQL already running on this data directory (pid " + pid + ").");
      return Optional.of(port);
    }
    if (postmaster.isPresent()) {
      // Alive but not answering (starting, shutting down, or hung): stop it and start afresh.
      log(
          "Stopping PostgreSQL pid "
              + pid
              + ", which owns the data directory but does not answer.");
      stop(postmaster.get());
    }
    // No live postmaster owns the data directory: its pid file is stale.
    log("Removing the stale " + pidFile);
    Files.deleteIfExists(pidFile);
    return Optional.empty();
  }

  private Optional<Long> postmasterPid() {
    try {
      List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
      return lines.isEmpty() ? Optional.empty() : Optional.of(parseOrMinusOne(lines.get(0)));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private int startServer() {
    int port = freePort(previousPort());
    try {
      Path log = baseDir.resolve("postgres.log");
      ProcessBuilder.Redirect toLog = ProcessBuilder.Redirect.appendTo(log.toFile());
      // Not closed on purpose: the server must outlive this JVM (no shutdown hook either).
      EmbeddedPostgres.builder()
          .setDataDirectory(dataDir)
          .setCleanDataDirectory(false)
          .setRegisterShutdownHook(false)
          .setPort(port)
          .setOutputRedirector(toLog)
          .setErrorRedirector(toLog)
          .setPGStartupWait(Duration.ofSeconds(60))
          .start();
      Files.writeString(baseDir.resolve("port"), Integer.toString(port));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not start the embedded PostgreSQL on "
              + dataDir
              + "; see "
              + baseDir.resolve("postgres.log"),
          e);
    }
    log("Started PostgreSQL on port " + port + " with data directory " + dataDir);
    return port;
  }

  /** The port of the last run when it is still free, so URLs stay the same across runs. */
  private int previousPort() {
    try {
      return (int) parseOrMinusOne(Files.readString(baseDir.resolve("port")).trim());
    } catch (IOException e) {
      return -1;
    }
  }

  private static int freePort(int preferred) {
    if (preferred > 0) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(true); // a port in TIME_WAIT is free for PostgreSQL too
        socket.bind(new InetSocketAddress("localhost", preferred));
        return preferred;
      } catch (IOException taken) {
        // fall through to any free port
      }
    }
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  private boolean answers(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("localhost", port), 1000);
    } catch (IOException e) {
      return false;
    }
    try (Connection c = connect(port, "postgres");
        Statement s = c.createStatement()) {
      s.execute("SELECT 1");
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  private static void stop(ProcessHandle postmaster) throws InterruptedException {
    postmaster.destroy(); // SIGTERM: PostgreSQL's smart shutdown
    Instant deadline = Instant.now().plus(STOP_TIMEOUT);
    while (postmaster.isAlive() && Instant.now().isBefore(deadline)) {
      Thread.sleep(100);
    }
    if (postmaster.isAlive()) {
      postmaster.destroyForcibly();
      postmaster.onExit().join();
    }
  }

  private void createDatabaseIfMissing(int port, String database) throws SQLException {
    try (Connection c = connect(port, "postgres");
        PreparedStatement exists =
            c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      exists.setString(1, database);
      try (ResultSet rs = exists.executeQuery()) {
        if (rs.next()) {
          return;
        }
      }
      try (Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE \"" + database.replace("\"", "\"\"") + "\"");
      }
      log("Created database " + database);
    }
  }

  private void writeOverrides(int port) throws IOException {
    write(overrides.embedded(port, database, USER));
  }

  /** Replaces the overrides file at once: a server never reads half of it. */
  private void write(String content) throws IOException {
    Files.createDirectories(overridesFile.getParent());
    Path tmp = overridesFile.resolveSibling(overridesFile.getFileName() + ".tmp");
    Files.writeString(tmp, content);
    Files.move(tmp, overridesFile, StandardCopyOption.REPLACE_EXISTING);
  }

  private static Connection connect(int port, String db) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/" + db, USER, "");
  }

  private static long parseOrMinusOne(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static void log(String message) {
    System.out.println("[dev-postgres] " + message);
  }
}
