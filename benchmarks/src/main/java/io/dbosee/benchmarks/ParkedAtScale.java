package io.dbosee.benchmarks;

import io.dbosee.internal.engine.DBOSEngine;
import io.dbosee.internal.engine.StartSpec;
import io.dbosee.internal.engine.WorkflowDefinition;
import io.dbosee.internal.engine.db.SystemDataSources;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Many workflows parked in {@code recv} on one engine ({@code --only=parked}, {@code --parked=N}):
 * the heap each one costs while parked, the JVM's threads meanwhile, then how fast they are woken
 * by a message each, and how long from the send's commit to the workflow's {@code recv} returning.
 * The engine runs on a fixed executor of {@link #THREADS} threads, as a server's managed executor.
 */
final class ParkedAtScale {
  static final String DATABASE = "bench_parked";

  /** The executor's threads: one is the notification listener's. */
  private static final int THREADS = 32;

  /** Threads that start the workflows, and then send the messages. */
  private static final int CALLERS = 8;

  /** Messages sent one at a time, each once the previous one's workflow woke: unloaded latency. */
  private static final int PROBES = 1000;

  private final int count;
  private final String prefix = "parked-" + System.currentTimeMillis() + "-";
  private final SystemDataSources.Pool pool;
  private final ExecutorService executor =
      Executors.newFixedThreadPool(THREADS, Threads.daemon("parked-engine"));
  private final DBOSEngine engine;
  private final WorkflowDefinition waiter;

  /** When each workflow's message was committed, and when its recv returned (nanoTime). */
  private final AtomicLongArray sentAt;

  private final AtomicLongArray wokeAt;
  private final AtomicInteger woken = new AtomicInteger();

  ParkedAtScale(BenchPostgres postgres, int count) {
    this.count = count;
    this.sentAt = new AtomicLongArray(count);
    this.wokeAt = new AtomicLongArray(count);
    this.pool = EngineContender.pool(postgres, DATABASE, Benchmarks.POOL_SIZE);
    this.engine = EngineContender.engine(pool, executor);
    this.waiter =
        new WorkflowDefinition(
            "parkedWaiter",
            "bench.Workflows",
            new Type[0],
            String.class,
            100,
            ParkedAtScale.class.getClassLoader(),
            arguments -> runWaiter());
    engine.register(waiter);
    engine.launch();
  }

  private Object runWaiter() throws Exception {
    return engine.runWorkflow(
        waiter,
        new Object[0],
        () -> {
          engine.recv("go", String.class, Duration.ofHours(6));
          String id = engine.currentWorkflowId().orElseThrow();
          int i = Integer.parseInt(id.substring(prefix.length()));
          if (wokeAt.compareAndSet(i, 0, System.nanoTime())) {
            woken.incrementAndGet();
          }
          return "woken";
        });
  }

  /** Runs it and returns its report section. */
  String run() throws Exception {
    try {
      long before = Benchmarks.usedHeapAfterGc();
      double startRate = startAll();
      int parked = engine.parkedWorkflows();
      long during = Benchmarks.usedHeapAfterGc();
      int threads = ManagementFactory.getThreadMXBean().getThreadCount();
      log(parked + " parked; waking them");
      int first = Math.min(PROBES, count / 10);
      List<Double> unloaded = probe(first);
      long t0 = System.nanoTime();
      double sendSeconds = sendAll(first);
      while (woken.get() < count && System.nanoTime() - t0 < patience().toNanos()) {
        Thread.sleep(20); // polling a counter with a deadline
      }
      double wakeSeconds = (System.nanoTime() - t0) / 1e9;
      List<Double> loaded = latencies(first, count);
      return String.format(
          Locale.ROOT,
          "| workflows parked in `recv` on one engine (%d-thread executor) | %d of %d |%n"
              + "| heap per parked workflow (used heap after a full GC, before and while parked)"
              + " | %.2f KiB (%.1f MiB in all) |%n"
              + "| JVM threads while they were parked | %d |%n"
              + "| started and parked, workflows/s (%d callers) | %.0f |%n"
              + "| wake-up latency, one message at a time (%d), p50 / p99 ms"
              + " | %.2f / %.2f |%n"
              + "| the rest (%d) sent at once by %d threads: messages/s | %.0f |%n"
              + "| ... workflows woken (their recv returned), per second | %.0f (%d of %d) |%n"
              + "| ... wake-up latency under that load, p50 / p99 / max ms | %.0f / %.0f / %.0f"
              + " |%n",
          THREADS,
          parked,
          count,
          (during - before) / 1024.0 / Math.max(1, parked),
          (during - before) / 1024.0 / 1024.0,
          threads,
          CALLERS,
          startRate,
          unloaded.size(),
          Stats.percentile(unloaded, 50),
          Stats.percentile(unloaded, 99),
          count - first,
          CALLERS,
          (count - first) / sendSeconds,
          (woken.get() - first) / wakeSeconds,
          woken.get(),
          count,
          Stats.percentile(loaded, 50),
          Stats.percentile(loaded, 99),
          Stats.max(loaded));
    } finally {
      engine.close();
      executor.shutdownNow();
      pool.close();
    }
  }

  /** Starts every workflow from {@link #CALLERS} threads; returns the workflows started per s. */
  private double startAll() throws Exception {
    log("starting " + count + " workflows that park in recv");
    long t0 = System.nanoTime();
    inParallel(
        0,
        i -> {
          try (AutoCloseable id = engine.assignWorkflowId(prefix + i)) {
            engine.start(StartSpec.background(), this::runWaiter);
          }
        });
    while (engine.parkedWorkflows() < count && System.nanoTime() - t0 < patience().toNanos()) {
      Thread.sleep(20); // polling a counter with a deadline
    }
    return engine.parkedWorkflows() / ((System.nanoTime() - t0) / 1e9);
  }

  /** How long starting or waking them all may take: generous, a deadline rather than a bound. */
  private Duration patience() {
    return Duration.ofSeconds(120 + count / 50);
  }

  /** Wakes the first {@code n} one at a time; returns each one's latency in ms. */
  private List<Double> probe(int n) {
    for (int i = 0; i < n; i++) {
      send(i);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (wokeAt.get(i) == 0 && System.nanoTime() < deadline) {
        LockSupport.parkNanos(20_000); // polling a flag with a deadline
      }
    }
    return latencies(0, n);
  }

  /** Sends the messages from {@code from} on from {@link #CALLERS} threads; returns seconds. */
  private double sendAll(int from) throws Exception {
    long t0 = System.nanoTime();
    inParallel(from, this::send);
    return (System.nanoTime() - t0) / 1e9;
  }

  private void send(int i) {
    engine.send(prefix + i, "go", "go", null);
    sentAt.set(i, System.nanoTime());
  }

  /**
   * From the send's commit to the recv's return, in ms; 0 for one woken before its sender read the
   * clock after the commit.
   */
  private List<Double> latencies(int from, int to) {
    List<Double> millis = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      if (wokeAt.get(i) != 0 && sentAt.get(i) != 0) {
        millis.add(Math.max(0, wokeAt.get(i) - sentAt.get(i)) / 1e6);
      }
    }
    return millis;
  }

  private interface Each {
    void run(int i) throws Exception;
  }

  /** Runs {@code each} for every index from {@code from} on, on {@link #CALLERS} threads. */
  private void inParallel(int from, Each each) throws Exception {
    AtomicInteger next = new AtomicInteger(from);
    ExecutorService callers = Executors.newFixedThreadPool(CALLERS, Threads.daemon("parked"));
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < CALLERS; t++) {
        futures.add(
            callers.submit(
                () -> {
                  int i;
                  while ((i = next.getAndIncrement()) < count) {
                    each.run(i);
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      callers.shutdownNow();
    }
  }

  private static void log(String message) {
    System.out.printf(Locale.ROOT, "[bench %s] %s%n", Instant.now(), message);
  }
}
