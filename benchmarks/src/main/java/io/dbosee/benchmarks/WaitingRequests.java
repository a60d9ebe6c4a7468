package io.dbosee.benchmarks;

import io.dbosee.benchmarks.ServerContender.Endpoint;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The in-server benchmark's waiting mode ({@code --waiting[=N]}): issue 27's thousand waiting
 * requests. The sample's workflow (two steps and five durable one-second sleeps, returned as a
 * stage, so that no request thread waits), N requests all sent at once, twice, against this
 * library's WAR only (DBOS Java has no stage-returning workflows).
 */
record WaitingRequests(
    LibertyServer server,
    BenchPostgres postgres,
    ServerContender ours,
    HttpClient client,
    Supplier<String> idPrefixes) {
  static final Endpoint WAITING =
      new Endpoint("waiting workflow (2 steps, 5 × 1 s durable sleep)", "/waiting");

  /** Enough to load the classes and compile the paths of a waiting workflow. */
  private static final int WARM_UP = 50;

  private static final int RUNS = 2;

  private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

  /** Warms up, then sends {@code requests} requests all at once, {@link #RUNS} times. */
  WaitingReport run(int requests) throws Exception {
    WaitingReport report = new WaitingReport();
    ServerBenchmark.log("warm-up: " + WARM_UP + " waiting requests at once");
    HttpLoad.Result warmUp = send(idPrefixes.get() + "-", WARM_UP);
    if (warmUp.failures() > 0) {
      report.failed("warm-up: " + warmUp.firstFailure());
    }
    postgres.resetStatementStats();
    for (int run = 1; run <= RUNS; run++) {
      ServerBenchmark.log("run " + run + ": " + requests + " waiting requests at once");
      BenchPostgres.Counters before = postgres.counters(ours.database());
      HttpLoad.ThreadSampler threads = new HttpLoad.ThreadSampler(Long.toString(server.pid()));
      String prefix = idPrefixes.get() + "-";
      long sentAt = System.currentTimeMillis();
      HttpLoad.Result result = send(prefix, requests);
      threads.stop();
      String load = loadAverage();
      BenchPostgres.Counters used = postgres.counters(ours.database()).minus(before);
      report.measured(
          new WaitingReport.Run(
              result, threads.first(), threads.peak(), heapAfterGcMiB(), used, load));
      report.timeline(run, WaitingTimeline.of(postgres, ours.database(), prefix, sentAt));
    }
    report.statements(postgres.topStatements(ours.database(), 12));
    return report;
  }

  private HttpLoad.Result send(String prefix, int requests) throws InterruptedException {
    return HttpLoad.send(
        client, n -> ours.uri(server.baseUrl(), WAITING, prefix + n), requests, requests);
  }

  /** The 1, 5 and 15-minute load averages: how busy the shared machine was. */
  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields[0] + ", " + fields[1] + ", " + fields[2];
    } catch (IOException | ArrayIndexOutOfBoundsException e) {
      return "n/a";
    }
  }

  /**
   * The server's heap in use after a full GC, from the JDK's jcmd ({@code GC.run}, then {@code
   * GC.heap_info}); -1 when jcmd is missing or says something else.
   */
  private long heapAfterGcMiB() {
    try {
      jcmd("GC.run");
      Matcher used = HEAP_USED.matcher(jcmd("GC.heap_info"));
      return used.find() ? Long.parseLong(used.group(1)) / 1024 : -1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private String jcmd(String command) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p =
        new ProcessBuilder(jcmd.toString(), Long.toString(server.pid()), command)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(1, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      return "";
    }
    return out;
  }
}
