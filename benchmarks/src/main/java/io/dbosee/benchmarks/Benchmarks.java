package io.dbosee.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the same durable workloads on this library's engine (directly and through CDI), on the DBOS
 * Java SDK and on the raw JDBC floor, against one embedded PostgreSQL, and prints one table with
 * absolute figures and ratios.
 *
 * <p>Arguments: {@code --smoke} (tiny counts, a few seconds), {@code --repeats=N} (default 3; each
 * figure is the median of the repeats), {@code --synchronous-commit=off} (commits wait for the WAL
 * write by default), {@code --fsync=on} (and for the disk), {@code --out=FILE} (also write the
 * report there), {@code --only=queue} (one workload, by its first word: "sequential" latency,
 * "payload" sizes, "transaction" step, "throughput", "queue", "replay" or "memory"), {@code
 * --metrics} (a fifth contender: the engine counting OpenTelemetry metrics, collected every second,
 * beside the engine without them). {@code --only=parked} runs only {@link ParkedAtScale}, which is
 * not part of a full run: {@code --parked=N} workflows (default 100,000; a long run may take
 * 1,000,000) parked in {@code recv} on one engine, then woken.
 */
public final class Benchmarks {
  static final int POOL_SIZE = 10;

  /** The worker concurrency of the queue on which DBOS Java's polling interval caps its rate. */
  static final int WORKER_CONCURRENCY = 50;

  private final BenchPostgres postgres;
  private final List<Contender> contenders;
  private final Options options;
  private final Report report = new Report();
  private final Turns turns;

  record Options(
      boolean smoke,
      int repeats,
      boolean synchronousCommit,
      boolean fsync,
      Path out,
      String only,
      boolean metrics,
      int parked) {
    static Options parse(String[] args) {
      boolean smoke = false;
      int repeats = 3;
      boolean sync = true;
      boolean fsync = false;
      Path out = null;
      String only = null;
      boolean metrics = false;
      int parked = 100_000;
      for (String arg : words(args)) {
        if (arg.equals("--smoke")) {
          smoke = true;
        } else if (arg.startsWith("--repeats=")) {
          repeats = Integer.parseInt(arg.substring("--repeats=".length()));
        } else if (arg.equals("--synchronous-commit=off")) {
          sync = false;
        } else if (arg.equals("--fsync=on")) {
          fsync = true;
        } else if (arg.equals("--metrics")) {
          metrics = true;
        } else if (arg.startsWith("--parked=")) {
          parked = Integer.parseInt(arg.substring("--parked=".length()));
        } else if (arg.startsWith("--only=")) {
          only = arg.substring("--only=".length());
        } else if (arg.startsWith("--out=")) {
          out = Path.of(arg.substring("--out=".length()));
        } else if (!arg.isBlank()) {
          throw new IllegalArgumentException("unknown argument " + arg);
        }
      }
      return new Options(
          smoke, smoke ? 1 : repeats, sync, fsync, out, only, metrics, smoke ? 1000 : parked);
    }

    /** The arguments' words: -Dbench.args="--smoke --repeats=1" arrives as one argument. */
    static List<String> words(String[] args) {
      List<String> words = new ArrayList<>();
      for (String arg : args) {
        words.addAll(List.of(arg.trim().split("\\s+")));
      }
      return words;
    }

    int count(int full, int smokeCount) {
      return smoke ? smokeCount : full;
    }
  }

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    Report.print(run(options), options.out());
    // The DBOS SDK's threads are not all daemons.
    System.exit(0);
  }

  /** Runs every workload and returns the report as Markdown. */
  static String run(Options options) throws Exception {
    long t0 = System.nanoTime();
    try (BenchPostgres postgres = new BenchPostgres(options.synchronousCommit(), options.fsync())) {
      if ("parked".equals(options.only())) {
        return parkedAtScale(postgres, options, t0);
      }
      for (String db :
          List.of(
              "bench_floor", "bench_engine", "bench_engine_metrics", "bench_cdi", "bench_dbos")) {
        postgres.createDatabase(db);
      }
      List<Contender> contenders = new ArrayList<>();
      try {
        contenders.add(new FloorContender(postgres, "bench_floor", POOL_SIZE));
        contenders.add(new EngineContender(postgres, "bench_engine", POOL_SIZE, false));
        if (options.metrics()) {
          contenders.add(new EngineContender(postgres, "bench_engine_metrics", POOL_SIZE, true));
        }
        contenders.add(new CdiContender(postgres, "bench_cdi", POOL_SIZE));
        contenders.add(new DbosContender(postgres, "bench_dbos"));
        Benchmarks b = new Benchmarks(postgres, contenders, options);
        b.runAll();
        for (Contender c : contenders) {
          b.report.statements(c.name(), postgres.topStatements(c.database(), 8));
        }
        b.report.machine(postgres, options, Duration.ofNanos(System.nanoTime() - t0));
        return b.report.markdown();
      } finally {
        for (Contender c : contenders) {
          try {
            c.close();
          } catch (Exception e) {
            System.err.println("closing " + c.name() + ": " + e);
          }
        }
      }
    }
  }

  /** The parked mode: one engine alone, so that nothing else's heap or threads are counted. */
  private static String parkedAtScale(BenchPostgres postgres, Options options, long t0)
      throws Exception {
    postgres.createDatabase(ParkedAtScale.DATABASE);
    String rows = new ParkedAtScale(postgres, options.parked()).run();
    Report report = new Report();
    report.machine(postgres, options, Duration.ofNanos(System.nanoTime() - t0));
    return report.machineLine()
        + "\n\n### Parked at scale\n\n| | engine |\n|---|---|\n"
        + rows
        + "\n### Most frequent statements\n\n"
        + String.join("\n", postgres.topStatements(ParkedAtScale.DATABASE, 8))
        + "\n";
  }

  Benchmarks(BenchPostgres postgres, List<Contender> contenders, Options options) {
    this.postgres = postgres;
    this.contenders = contenders;
    this.options = options;
    this.turns = new Turns(postgres, report);
    report.contenders(contenders.stream().map(Contender::name).toList());
  }

  private String nextId(String kind) {
    return turns.nextId(kind);
  }

  private static void log(String message) {
    System.out.printf(Locale.ROOT, "[bench %s] %s%n", Instant.now(), message);
  }

  void runAll() throws Exception {
    warmUp();
    attempt("sequential latency", this::sequential);
    attempt("payload sizes", this::payloads);
    attempt("transaction step", this::transactionStep);
    attempt("throughput", this::throughput);
    attempt("queue", this::queue);
    attempt("outbox", this::transactionalEnqueue);
    attempt("replay", this::replay);
    attempt("memory", this::memory);
  }

  private interface Workload {
    void run() throws Exception;
  }

  /** One workload that fails is reported as such; the others still run. */
  private void attempt(String name, Workload workload) {
    if (options.only() != null && !name.split(" ")[0].equals(options.only())) {
      return;
    }
    try {
      workload.run();
    } catch (Exception | AssertionError e) {
      e.printStackTrace();
      report.failed(name + ": " + e);
    }
  }

  /**
   * Runs each contender until the JIT has compiled its paths: after 300 workflows (as before) C2
   * was still compiling the measured code, and the engine's sequential 10-step p50 was about twice
   * what it settled at after a few thousand (2.29 against 1.17 ms).
   */
  private void warmUp() throws Exception {
    int sequential = options.count(3000, 3);
    int concurrent = options.count(1000, 3);
    for (Contender c : contenders) {
      log("warm-up " + c.name());
      for (int i = 0; i < sequential; i++) {
        c.run(nextId("warm"), 10, 0);
      }
      concurrently(c, concurrent, 16, 10, 0);
    }
  }

  // ---------------------------------------------------------------------------------------

  /** Latency of one workflow at a time, and what each costs the database. */
  private void sequential() throws Exception {
    for (int steps : new int[] {0, 1, 10, 100}) {
      int iterations = steps == 100 ? options.count(60, 2) : options.count(500, 5);
      Map<Contender, List<Double>> p50 = new LinkedHashMap<>();
      Map<Contender, List<Double>> p99 = new LinkedHashMap<>();
      for (int r = 0; r < options.repeats(); r++) {
        log("sequential " + steps + " steps, repeat " + (r + 1));
        Map<Contender, List<Double>> millis =
            turns.inTurn(contenders, iterations, "seq", (c, id) -> c.run(id, steps, 0));
        Turns.addPercentiles(millis, p50, p99);
      }
      report.latency("sequential, " + steps + " steps", p50, p99);
      turns.costAlone(
          contenders, steps, Math.max(2, iterations / 5), "cost", (c, id) -> c.run(id, steps, 0));
    }
    fromARequest();
  }

  /**
   * The 10-step workflow through CDI called from a thread in a request context, as a JAX-RS
   * resource calls it: the library runs it on the executor then, so that the workflow does not
   * share the caller's request context. The floor and DBOS Java run as in the row above.
   */
  private void fromARequest() throws Exception {
    int iterations = options.count(500, 5);
    List<Contender> who =
        contenders.stream()
            .filter(c -> c.hasRequestContext() || !c.name().startsWith(Report.ENGINE))
            .toList();
    Map<Contender, List<Double>> p50 = new LinkedHashMap<>();
    Map<Contender, List<Double>> p99 = new LinkedHashMap<>();
    for (int r = 0; r < options.repeats(); r++) {
      log("sequential 10 steps from a request, repeat " + (r + 1));
      Map<Contender, List<Double>> millis =
          turns.inTurn(who, iterations, "req", (c, id) -> c.runInRequestContext(id, 10));
      Turns.addPercentiles(millis, p50, p99);
    }
    report.latency(
        "sequential, 10 steps, called in a request context (through CDI)", p50, p99, Report.CDI);
  }

  /** A workflow of one {@code @Transaction} step that inserts a row, one at a time. */
  private void transactionStep() throws Exception {
    int iterations = options.count(500, 5);
    List<Contender> who = contenders.stream().filter(Contender::hasTransactionStep).toList();
    Map<Contender, List<Double>> p50 = new LinkedHashMap<>();
    Map<Contender, List<Double>> p99 = new LinkedHashMap<>();
    for (int r = 0; r < options.repeats(); r++) {
      log("transaction step, repeat " + (r + 1));
      Map<Contender, List<Double>> millis =
          turns.inTurn(who, iterations, "tx", (c, id) -> c.runTransactionStep(id));
      Turns.addPercentiles(millis, p50, p99);
    }
    report.latency("one @Transaction step (inserts a row)", p50, p99);
    turns.costAlone(
        who,
        Report.TRANSACTION_STEP,
        iterations / 5,
        "txcost",
        (c, id) -> c.runTransactionStep(id));
  }

  /**
   * An order row and the enqueue of its workflow: after the order's commit, on its own, or in the
   * order's transaction (the transactional outbox), until the workflow is done; and what each costs
   * the database, which should be the same.
   */
  private void transactionalEnqueue() throws Exception {
    int iterations = options.count(300, 3);
    List<Contender> who = contenders.stream().filter(Contender::hasTransactionalEnqueue).toList();
    boolean[] variants = {false, true};
    List<Map<Contender, List<Double>>> p50 = List.of(new LinkedHashMap<>(), new LinkedHashMap<>());
    List<Map<Contender, List<Double>>> p99 = List.of(new LinkedHashMap<>(), new LinkedHashMap<>());
    // The two variants alternate, repeat by repeat, so that both see the same machine.
    for (int r = 0; r < options.repeats(); r++) {
      for (int v = 0; v < variants.length; v++) {
        boolean inTransaction = variants[v];
        log("outbox, in transaction " + inTransaction + ", repeat " + (r + 1));
        Map<Contender, List<Double>> millis =
            turns.inTurn(who, iterations, "ob", (c, id) -> c.orderAndEnqueue(id, inTransaction));
        Turns.addPercentiles(millis, p50.get(v), p99.get(v));
      }
    }
    for (int v = 0; v < variants.length; v++) {
      boolean inTransaction = variants[v];
      report.latency(
          inTransaction
              ? "an order and its enqueue in one transaction, until done"
              : "an order, then its enqueue on its own, until done",
          p50.get(v),
          p99.get(v));
      turns.costAlone(
          who,
          inTransaction ? Report.ENQUEUE_IN_TRANSACTION : Report.ENQUEUE_APART,
          iterations / 5,
          "obcost",
          (c, id) -> c.orderAndEnqueue(id, inTransaction));
    }
  }

  /** The 10-step workflow with larger step outputs. */
  private void payloads() throws Exception {
    for (int bytes : new int[] {1024, 16 * 1024}) {
      int iterations = options.count(200, 3);
      Map<Contender, List<Double>> p50 = new LinkedHashMap<>();
      Map<Contender, List<Double>> p99 = new LinkedHashMap<>();
      for (int r = 0; r < options.repeats(); r++) {
        log("payload " + bytes + " B, repeat " + (r + 1));
        Map<Contender, List<Double>> millis =
            turns.inTurn(contenders, iterations, "pay", (c, id) -> c.run(id, 10, bytes));
        Turns.addPercentiles(millis, p50, p99);
      }
      report.latency("sequential, 10 steps of " + bytes / 1024 + " KiB each", p50, p99);
    }
  }

  /** Workflows per second with a fixed number in flight. */
  private void throughput() throws Exception {
    int total = options.count(2000, 40);
    for (int inFlight : new int[] {1, 4, 16, 64}) {
      Map<Contender, List<Double>> rates = new LinkedHashMap<>();
      for (int r = 0; r < options.repeats(); r++) {
        log("throughput " + inFlight + " in flight, repeat " + (r + 1));
        // In turns, as the sequential workloads, so that the machine's drifts hit all alike.
        Map<Contender, Double> seconds = new LinkedHashMap<>();
        for (int done = 0; done < total; done += THROUGHPUT_TURN) {
          int n = Math.min(THROUGHPUT_TURN, total - done);
          for (Contender c : contenders) {
            BenchPostgres.Counters before = postgres.counters(c.database());
            seconds.merge(c, concurrently(c, n, inFlight, 10, 0), Double::sum);
            if (inFlight == 16 && r == 0 && done == 0) {
              // Only this contender runs during its turn: the counters are its own.
              report.cost(c.name(), -16, postgres.counters(c.database()).minus(before), n);
            }
          }
        }
        for (Contender c : contenders) {
          rates.computeIfAbsent(c, k -> new ArrayList<>()).add(total / seconds.get(c));
        }
      }
      report.throughput(inFlight, rates);
    }
  }

  /**
   * Workflows of one contender in a row in the throughput workload: long enough that filling and
   * draining its callers (up to 64) is a small part of a turn.
   */
  private static final int THROUGHPUT_TURN = 500;

  /** Runs {@code total} workflows with {@code inFlight} callers; returns the seconds taken. */
  private double concurrently(Contender c, int total, int inFlight, int steps, int payload)
      throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(inFlight, Threads.daemon("caller"));
    try {
      AtomicInteger next = new AtomicInteger();
      String prefix = nextId("tp");
      long start = System.nanoTime();
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < inFlight; t++) {
        futures.add(
            callers.submit(
                () -> {
                  int i;
                  while ((i = next.getAndIncrement()) < total) {
                    c.run(prefix + "-" + i, steps, payload);
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      return (System.nanoTime() - start) / 1e9;
    } finally {
      callers.shutdownNow();
    }
  }

  private void queue() throws Exception {
    int total = options.count(2000, 20);
    int limitedTotal = options.count(500, 10);
    int probes = options.count(20, 3);
    Map<Contender, List<Double>> drain = new LinkedHashMap<>();
    Map<Contender, List<Double>> limited = new LinkedHashMap<>();
    Map<Contender, List<Double>> p50 = new LinkedHashMap<>();
    Map<Contender, List<Double>> p99 = new LinkedHashMap<>();
    for (int r = 0; r < Math.min(options.repeats(), 2); r++) {
      for (Contender c : contenders) {
        if (!c.hasQueue()) {
          continue;
        }
        log("queue drain, " + c.name() + ", repeat " + (r + 1));
        Duration d = c.drainQueue(nextId("q"), total, 10);
        drain.computeIfAbsent(c, k -> new ArrayList<>()).add(total / (d.toNanos() / 1e9));
        if (c.hasLimitedQueue()) {
          log("queue drain, worker concurrency, " + c.name() + ", repeat " + (r + 1));
          Duration l = c.drainLimitedQueue(nextId("ql"), limitedTotal, 1);
          limited
              .computeIfAbsent(c, k -> new ArrayList<>())
              .add(limitedTotal / (l.toNanos() / 1e9));
        }
        log("enqueue-to-start, " + c.name() + ", repeat " + (r + 1));
        List<Double> millis =
            c.enqueueToStart(nextId("qs"), probes).stream().map(x -> x.toNanos() / 1e6).toList();
        p50.computeIfAbsent(c, k -> new ArrayList<>()).add(Stats.percentile(millis, 50));
        p99.computeIfAbsent(c, k -> new ArrayList<>()).add(Stats.percentile(millis, 99));
      }
    }
    report.queue(total, drain, p50, p99);
    report.limitedQueue(limitedTotal, limited);
  }

  /** Recovery of a 100-step workflow whose steps are all recorded. */
  private void replay() throws Exception {
    int iterations = options.count(5, 1);
    Map<Contender, List<Double>> millis = new LinkedHashMap<>();
    for (int r = 0; r < options.repeats(); r++) {
      for (Contender c : contenders) {
        log("replay, " + c.name() + ", repeat " + (r + 1));
        List<String> prepared = new ArrayList<>();
        for (int i = 0; i < iterations; i++) {
          String id = nextId("replay");
          c.run(id, 100, 0);
          prepared.add(id);
        }
        // One PENDING workflow at a time: the DBOS SDK's recovery takes every PENDING one.
        List<BenchPostgres.Counters> used = new ArrayList<>();
        List<Double> times = new ArrayList<>();
        for (String id : prepared) {
          markPending(c, id);
          BenchPostgres.Counters before = postgres.counters(c.database());
          long start = System.nanoTime();
          c.replay(id, 100);
          times.add((System.nanoTime() - start) / 1e6);
          used.add(postgres.counters(c.database()).minus(before));
        }
        millis.computeIfAbsent(c, k -> new ArrayList<>()).add(Stats.median(times));
        if (r == 0) {
          // The median replay's: a contender's background round (a queue poll, a lease renewal)
          // that falls in one replay's few milliseconds is not the replay's cost.
          used.sort(Comparator.comparingLong(BenchPostgres.Counters::statements));
          report.cost(c.name(), -100, used.get(used.size() / 2), 1);
        }
      }
    }
    report.replay(millis);
  }

  /** What a crash after the last step would have left: the outcome gone, every step recorded. */
  private void markPending(Contender c, String workflowId) throws SQLException {
    try (Connection conn =
            DriverManager.getConnection(
                postgres.jdbcUrl(c.database()), postgres.user(), postgres.password());
        PreparedStatement ps =
            conn.prepareStatement(
                "UPDATE dbos.workflow_status SET status = 'PENDING', output = NULL,"
                    + " completed_at = NULL WHERE workflow_uuid = ?")) {
      ps.setString(1, workflowId);
      if (ps.executeUpdate() != 1) {
        throw new IllegalStateException("no workflow " + workflowId + " in " + c.database());
      }
    }
  }

  /** Heap per workflow waiting inside a step. */
  private void memory() throws Exception {
    int count = options.count(100, 5);
    Map<String, String> perWorkflow = new LinkedHashMap<>();
    for (Contender c : contenders) {
      Contender.Parked parked;
      long before = usedHeapAfterGc();
      try {
        parked = c.park(count, Duration.ofSeconds(30));
      } catch (UnsupportedOperationException e) {
        continue;
      }
      log("memory, " + c.name());
      long during = usedHeapAfterGc();
      int threads = ManagementFactory.getThreadMXBean().getThreadCount();
      parked.release();
      perWorkflow.put(
          c.name(),
          String.format(
              Locale.ROOT,
              "%.1f KiB (%d of %d parked; %d JVM threads while parked)",
              (during - before) / 1024.0 / Math.max(1, parked.started()),
              parked.started(),
              count,
              threads));
    }
    int waiters = options.count(1000, 10);
    for (Contender c : contenders) {
      Contender.Parked parked;
      long before = usedHeapAfterGc();
      try {
        parked = c.waitOnRecv(waiters, Duration.ofSeconds(60));
      } catch (UnsupportedOperationException e) {
        continue;
      }
      log("memory (recv), " + c.name());
      long during = usedHeapAfterGc();
      int threads = ManagementFactory.getThreadMXBean().getThreadCount();
      parked.release();
      perWorkflow.put(
          c.name() + ", waiting in recv",
          String.format(
              Locale.ROOT,
              "%.1f KiB (%d of %d parked, holding no thread; %d JVM threads while parked)",
              (during - before) / 1024.0 / Math.max(1, parked.started()),
              parked.started(),
              waiters,
              threads));
    }
    report.memory(perWorkflow);
  }

  static long usedHeapAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }

  static String hostDescription() throws IOException {
    String cpu = "unknown CPU";
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (Files.isReadable(cpuinfo)) {
      cpu =
          Files.readAllLines(cpuinfo).stream()
              .filter(l -> l.startsWith("model name"))
              .map(l -> l.substring(l.indexOf(':') + 1).trim())
              .findFirst()
              .orElse(cpu);
    }
    return Runtime.getRuntime().availableProcessors()
        + " cores ("
        + cpu
        + "), Java "
        + System.getProperty("java.version")
        + ", "
        + System.getProperty("os.name")
        + " "
        + System.getProperty("os.version");
  }
}
