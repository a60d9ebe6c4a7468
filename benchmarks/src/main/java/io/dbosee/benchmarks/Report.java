package io.dbosee.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Collects the measurements and renders them as Markdown tables with ratios. */
final class Report {
  static final String FLOOR = "raw floor";
  static final String ENGINE = "engine";

  /** The engine counting OpenTelemetry metrics ({@code --metrics}). */
  static final String ENGINE_WITH_METRICS = "engine + metrics";

  static final String CDI = "engine via CDI";
  static final String DBOS = "DBOS Java";

  private List<String> names = List.of();
  private final StringBuilder latency = new StringBuilder();
  private final StringBuilder throughput = new StringBuilder();
  private final StringBuilder queue = new StringBuilder();
  private Map<Contender, List<Double>> queueDrain = Map.of();
  private Map<Contender, List<Double>> queueStartP50 = Map.of();
  private Map<Contender, List<Double>> queueLimited = Map.of();
  private final StringBuilder replay = new StringBuilder();
  private final StringBuilder memory = new StringBuilder();
  private final List<String> verdicts = new ArrayList<>();
  private String machine = "";

  /** name -> cost key -> (statements per workflow, write transactions per workflow) samples. */
  private final Map<String, Map<Integer, List<double[]>>> costs = new LinkedHashMap<>();

  private final Map<String, Double> seq10p50 = new LinkedHashMap<>();
  private final Map<Integer, Map<String, Double>> rates = new LinkedHashMap<>();

  private final List<String> failures = new ArrayList<>();

  /** The cost key of the transaction-step workload. */
  static final int TRANSACTION_STEP = -1;

  static final int ENQUEUE_APART = -2;
  static final int ENQUEUE_IN_TRANSACTION = -3;

  /** Prints the report, and writes it to {@code out} too unless that is null. */
  static void print(String markdown, Path out) throws IOException {
    System.out.println();
    System.out.println(markdown);
    if (out != null) {
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.writeString(out, markdown);
      System.out.println("Written to " + out.toAbsolutePath());
    }
  }

  void failed(String what) {
    failures.add(what);
  }

  void contenders(List<String> names) {
    this.names = names;
  }

  static String f(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    return v >= 100
        ? String.format(Locale.ROOT, "%.0f", v)
        : v >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
  }

  static String ratio(double a, double b) {
    return Double.isNaN(a) || Double.isNaN(b) || b == 0
        ? "n/a"
        : String.format(Locale.ROOT, "%.2f×", a / b);
  }

  private static <K> Map<String, Double> medians(Map<K, List<Double>> byContender) {
    Map<String, Double> m = new LinkedHashMap<>();
    byContender.forEach((c, values) -> m.put(((Contender) c).name(), Stats.median(values)));
    return m;
  }

  private static <K> Map<String, String> spreads(Map<K, List<Double>> byContender) {
    Map<String, String> m = new LinkedHashMap<>();
    byContender.forEach(
        (c, values) ->
            m.put(
                ((Contender) c).name(),
                values.size() < 2
                    ? ""
                    : " (" + f(Stats.min(values)) + "–" + f(Stats.max(values)) + ")"));
    return m;
  }

  private String header(String first, String... extra) {
    StringBuilder s = new StringBuilder("| ").append(first).append(" |");
    names.forEach(n -> s.append(' ').append(n).append(" |"));
    for (String e : extra) {
      s.append(' ').append(e).append(" |");
    }
    s.append("\n|---|");
    s.append("---|".repeat(names.size() + extra.length));
    return s.append('\n').toString();
  }

  void latency(
      String workload, Map<Contender, List<Double>> p50s, Map<Contender, List<Double>> p99s) {
    latency(workload, p50s, p99s, ENGINE);
  }

  /** A latency row whose ratios are those of the contender named {@code ratioOf}. */
  void latency(
      String workload,
      Map<Contender, List<Double>> p50s,
      Map<Contender, List<Double>> p99s,
      String ratioOf) {
    if (latency.length() == 0) {
      latency.append(
          header(
              "workload: p50 / p99 ms (p50 range over repeats)",
              "engine ÷ floor",
              "engine ÷ DBOS"));
    }
    Map<String, Double> p50 = medians(p50s);
    Map<String, Double> p99 = medians(p99s);
    Map<String, String> spread = spreads(p50s);
    latency.append("| ").append(workload).append(" |");
    for (String n : names) {
      latency
          .append(' ')
          .append(f(p50.getOrDefault(n, Double.NaN)))
          .append(" / ")
          .append(f(p99.getOrDefault(n, Double.NaN)))
          .append(spread.getOrDefault(n, ""))
          .append(" |");
    }
    double engine = p50.getOrDefault(ratioOf, Double.NaN);
    latency
        .append(' ')
        .append(ratio(engine, p50.getOrDefault(FLOOR, Double.NaN)))
        .append(" | ")
        .append(ratio(engine, p50.getOrDefault(DBOS, Double.NaN)))
        .append(" |\n");
    if (workload.equals("sequential, 10 steps")) {
      seq10p50.putAll(p50);
    }
  }

  void cost(String name, int key, BenchPostgres.Counters used, int workflows) {
    costs
        .computeIfAbsent(name, k -> new LinkedHashMap<>())
        .computeIfAbsent(key, k -> new ArrayList<>())
        .add(
            new double[] {
              used.statements() < 0 ? Double.NaN : used.statements() / (double) workflows,
              used.writeTransactions() / (double) workflows
            });
  }

  private static String costRowName(int key) {
    return switch (key) {
      case TRANSACTION_STEP -> "one @Transaction step";
      case ENQUEUE_APART -> "an order, then its enqueue (0 steps)";
      case ENQUEUE_IN_TRANSACTION -> "an order and its enqueue in one transaction";
      case -16 -> "10 steps, 16 in flight";
      default -> "sequential, " + key + " steps";
    };
  }

  private double costOf(String name, int key, int index) {
    List<double[]> samples = costs.getOrDefault(name, Map.of()).getOrDefault(key, List.of());
    return Stats.median(samples.stream().map(s -> s[index]).toList());
  }

  void throughput(int inFlight, Map<Contender, List<Double>> byContender) {
    if (throughput.length() == 0) {
      throughput.append(
          header(
              "workflows/s with N in flight (range over repeats)",
              "engine ÷ floor",
              "engine ÷ DBOS"));
    }
    Map<String, Double> m = medians(byContender);
    Map<String, String> spread = spreads(byContender);
    rates.put(inFlight, m);
    throughput.append("| ").append(inFlight).append(" |");
    for (String n : names) {
      throughput
          .append(' ')
          .append(f(m.getOrDefault(n, Double.NaN)))
          .append(spread.getOrDefault(n, ""))
          .append(" |");
    }
    double engine = m.getOrDefault(ENGINE, Double.NaN);
    throughput
        .append(' ')
        .append(ratio(engine, m.getOrDefault(FLOOR, Double.NaN)))
        .append(" | ")
        .append(ratio(engine, m.getOrDefault(DBOS, Double.NaN)))
        .append(" |\n");
  }

  void queue(
      int total,
      Map<Contender, List<Double>> drain,
      Map<Contender, List<Double>> p50s,
      Map<Contender, List<Double>> p99s) {
    queue.append(header("queue, default settings", "DBOS ÷ floor"));
    queueDrain = drain;
    queueStartP50 = p50s;
    Map<String, Double> d = medians(drain);
    Map<String, Double> p50 = medians(p50s);
    Map<String, Double> p99 = medians(p99s);
    queue.append("| drain ").append(total).append(" enqueued 10-step workflows, workflows/s |");
    for (String n : names) {
      queue.append(' ').append(cell(d, n, null)).append(" |");
    }
    queue
        .append(' ')
        .append(ratio(d.getOrDefault(DBOS, Double.NaN), d.getOrDefault(FLOOR, Double.NaN)));
    queue.append(" |\n| enqueue-to-start on an idle queue, p50 / p99 ms |");
    for (String n : names) {
      queue.append(' ').append(cell(p50, n, p99)).append(" |");
    }
    queue.append(" |\n");
  }

  void limitedQueue(int total, Map<Contender, List<Double>> drain) {
    queueLimited = drain;
    Map<String, Double> d = medians(drain);
    queue
        .append("| drain ")
        .append(total)
        .append(" enqueued 1-step workflows, worker concurrency ")
        .append(Benchmarks.WORKER_CONCURRENCY)
        .append(", workflows/s |");
    for (String n : names) {
      queue.append(' ').append(cell(d, n, null)).append(" |");
    }
    queue.append(" |\n");
  }

  private String cell(Map<String, Double> m, String n, Map<String, Double> second) {
    if (!m.containsKey(n)) {
      return "not measured";
    }
    return f(m.get(n)) + (second == null ? "" : " / " + f(second.get(n)));
  }

  void replay(Map<Contender, List<Double>> byContender) {
    replay.append(header("replay", "engine ÷ floor", "engine ÷ DBOS"));
    Map<String, Double> m = medians(byContender);
    replay.append("| recover a 100-step workflow whose steps are all recorded, ms |");
    for (String n : names) {
      replay.append(' ').append(f(m.getOrDefault(n, Double.NaN))).append(" |");
    }
    double engine = m.getOrDefault(ENGINE, Double.NaN);
    replay
        .append(' ')
        .append(ratio(engine, m.getOrDefault(FLOOR, Double.NaN)))
        .append(" | ")
        .append(ratio(engine, m.getOrDefault(DBOS, Double.NaN)))
        .append(" |\n");
    replay.append("| statements per replay |");
    for (String n : names) {
      replay.append(' ').append(f(costOf(n, -100, 0))).append(" |");
    }
    replay.append(" | |\n");
  }

  private final StringBuilder statements = new StringBuilder();

  void statements(String name, List<String> top) {
    statements.append("\n").append(name).append(" (calls over the whole run, statement):\n");
    top.forEach(line -> statements.append("    ").append(line).append('\n'));
  }

  void memory(Map<String, String> perWorkflow) {
    memory.append(
        "| contender | heap per in-flight waiting workflow (in a step, or in recv) |\n|---|---|\n");
    perWorkflow.forEach(
        (n, v) -> memory.append("| ").append(n).append(" | ").append(v).append(" |\n"));
  }

  /** The run's machine, settings and duration, set by {@link #machine}. */
  String machineLine() {
    return machine;
  }

  void machine(BenchPostgres postgres, Benchmarks.Options options, Duration took)
      throws SQLException, java.io.IOException {
    machine =
        "Run "
            + Instant.now()
            + " on "
            + Benchmarks.hostDescription()
            + "; PostgreSQL "
            + postgres.version()
            + " (embedded, synchronous_commit="
            + postgres.setting("synchronous_commit")
            + ", fsync="
            + postgres.setting("fsync")
            + "); "
            + (options.smoke() ? "SMOKE counts" : "full counts")
            + ", "
            + options.repeats()
            + " repeat(s), medians shown; pools of "
            + Benchmarks.POOL_SIZE
            + " connections (DBOS Java: its default); "
            + (options.metrics()
                ? "\"" + ENGINE_WITH_METRICS + "\": the engine counting OpenTelemetry metrics; "
                : "")
            + "took "
            + took.toSeconds()
            + " s.";
  }

  private String costTable() {
    StringBuilder s =
        new StringBuilder(
            header("per workflow: statements / write transactions (commits that wrote)"));
    int[][] rows = {
      {0}, {1}, {10}, {100}, {-16}, {TRANSACTION_STEP}, {ENQUEUE_APART}, {ENQUEUE_IN_TRANSACTION}
    };
    for (int[] row : rows) {
      int key = row[0];
      s.append("| ").append(costRowName(key)).append(" |");
      for (String n : names) {
        s.append(' ')
            .append(f(costOf(n, key, 0)))
            .append(" / ")
            .append(f(costOf(n, key, 1)))
            .append(" |");
      }
      s.append('\n');
    }
    s.append("| per step (from 100 vs 0 steps) |");
    for (String n : names) {
      s.append(' ')
          .append(f((costOf(n, 100, 0) - costOf(n, 0, 0)) / 100))
          .append(" / ")
          .append(f((costOf(n, 100, 1) - costOf(n, 0, 1)) / 100))
          .append(" |");
    }
    return s.append('\n').toString();
  }

  private void judge() {
    verdicts.clear();
    double engine = seq10p50.getOrDefault(ENGINE, Double.NaN);
    double floor = seq10p50.getOrDefault(FLOOR, Double.NaN);
    verdicts.add(
        verdict(
            engine <= 1.2 * floor, "sequential 10-step p50 ≤ 1.2× floor: " + ratio(engine, floor)));
    double perStep = (costOf(ENGINE, 100, 0) - costOf(ENGINE, 0, 0)) / 100;
    verdicts.add(
        verdict(
            perStep <= 1.05,
            "at most about one statement per step beyond start and end: " + f(perStep)));
    rates.forEach(
        (inFlight, m) -> {
          double e = m.getOrDefault(ENGINE, Double.NaN);
          double d = m.getOrDefault(DBOS, Double.NaN);
          double fl = m.getOrDefault(FLOOR, Double.NaN);
          verdicts.add(
              verdict(e >= 2.5 * d, inFlight + " in flight: ≥ 2.5× DBOS Java: " + ratio(e, d)));
          if (inFlight >= 16) {
            verdicts.add(
                verdict(e > fl, inFlight + " in flight: above the raw floor: " + ratio(e, fl)));
          }
        });
    double replayStatements = costOf(ENGINE, -100, 0);
    verdicts.add(
        verdict(
            replayStatements <= 3.05,
            "replay of 100 recorded steps in one read (start, one read, finish = 3 statements): "
                + f(replayStatements)
                + " statements"));
    Map<String, Double> drain = medians(queueDrain);
    Map<String, Double> start = medians(queueStartP50);
    if (drain.containsKey(ENGINE) && drain.containsKey(DBOS)) {
      double e = drain.get(ENGINE);
      double d = drain.get(DBOS);
      verdicts.add(
          verdict(e >= 3 * d, "queue drain ≥ 3× DBOS Java at default settings: " + ratio(e, d)));
    }
    Map<String, Double> limited = medians(queueLimited);
    if (limited.containsKey(ENGINE) && limited.containsKey(DBOS)) {
      double e = limited.get(ENGINE);
      double d = limited.get(DBOS);
      verdicts.add(
          verdict(
              e >= 20 * d,
              "queue drain ≥ 20× DBOS Java where its polling caps it (worker concurrency "
                  + Benchmarks.WORKER_CONCURRENCY
                  + "): "
                  + ratio(e, d)));
    }
    if (start.containsKey(ENGINE)) {
      verdicts.add(
          verdict(
              start.get(ENGINE) <= 10,
              "enqueue-to-start ≤ 10 ms p50 on an idle queue: " + f(start.get(ENGINE)) + " ms"));
    }
  }

  /** A report's first lines: where and how it ran, then each failure in bold. */
  static StringBuilder opening(String machine, List<String> failures) {
    StringBuilder s = new StringBuilder(machine).append("\n\n");
    failures.forEach(f -> s.append("**FAILED** ").append(f).append("\n\n"));
    return s;
  }

  static String verdict(boolean met, String what) {
    return (met ? "- MET " : "- MISSED ") + what;
  }

  String markdown() {
    judge();
    StringBuilder s = opening(machine, failures);
    s.append("### Sequential latency\n\n").append(latency).append('\n');
    s.append("### Throughput: 10-step workflows\n\n").append(throughput).append('\n');
    s.append("### Database cost\n\n").append(costTable()).append('\n');
    s.append("### Queue\n\n").append(queue).append('\n');
    s.append("### Replay\n\n").append(replay).append('\n');
    s.append("### Memory\n\n").append(memory).append('\n');
    s.append("### @Transaction step\n\n")
        .append("The row \"one @Transaction step\" above: a workflow whose one step inserts an")
        .append(" order. The engine runs it as a `@Transaction` step (its write and its outcome")
        .append(" row commit together; JDBC stands in for JTA); the floor writes the same rows;")
        .append(" DBOS Java has no transaction step, so its step commits the insert and then its")
        .append(" checkpoint separately. Not measured through CDI (no JTA in Weld SE).\n\n");
    s.append("### Targets\n\n");
    verdicts.forEach(v -> s.append(v).append('\n'));
    s.append("\n### Most frequent statements per contender\n").append(statements);
    return s.toString();
  }
}
