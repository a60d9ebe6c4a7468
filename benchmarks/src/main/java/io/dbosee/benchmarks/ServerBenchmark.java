package io.dbosee.benchmarks;

import io.dbosee.benchmarks.ServerContender.Endpoint;
import io.dbosee.benchmarks.floor.Orders;
import io.dbosee.internal.engine.db.SystemDataSources;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-server benchmark: every contender's WAR in one Open Liberty server, on one embedded
 * PostgreSQL (each contender in its own database), driven over HTTP by {@link HttpLoad}. For 1, 16
 * and 64 requests in flight and each endpoint ({@link ServerContender#ENDPOINTS}), the contenders
 * take turns (as {@link Turns} does outside the server, so that all see the same machine); then
 * each contender alone, one request at a time, for what a request costs its database.
 *
 * <p>Run by the build, which creates the server and deploys the WARs: {@code mvn -B -pl benchmarks
 * -am -Pserver-bench -DskipTests verify -Dbench.args="--fsync=on"}. Arguments: {@code --smoke}
 * (each endpoint a few times at 1 and 4 in flight), {@code --fsync=on} (PostgreSQL waits for the
 * disk at each commit; off by default), {@code --turns=N} (default 6), {@code --waiting[=N]} (only
 * issue 27's waiting requests: N, default 1000, all at once; see {@link WaitingRequests}), {@code
 * --in-flight=1,16} (only those numbers of requests in flight; 1, 16 and 64 by default), {@code
 * --contenders=dbos-ee,floor} (only those, of {@code dbos-ee}, {@code floor} and {@code
 * dbos-java}), {@code --wlp=DIR} and {@code --server=NAME} (the Liberty installation and server the
 * build created), {@code --out=FILE}.
 */
public final class ServerBenchmark {
  private static final HttpClient PROBE =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Options options;
  private final LibertyServer server;
  private final BenchPostgres postgres;
  private final List<ServerContender> contenders;
  private final ServerReport report;
  private final HttpClient client = HttpLoad.client();
  private final AtomicLong ids = new AtomicLong();

  /** What a run produced: its report, and whether anything failed. */
  interface Outcome {
    String markdown();

    boolean hasFailures();
  }

  /** {@code waiting}: the number of waiting requests of the waiting mode, 0 for the full run. */
  record Options(
      boolean smoke,
      boolean fsync,
      int turns,
      int waiting,
      List<Integer> concurrencies,
      List<ServerContender> only,
      Path wlp,
      String server,
      Path out) {
    static final int WAITING_REQUESTS = 1000;

    static Options parse(String[] args) {
      boolean smoke = false;
      boolean fsync = false;
      int turns = 6;
      int waiting = 0;
      List<Integer> concurrencies = List.of();
      List<ServerContender> only = List.of();
      Path wlp = null;
      String server = "benchServer";
      Path out = null;
      for (String arg : Benchmarks.Options.words(args)) {
        if (arg.equals("--smoke")) {
          smoke = true;
        } else if (arg.equals("--fsync=on") || arg.equals("--fsync=off")) {
          fsync = arg.endsWith("on");
        } else if (arg.startsWith("--turns=")) {
          turns = Integer.parseInt(arg.substring("--turns=".length()));
        } else if (arg.equals("--waiting")) {
          waiting = WAITING_REQUESTS;
        } else if (arg.startsWith("--waiting=")) {
          waiting = positive(arg, "--waiting=");
        } else if (arg.startsWith("--in-flight=")) {
          concurrencies = concurrencies(arg);
        } else if (arg.startsWith("--contenders=")) {
          only =
              Arrays.stream(arg.substring("--contenders=".length()).split(","))
                  .map(ServerContender::named)
                  .toList();
        } else if (arg.startsWith("--wlp=")) {
          wlp = Path.of(arg.substring("--wlp=".length()));
        } else if (arg.startsWith("--server=")) {
          server = arg.substring("--server=".length());
        } else if (arg.startsWith("--out=")) {
          out = Path.of(arg.substring("--out=".length()));
        } else if (!arg.isBlank()) {
          throw new IllegalArgumentException(
              "unknown argument "
                  + arg
                  + "; expected --smoke, --fsync=on|off, --turns=N, --waiting[=N], --wlp=DIR,"
                  + " --in-flight=N,N, --contenders=NAME,NAME, --server=NAME, --out=FILE");
        }
      }
      if (wlp == null) {
        throw new IllegalArgumentException(
            "--wlp=DIR (the Liberty installation) is required; run the benchmark through the"
                + " build, which passes it: mvn -B -pl benchmarks -am -Pserver-bench -DskipTests"
                + " verify");
      }
      return new Options(
          smoke, fsync, smoke ? 1 : turns, waiting, concurrencies, only, wlp, server, out);
    }

    private static List<Integer> concurrencies(String arg) {
      String value = arg.substring("--in-flight=".length());
      try {
        List<Integer> counts =
            Arrays.stream(value.split(",")).map(String::trim).map(Integer::valueOf).toList();
        if (counts.stream().allMatch(n -> n > 0)) {
          return counts;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(
          arg + ": expected positive numbers of requests in flight, such as --in-flight=1,16");
    }

    private static int positive(String arg, String prefix) {
      String value = arg.substring(prefix.length());
      try {
        int n = Integer.parseInt(value);
        if (n > 0) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(
          arg + ": expected a positive number of requests, such as " + prefix + "1000");
    }

    List<Integer> inFlight() {
      if (!concurrencies.isEmpty()) {
        return concurrencies;
      }
      return smoke ? List.of(1, 4) : List.of(1, 16, 64);
    }

    /** Requests of one contender in one turn: enough that filling and draining is a small part. */
    int perTurn(int inFlight) {
      return smoke ? 2 * inFlight + 3 : Math.max(50, 10 * inFlight);
    }
  }

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    Outcome report = run(options);
    Report.print(report.markdown(), options.out());
    System.exit(report.hasFailures() ? 1 : 0);
  }

  static Outcome run(Options options) throws Exception {
    long t0 = System.nanoTime();
    if (options.waiting() > 0) {
      // Only this library's WAR: another contender's threads would count as the server's.
      LibertyServer.deployOnly(options.wlp(), options.server(), List.of(ServerContender.OUR_WAR));
    } else if (!options.only().isEmpty()) {
      LibertyServer.deployOnly(
          options.wlp(),
          options.server(),
          options.only().stream().map(ServerContender::war).toList());
    }
    List<ServerContender> contenders =
        ServerContender.deployed(LibertyServer.deployedWars(options.wlp(), options.server()))
            .stream()
            .filter(c -> options.only().isEmpty() || options.only().contains(c))
            .toList();
    if (contenders.isEmpty()) {
      throw new IllegalStateException(
          "no benchmark WAR in the dropins of Liberty server "
              + LibertyServer.serverDir(options.wlp(), options.server())
              + "; the server-bench profile copies them there");
    }
    try (BenchPostgres postgres = new BenchPostgres(true, options.fsync())) {
      prepareDatabases(postgres);
      Path log =
          options.wlp().toAbsolutePath().getParent().resolveSibling("server-bench-console.log");
      try (LibertyServer server =
          new LibertyServer(
              options.wlp(),
              options.server(),
              new LibertyServer.Database(
                  "localhost", postgres.port(), postgres.user(), postgres.password()),
              log)) {
        log(
            "Liberty server "
                + options.server()
                + " (pid "
                + server.pid()
                + "), console in "
                + log);
        ServerBenchmark b = new ServerBenchmark(options, server, postgres, contenders);
        if (options.waiting() > 0) {
          return b.waiting(Duration.ofNanos(System.nanoTime() - t0));
        }
        b.runAll();
        for (ServerContender c : contenders) {
          b.report.statements(c.name(), postgres.topStatements(c.database(), 8));
        }
        b.report.machine(b.machine(Duration.ofNanos(System.nanoTime() - t0)));
        return b.report;
      }
    }
  }

  /**
   * Each contender's database: the floor's system schema and outcome table (this library and DBOS
   * Java create their own), and the orders table of the transaction step in every one.
   */
  private static void prepareDatabases(BenchPostgres postgres) throws Exception {
    for (ServerContender c : ServerContender.KNOWN) {
      postgres.createDatabase(c.database());
      try (SystemDataSources.Pool pool =
          SystemDataSources.pooled(
              postgres.jdbcUrl(c.database()),
              postgres.user(),
              postgres.password(),
              2, // the floor's preparation holds one connection while it takes another
              Duration.ofSeconds(60))) {
        if (c.name().equals(ServerContender.FLOOR)) {
          FloorContender.prepareDatabase(pool);
        }
        try (Connection conn = pool.getConnection()) {
          Orders.createTable(conn);
        }
      }
    }
  }

  private ServerBenchmark(
      Options options,
      LibertyServer server,
      BenchPostgres postgres,
      List<ServerContender> contenders) {
    this.options = options;
    this.server = server;
    this.postgres = postgres;
    this.contenders = contenders;
    this.report =
        new ServerReport(contenders.stream().map(ServerContender::name).toList(), options.fsync());
  }

  static void log(String message) {
    System.out.printf(Locale.ROOT, "[server-bench %s] %s%n", Instant.now(), message);
  }

  private String nextId() {
    return "r" + ids.incrementAndGet();
  }

  private void runAll() throws Exception {
    for (ServerContender c : contenders) {
      server.awaitReady(c.name(), () -> answers(c));
      log(c.name() + " answers");
    }
    warmUp();
    for (int inFlight : options.inFlight()) {
      for (Endpoint endpoint : ServerContender.ENDPOINTS) {
        inTurns(endpoint, inFlight);
      }
    }
    for (Endpoint endpoint : ServerContender.ENDPOINTS) {
      costAlone(endpoint, 1);
    }
    // Where the engine can share commits between workflows, the cost per request falls with load.
    costAlone(ServerContender.WORKFLOW_10, options.inFlight().get(options.inFlight().size() - 1));
  }

  /** Only issue 27's waiting requests, against this library's WAR (see {@link WaitingRequests}). */
  private WaitingReport waiting(Duration started) throws Exception {
    ServerContender ours =
        contenders.stream()
            .filter(c -> c.name().equals(ServerContender.OURS))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "--waiting measures this library's WAR, benchmark-war.war, which is not in"
                            + " the dropins of the Liberty server; the server-bench profile copies"
                            + " it there"));
    server.awaitReady(ours.name(), () -> answers(ours));
    log(ours.name() + " answers");
    long t0 = System.nanoTime();
    WaitingReport report =
        new WaitingRequests(server, postgres, ours, client, this::nextId).run(options.waiting());
    report.machine(machine(started.plusNanos(System.nanoTime() - t0)));
    return report;
  }

  /** Whether the contender's 0-step workflow answers 200 (the server and its WAR have started). */
  private boolean answers(ServerContender c) {
    try {
      URI uri = c.uri(server.baseUrl(), ServerContender.ENDPOINTS.get(0), "ready-" + nextId());
      return PROBE
              .send(
                  HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (java.io.IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Every endpoint of every contender until the JIT has compiled their paths (outside the server,
   * the engine's p50 settled only after a few thousand workflows).
   */
  private void warmUp() throws Exception {
    int requests = options.smoke() ? 3 : 1500;
    for (ServerContender c : contenders) {
      for (Endpoint endpoint : ServerContender.ENDPOINTS) {
        log("warm-up " + c.name() + ", " + endpoint.label());
        HttpLoad.Result result = send(c, endpoint, requests, options.smoke() ? 1 : 16);
        if (result.failures() > 0) {
          report.failed(
              "warm-up of " + c.name() + ", " + endpoint.label() + ": " + result.firstFailure());
        }
      }
    }
  }

  private HttpLoad.Result send(ServerContender c, Endpoint endpoint, int requests, int inFlight)
      throws InterruptedException {
    String prefix = nextId() + "-";
    return HttpLoad.send(
        client, n -> c.uri(server.baseUrl(), endpoint, prefix + n), requests, inFlight);
  }

  /** Each contender's requests of {@code endpoint}, {@code inFlight} at a time, in turns. */
  private void inTurns(Endpoint endpoint, int inFlight) throws Exception {
    log(endpoint.label() + ", " + inFlight + " in flight");
    Map<ServerContender, List<Double>> millis = new LinkedHashMap<>();
    Map<ServerContender, Long> nanos = new LinkedHashMap<>();
    Map<ServerContender, Integer> failed = new LinkedHashMap<>();
    for (int turn = 0; turn < options.turns(); turn++) {
      for (ServerContender c : contenders) {
        HttpLoad.Result result = send(c, endpoint, options.perTurn(inFlight), inFlight);
        List<Double> times = millis.computeIfAbsent(c, k -> new ArrayList<>());
        for (long latency : result.latencies()) {
          times.add(latency / 1e6);
        }
        nanos.merge(c, result.elapsedNanos(), Long::sum);
        failed.merge(c, result.failures(), Integer::sum);
        if (result.failures() > 0) {
          log(c.name() + ": " + result.firstFailure());
        }
      }
    }
    for (ServerContender c : contenders) {
      report.measured(
          endpoint, inFlight, c.name(), millis.get(c), nanos.get(c) / 1e9, failed.get(c));
    }
  }

  /**
   * What a request costs each contender's database and the CPUs, each alone (the transaction
   * counter is the server's, shared by all databases, and CPU time is the server's and the
   * machine's), {@code inFlight} requests at a time.
   */
  private void costAlone(Endpoint endpoint, int inFlight) throws Exception {
    // Enough requests that CPU time, counted in hundredths of a second, is read to a few percent.
    int requests = options.smoke() ? 3 * inFlight : Math.max(300, 10 * inFlight);
    log("cost of " + endpoint.label() + ", " + inFlight + " in flight, each contender alone");
    CpuClock cpu = new CpuClock(server.pid());
    for (ServerContender c : contenders) {
      BenchPostgres.Counters before = postgres.counters(c.database());
      CpuClock.Reading cpuBefore = cpu.read();
      HttpLoad.Result result = send(c, endpoint, requests, inFlight);
      CpuClock.Reading cpuUsed = cpu.read().minus(cpuBefore);
      BenchPostgres.Counters used = postgres.counters(c.database()).minus(before);
      if (result.failures() > 0) {
        report.failed(c.name() + ", cost of " + endpoint.label() + ": " + result.firstFailure());
      }
      report.cost(endpoint, inFlight, c.name(), used, cpuUsed, requests);
    }
  }

  private String machine(Duration took) throws Exception {
    return "Run "
        + Instant.now()
        + " on "
        + Benchmarks.hostDescription()
        + "; Open Liberty in its own JVM (-Xmx1g), the driver and PostgreSQL "
        + postgres.version()
        + " (embedded, fsync="
        + postgres.setting("fsync")
        + ", synchronous_commit="
        + postgres.setting("synchronous_commit")
        + ") on the same machine; "
        + (options.waiting() > 0
            ? "waiting mode, " + options.waiting() + " requests all at once, twice, dbos-ee only"
            : (options.smoke() ? "SMOKE counts" : "full counts")
                + ", "
                + options.turns()
                + " turn(s) per contender and row; contenders: "
                + String.join(", ", contenders.stream().map(ServerContender::name).toList()))
        + "; took "
        + took.toSeconds()
        + " s.";
  }
}
