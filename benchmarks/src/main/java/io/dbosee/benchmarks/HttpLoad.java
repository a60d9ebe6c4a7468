package io.dbosee.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Sends N requests to a running server with C in flight, and reports latency percentiles, the
 * answers by status, and the server process's peak thread count (sampled from /proc while the
 * requests run). For requests whose answer takes long by design, such as the sample's greeting (a
 * workflow with five 1-second durable sleeps): what it measures is whether every request is
 * answered in about that time, and how many threads the server needs meanwhile.
 *
 * <pre>
 * java -cp benchmarks/target/classes io.dbosee.benchmarks.HttpLoad \
 *   --url=http://localhost:9080/greeting/load-%d --requests=1000 --concurrency=1000 --pid=PID
 * </pre>
 *
 * {@code %d} in the URL becomes the request's number, so that each request starts a workflow.
 */
public final class HttpLoad {
  private HttpLoad() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new TreeMap<>();
    for (String arg : args) {
      String[] kv = arg.replaceFirst("^--", "").split("=", 2);
      options.put(kv[0], kv.length > 1 ? kv[1] : "true");
    }
    String url = require(options, "url");
    int requests = Integer.parseInt(options.getOrDefault("requests", "1000"));
    int concurrency = Integer.parseInt(options.getOrDefault("concurrency", "1000"));
    String pid = options.get("pid");

    HttpClient client = client();
    ThreadSampler threads = new ThreadSampler(pid);
    Result result =
        send(
            client, n -> URI.create(url.replace("%d", Integer.toString(n))), requests, concurrency);
    threads.stop();
    long[] latencies = result.latencies().clone();
    long elapsed = result.elapsedNanos();
    Map<String, Integer> outcomes = result.outcomes();

    Arrays.sort(latencies);
    System.out.printf(
        "%d requests, %d in flight: %s in %.1f s (%.1f requests/s)%n",
        requests, concurrency, outcomes, elapsed / 1e9, requests / (elapsed / 1e9));
    System.out.printf(
        "latency p50 %.2f s, p90 %.2f s, p99 %.2f s, max %.2f s%n",
        percentile(latencies, 0.50),
        percentile(latencies, 0.90),
        percentile(latencies, 0.99),
        latencies[latencies.length - 1] / 1e9);
    if (pid != null) {
      System.out.printf(
          "server threads: %d before, %d at the peak%n", threads.first(), threads.peak());
    }
    System.exit(0);
  }

  /** An HTTP/1.1 client for many requests in flight at once. */
  static HttpClient client() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(30))
        .executor(Executors.newFixedThreadPool(8, Threads.daemon("http")))
        .build();
  }

  /**
   * What {@link #send} measured: each request's latency in ns (in the order sent), the answers by
   * outcome ({@code HTTP 200}, or the failure), the first answer other than 200 with its body, and
   * the time from the first request sent to the last answer.
   */
  record Result(
      long[] latencies, Map<String, Integer> outcomes, String firstFailure, long elapsedNanos) {
    /** How many answers were not 200. */
    int failures() {
      return outcomes.entrySet().stream()
          .filter(e -> !e.getKey().equals("HTTP 200"))
          .mapToInt(Map.Entry::getValue)
          .sum();
    }
  }

  /**
   * Sends {@code requests} GETs, request {@code n} to {@code uri.apply(n)}, with up to {@code
   * concurrency} in flight.
   */
  static Result send(HttpClient client, IntFunction<URI> uri, int requests, int concurrency)
      throws InterruptedException {
    Semaphore inFlight = new Semaphore(concurrency);
    long[] latencies = new long[requests];
    Map<String, Integer> outcomes = new TreeMap<>();
    AtomicReference<String> firstFailure = new AtomicReference<>();
    List<CompletableFuture<Void>> all = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < requests; i++) {
      inFlight.acquire();
      int n = i;
      long sent = System.nanoTime();
      HttpRequest request =
          HttpRequest.newBuilder(uri.apply(i)).timeout(Duration.ofSeconds(120)).build();
      all.add(
          client
              .sendAsync(request, HttpResponse.BodyHandlers.ofString())
              .handle(
                  (response, failure) -> {
                    latencies[n] = System.nanoTime() - sent;
                    String outcome =
                        failure != null
                            ? String.valueOf(
                                failure.getCause() != null ? failure.getCause() : failure)
                            : "HTTP " + response.statusCode();
                    if (failure != null || response.statusCode() != 200) {
                      firstFailure.compareAndSet(
                          null,
                          request.uri()
                              + ": "
                              + outcome
                              + (response == null ? "" : " " + abbreviate(response.body())));
                    }
                    synchronized (outcomes) {
                      outcomes.merge(outcome, 1, Integer::sum);
                    }
                    inFlight.release();
                    return null;
                  }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    return new Result(latencies, outcomes, firstFailure.get(), System.nanoTime() - start);
  }

  private static String abbreviate(String body) {
    return body.length() > 300 ? body.substring(0, 300) + "…" : body;
  }

  private static double percentile(long[] sorted, double p) {
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, index)] / 1e9;
  }

  private static String require(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null) {
      throw new IllegalArgumentException(
          "--" + name + "=... is required; see the class comment of HttpLoad for an example");
    }
    return value;
  }

  /**
   * The server process's thread count from /proc, every 100 ms from construction to {@link #stop}
   * (nothing when the pid is null).
   */
  static final class ThreadSampler {
    private final Path status;
    private final ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(Threads.daemon("thread-sampler"));
    private volatile int first = -1;
    private volatile int peak;

    ThreadSampler(String pid) {
      this.status = pid == null ? null : Path.of("/proc", pid, "status");
      if (status != null) {
        first = sample();
        timer.scheduleAtFixedRate(this::sample, 0, 100, TimeUnit.MILLISECONDS);
      }
    }

    private int sample() {
      try {
        for (String line : Files.readAllLines(status)) {
          if (line.startsWith("Threads:")) {
            int count = Integer.parseInt(line.substring(8).trim());
            peak = Math.max(peak, count);
            return count;
          }
        }
      } catch (IOException e) {
        // the process ended: keep what was seen
      }
      return -1;
    }

    void stop() {
      timer.shutdownNow();
    }

    int first() {
      return first;
    }

    int peak() {
      return peak;
    }
  }
}
