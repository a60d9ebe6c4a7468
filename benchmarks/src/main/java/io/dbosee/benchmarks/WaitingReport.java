package io.dbosee.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The in-server benchmark's waiting mode as Markdown: per run of N requests all in flight at once,
 * the answers, the latency percentiles, the server's threads and heap, what a request cost the
 * database and the machine's load; and issue 27's target, p99 under 7 s.
 */
final class WaitingReport implements ServerBenchmark.Outcome {
  /** Issue 27: a thousand requests of a 5-second workflow, all answered with p99 under 7 s. */
  static final double TARGET_P99_SECONDS = 7.0;

  /**
   * One run: what {@link HttpLoad#send} measured; the server's thread count before and at the peak
   * (-1 if unknown); its heap in use after a full GC once the run was over (MiB, -1 if unknown);
   * what the requests cost the database; the load averages from /proc/loadavg right after the run.
   */
  record Run(
      HttpLoad.Result result,
      int threadsBefore,
      int threadsPeak,
      long heapAfterGcMiB,
      BenchPostgres.Counters used,
      String load) {
    int requests() {
      return result.latencies().length;
    }

    double seconds(double percentile) {
      List<Double> seconds = Arrays.stream(result.latencies()).mapToObj(ns -> ns / 1e9).toList();
      return Stats.percentile(seconds, percentile);
    }
  }

  private final List<Run> runs = new ArrayList<>();
  private final List<String> failures = new ArrayList<>();
  private final StringBuilder statements = new StringBuilder();
  private final StringBuilder timelines = new StringBuilder();
  private String machine = "";

  void measured(Run run) {
    runs.add(run);
    if (run.result().failures() > 0) {
      failures.add(
          "run "
              + runs.size()
              + ": "
              + run.result().failures()
              + " of "
              + run.requests()
              + " not answered 200, first: "
              + run.result().firstFailure());
    }
  }

  void failed(String what) {
    failures.add(what);
  }

  /** Where the time of run {@code run}'s workflows went (a table of {@link WaitingTimeline}). */
  void timeline(int run, String table) {
    timelines.append("Run ").append(run).append(":\n\n").append(table).append('\n');
  }

  /** The database's most frequent statements over the measured runs. */
  void statements(List<String> top) {
    top.forEach(line -> statements.append("    ").append(line).append('\n'));
  }

  void machine(String description) {
    this.machine = description;
  }

  @Override
  public boolean hasFailures() {
    return !failures.isEmpty();
  }

  /** Per run: MET or MISSED, every request answered 200 and p99 under the target. */
  List<String> verdicts() {
    List<String> verdicts = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      Run run = runs.get(i);
      double p99 = run.seconds(99);
      boolean allAnswered = run.result().failures() == 0;
      verdicts.add(
          Report.verdict(
              allAnswered && p99 < TARGET_P99_SECONDS,
              String.format(
                  Locale.ROOT,
                  "run %d: %d requests all in flight, all answered 200 with p99 < %.0f s: %s,"
                      + " p99 %.2f s",
                  i + 1,
                  run.requests(),
                  TARGET_P99_SECONDS,
                  allAnswered ? "all answered" : run.result().failures() + " not answered 200",
                  p99)));
    }
    return verdicts;
  }

  private static String seconds(double s) {
    return String.format(Locale.ROOT, "%.2f s", s);
  }

  private static String known(long value) {
    return value < 0 ? "n/a" : Long.toString(value);
  }

  private static String perRequest(long total, int requests) {
    return total < 0 ? "n/a" : Report.f(total / (double) requests);
  }

  private static String row(int number, Run run) {
    Map<String, Integer> outcomes = run.result().outcomes();
    String answers =
        outcomes.entrySet().stream()
            .map(e -> e.getValue() + " " + e.getKey())
            .collect(Collectors.joining(", "));
    return String.join(
        " | ",
        "| " + number,
        answers + " in " + String.format(Locale.ROOT, "%.1f s", run.result().elapsedNanos() / 1e9),
        seconds(run.seconds(50)),
        seconds(run.seconds(90)),
        seconds(run.seconds(99)),
        seconds(run.seconds(100)),
        known(run.threadsBefore()) + " / " + known(run.threadsPeak()),
        known(run.heapAfterGcMiB()),
        perRequest(run.used().statements(), run.requests())
            + " / "
            + perRequest(run.used().writeTransactions(), run.requests()),
        run.load() + " |\n");
  }

  @Override
  public String markdown() {
    StringBuilder s = Report.opening(machine, failures);
    s.append("#### Waiting requests\n\n")
        .append(
            "| run | answered | p50 | p90 | p99 | max | server threads before / at the peak"
                + " | heap after GC (MiB) | per request: statements / write transactions"
                + " | load average after (1, 5, 15 min) |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < runs.size(); i++) {
      s.append(row(i + 1, runs.get(i)));
    }
    s.append("\n#### Target\n\n");
    verdicts().forEach(v -> s.append(v).append('\n'));
    if (timelines.length() > 0) {
      s.append("\n#### Where the workflows' time went, from the system database\n\n")
          .append(timelines);
    }
    if (statements.length() > 0) {
      s.append("\n#### Most frequent statements over the measured runs\n\n").append(statements);
    }
    return s.toString();
  }
}
