package io.dbosee.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How the workloads measure contenders against each other: calls timed in short turns (so that all
 * see the same machine), their percentiles per repeat, and what calls cost the database, each
 * contender alone.
 */
final class Turns {
  private final BenchPostgres postgres;
  private final Report report;
  private final AtomicInteger ids = new AtomicInteger();

  Turns(BenchPostgres postgres, Report report) {
    this.postgres = postgres;
    this.report = report;
  }

  /** A workflow id not used before in this run. */
  String nextId(String kind) {
    return kind + "-" + ids.incrementAndGet();
  }

  /** Adds each contender's p50 and p99 of one repeat to the repeats' lists. */
  static void addPercentiles(
      Map<Contender, List<Double>> millis,
      Map<Contender, List<Double>> p50,
      Map<Contender, List<Double>> p99) {
    millis.forEach(
        (c, times) -> {
          p50.computeIfAbsent(c, k -> new ArrayList<>()).add(Stats.percentile(times, 50));
          p99.computeIfAbsent(c, k -> new ArrayList<>()).add(Stats.percentile(times, 99));
        });
  }

  /** One timed call of a contender. */
  interface Call {
    void run(Contender contender, String workflowId) throws Exception;
  }

  /**
   * What {@code runs} calls of each contender cost the database, each contender alone: the server's
   * transaction counter is shared by all databases, so calls taken in turns would count each
   * other's commits.
   */
  void costAlone(List<Contender> who, int key, int runs, String kind, Call call) throws Exception {
    for (Contender c : who) {
      BenchPostgres.Counters before = postgres.counters(c.database());
      for (int i = 0; i < runs; i++) {
        call.run(c, nextId(kind));
      }
      report.cost(c.name(), key, postgres.counters(c.database()).minus(before), runs);
    }
  }

  /** Calls of one contender in a row, before the next contender's turn. */
  private static final int TURN = 25;

  /**
   * Times {@code iterations} calls of each contender, taken in turns of {@link #TURN} calls. This
   * machine's speed drifts by up to 2x within minutes: contenders measured in short turns see the
   * same machine, so their ratios hold where contenders measured one after the other would each
   * catch a different phase. (Turns of a single call would measure something else: every call would
   * find its connection's server process and its threads gone cold, the floor's 0-step workflow
   * then took 0.46 ms instead of 0.13.)
   *
   * @return each contender's call times, in ms
   */
  Map<Contender, List<Double>> inTurn(List<Contender> who, int iterations, String kind, Call call)
      throws Exception {
    Map<Contender, List<Double>> millis = new LinkedHashMap<>();
    for (Contender c : who) {
      millis.put(c, new ArrayList<>(iterations));
    }
    for (int done = 0; done < iterations; done += TURN) {
      for (Contender c : who) {
        for (int i = done; i < Math.min(iterations, done + TURN); i++) {
          String id = nextId(kind);
          long start = System.nanoTime();
          call.run(c, id);
          millis.get(c).add((System.nanoTime() - start) / 1e6);
        }
      }
    }
    return millis;
  }
}
