package io.dbosee.benchmarks;

import io.dbosee.benchmarks.ServerContender.Endpoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The in-server benchmark's results as Markdown: per endpoint and number in flight, each
 * contender's p50 / p99 latency and requests per second, what a request costs each contender's
 * database, the ratios of this library to the floor and to DBOS Java, and the targets.
 */
final class ServerReport implements ServerBenchmark.Outcome {
  private final List<String> names;
  private final boolean fsync;

  /** One contender's measurement of one endpoint at one number in flight. */
  record Measured(double p50, double p99, double perSecond, int failures) {}

  /**
   * What one contender's requests cost, per request: its database's statements and write
   * transactions, and milliseconds of CPU in Liberty and on the whole machine (NaN: unknown).
   */
  record Cost(
      double statements,
      double writeTransactions,
      double serverCpuMillis,
      double machineCpuMillis) {}

  private final Map<String, Map<String, Measured>> measured = new LinkedHashMap<>();
  private final Map<String, Map<String, Cost>> costs = new LinkedHashMap<>();
  private final List<String> failures = new ArrayList<>();
  private final StringBuilder statements = new StringBuilder();
  private String machine = "";

  ServerReport(List<String> names, boolean fsync) {
    this.names = names;
    this.fsync = fsync;
  }

  private static String row(Endpoint endpoint, int inFlight) {
    return endpoint.label() + ", " + inFlight + " in flight";
  }

  /**
   * Records a contender's requests of {@code endpoint} with {@code inFlight} in flight: their
   * latencies (ms) and the seconds they took in all.
   */
  void measured(
      Endpoint endpoint,
      int inFlight,
      String contender,
      List<Double> millis,
      double seconds,
      int failed) {
    measured
        .computeIfAbsent(row(endpoint, inFlight), k -> new LinkedHashMap<>())
        .put(
            contender,
            new Measured(
                Stats.percentile(millis, 50),
                Stats.percentile(millis, 99),
                millis.size() / seconds,
                failed));
    if (failed > 0) {
      failures.add(
          contender + ", " + row(endpoint, inFlight) + ": " + failed + " not answered 200");
    }
  }

  /**
   * Records what {@code requests} requests of {@code endpoint}, {@code inFlight} at a time, cost
   * the contender's database ({@code used}) and the CPUs ({@code cpu}).
   */
  void cost(
      Endpoint endpoint,
      int inFlight,
      String contender,
      BenchPostgres.Counters used,
      CpuClock.Reading cpu,
      int requests) {
    costs
        .computeIfAbsent(row(endpoint, inFlight), k -> new LinkedHashMap<>())
        .put(
            contender,
            new Cost(
                perRequest(used.statements(), 1, requests),
                perRequest(used.writeTransactions(), 1, requests),
                perRequest(cpu.processNanos(), 1e6, requests),
                perRequest(cpu.machineNanos(), 1e6, requests)));
  }

  /** {@code total / unit} per request; NaN for a negative (unknown) total. */
  private static double perRequest(long total, double unit, int requests) {
    return total < 0 ? Double.NaN : total / unit / requests;
  }

  /**
   * The contender's most frequent statements over the whole run (lines of {@link
   * BenchPostgres#topStatements}).
   */
  void statements(String contender, List<String> top) {
    statements.append("\n").append(contender).append(" (calls over the whole run, statement):\n");
    top.forEach(line -> statements.append("    ").append(line).append('\n'));
  }

  void failed(String what) {
    failures.add(what);
  }

  @Override
  public boolean hasFailures() {
    return !failures.isEmpty();
  }

  void machine(String description) {
    this.machine = description;
  }

  private double p50(String row, String contender) {
    return value(measured.getOrDefault(row, Map.of()), contender, Measured::p50);
  }

  private double rate(String row, String contender) {
    return value(measured.getOrDefault(row, Map.of()), contender, Measured::perSecond);
  }

  private static double value(
      Map<String, Measured> byContender, String contender, ToDoubleFunction<Measured> of) {
    Measured m = byContender.get(contender);
    return m == null ? Double.NaN : of.applyAsDouble(m);
  }

  /** The ratio columns: this library to each other contender. */
  private List<String> others() {
    return names.stream().filter(n -> !n.equals(ServerContender.OURS)).toList();
  }

  private String header(String first) {
    StringBuilder s = new StringBuilder("| ").append(first).append(" |");
    names.forEach(n -> s.append(' ').append(n).append(" |"));
    others()
        .forEach(
            o -> s.append(' ').append(ServerContender.OURS).append(" ÷ ").append(o).append(" |"));
    s.append("\n|---|").append("---|".repeat(names.size() + others().size())).append('\n');
    return s.toString();
  }

  /**
   * A row per endpoint and number in flight: {@code cell} of each contender's measurement, then
   * this library's {@code compared} value over each other contender's.
   */
  private String table(
      String title, Function<Measured, String> cell, ToDoubleFunction<Measured> compared) {
    StringBuilder s = new StringBuilder(header(title));
    measured.forEach(
        (row, byContender) -> {
          s.append("| ").append(row).append(" |");
          for (String n : names) {
            Measured m = byContender.get(n);
            s.append(' ').append(m == null ? "n/a" : cell.apply(m)).append(" |");
          }
          double ours = value(byContender, ServerContender.OURS, compared);
          for (String o : others()) {
            s.append(' ').append(Report.ratio(ours, value(byContender, o, compared))).append(" |");
          }
          s.append('\n');
        });
    return s.toString();
  }

  private String costTable(
      String heading, ToDoubleFunction<Cost> first, ToDoubleFunction<Cost> second) {
    StringBuilder s = new StringBuilder("| per request: ").append(heading).append(" |");
    names.forEach(n -> s.append(' ').append(n).append(" |"));
    s.append("\n|---|").append("---|".repeat(names.size())).append('\n');
    costs.forEach(
        (endpoint, byContender) -> {
          s.append("| ").append(endpoint).append(" |");
          for (String n : names) {
            Cost c = byContender.get(n);
            s.append(' ')
                .append(
                    c == null
                        ? "n/a"
                        : orNa(first.applyAsDouble(c)) + " / " + orNa(second.applyAsDouble(c)))
                .append(" |");
          }
          s.append('\n');
        });
    return s.toString();
  }

  private static String orNa(double value) {
    return Double.isNaN(value) ? "n/a" : Report.f(value);
  }

  /** The targets for this library against the floor, as MET or MISSED lines. */
  List<String> verdicts() {
    List<String> verdicts = new ArrayList<>();
    String one = row(ServerContender.WORKFLOW_10, 1);
    double ours = p50(one, ServerContender.OURS);
    double floor = p50(one, ServerContender.FLOOR);
    if (!Double.isNaN(ours) && !Double.isNaN(floor)) {
      verdicts.add(
          Report.verdict(
              ours <= 1.25 * floor,
              "p50 of the 10-step workflow at 1 in flight ≤ 1.25× the floor's: "
                  + Report.ratio(ours, floor)));
    }
    for (int inFlight : fsync ? new int[] {64} : new int[] {16, 64}) {
      String row = row(ServerContender.WORKFLOW_10, inFlight);
      double oursRate = rate(row, ServerContender.OURS);
      double floorRate = rate(row, ServerContender.FLOOR);
      if (Double.isNaN(oursRate) || Double.isNaN(floorRate)) {
        continue;
      }
      double target = fsync ? 1.5 : 1.0;
      verdicts.add(
          Report.verdict(
              oursRate >= target * floorRate,
              "requests/s of the 10-step workflow at "
                  + inFlight
                  + " in flight ≥ "
                  + (fsync ? "1.5× " : "")
                  + "the floor's (fsync "
                  + (fsync ? "on" : "off")
                  + "): "
                  + Report.ratio(oursRate, floorRate)));
    }
    return verdicts;
  }

  @Override
  public String markdown() {
    StringBuilder s = Report.opening(machine, failures);
    s.append("#### Latency\n\n")
        .append(
            table(
                "p50 / p99 ms (ratios: p50)",
                m -> Report.f(m.p50()) + " / " + Report.f(m.p99()),
                Measured::p50))
        .append('\n');
    s.append("#### Throughput\n\n")
        .append(table("requests/s", m -> Report.f(m.perSecond()), Measured::perSecond))
        .append('\n');
    s.append("#### Cost, each contender alone\n\n")
        .append(
            costTable("statements / write transactions", Cost::statements, Cost::writeTransactions))
        .append('\n')
        .append(
            costTable(
                "CPU ms in Liberty / on the whole machine",
                Cost::serverCpuMillis,
                Cost::machineCpuMillis))
        .append('\n');
    s.append("#### Targets\n\n");
    verdicts().forEach(v -> s.append(v).append('\n'));
    if (statements.length() > 0) {
      s.append("\n#### Most frequent statements per contender\n").append(statements);
    }
    return s.toString();
  }
}
