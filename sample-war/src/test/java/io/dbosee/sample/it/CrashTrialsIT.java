package io.dbosee.sample.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbosee.sample.it.inserver.CrashWorkload;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Crash trials on real processes: the sample with a mixed workload ({@code inserver.CrashWorkload}:
 * steps with side-effect counters, a {@code @Transaction} step, queued work, durable sleeps, a
 * message sent and received) on Open Liberty started with {@code bin/server run}, on the
 * development PostgreSQL, as {@link SampleCrashDemoIT} runs the sample.
 *
 * <p>The tests run in order on one database and share server one (executor id {@code server-1}, a
 * 3-second failover lease), each with workflow ids of its own: the server SIGKILLed at random
 * moments and started again ({@code -Dcrash.trials}, 3 by default; the seed is printed and {@code
 * -Dcrash.seed} replays its choices); PostgreSQL stopped for ten seconds under load; then a second
 * server next to it, and server one killed for good. {@link CrashLedger} checks after each that no
 * workflow was lost, no transaction duplicated and no checkpointed step run again. One server for
 * the three saves two Liberty starts (a start is most of a test's time).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashTrialsIT {
  private static final int WORKFLOWS_PER_TRIAL = 8;
  private static final int KILL_WINDOW_MS = 4000;
  private static final Duration FINISH_DEADLINE = Duration.ofMinutes(5);
  private static final String READY = "/health/ready";
  private static final Duration OUTAGE = Duration.ofSeconds(10);
  private static final long OUTAGE_SEED = 9;
  private static final long TWO_SERVERS_SEED = 2;
  private static final String ONE = "server-1";
  private static final String TWO = "server-2";
  private static final int LEASE_SECONDS = 3;
  private static final int LONG_SLEEP_MS = 12_000;
  private static final int LIMITED_WORKFLOWS = 20;
  private static final int LIMIT = CrashWorkload.LIMIT;

  /** The server's two connection pools (20 each, see dbos-liberty.xml) and its listener. */
  private static final int MAX_SESSIONS = 2 * 20 + 1;

  /**
   * Threads the server may add across the outage: Liberty's pool grows and shrinks with the load on
   * its own; a leak (a thread per retry or reconnection) would be well beyond this.
   */
  private static final int THREAD_SLACK = 20;

  private static Path war;
  private static SampleProcess one;

  /** Server one on a fresh database, which the tests share in their order (see the class). */
  @BeforeAll
  static void startServerOne() throws Exception {
    war = Path.of(System.getProperty("demo.postgres.dir")).resolveSibling("crash-workload.war");
    SampleServer.sampleWarWithCrashWorkload().as(ZipExporter.class).exportTo(war.toFile(), true);
    one = new SampleProcess(System.getProperty("demo.server.name"), war, true);
    one.start("crash-server-1.log", serverEnvironment(ONE));
    new CrashLedger(one::database, "").createTables();
  }

  @AfterAll
  static void stopEverything() throws Exception {
    if (one != null) {
      one.close();
    }
  }

  @Test
  @Order(1)
  void serverKilledAtRandomMomentsLosesNoWorkflowAndRunsNoCheckpointedStepAgain() throws Exception {
    int trials = Integer.getInteger("crash.trials", 3);
    String seedProperty = System.getProperty("crash.seed", "");
    long seed = seedProperty.isBlank() ? System.nanoTime() : Long.parseLong(seedProperty.trim());
    System.out.printf(
        "Crash trials: %d SIGKILL(s), seed %d (-Dcrash.seed=%d replays the same choices)%n",
        trials, seed, seed);
    Random random = new Random(seed);
    SampleProcess server = one;
    CrashLedger ledger = new CrashLedger(server::database, "trial-");
    Workload workload = new Workload(server, random);
    for (int trial = 1; trial <= trials; trial++) {
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < WORKFLOWS_PER_TRIAL; i++) {
        calls.add(workload.start("trial-" + trial + "-" + i));
      }
      int killAfterMs = random.nextInt(KILL_WINDOW_MS);
      Thread.sleep(killAfterMs); // the kill's random moment, not a wait for anything
      server.kill();
      System.out.printf(
          "Crash trials: trial %d killed the server after %d ms%n", trial, killAfterMs);
      for (var call : calls) {
        call.handle((response, failure) -> null).get(60, TimeUnit.SECONDS);
      }
      ledger.recordKill();
      server.start("crash-server-1-trial-" + trial + ".log", serverEnvironment(ONE));
      // As a client whose call the kill cut: start again, with the same id, what never started.
      for (String id : ledger.missing(workload.ids())) {
        assertThat(workload.start(id).get(60, TimeUnit.SECONDS).statusCode())
            .as("starting %s again", id)
            .isEqualTo(200);
      }
    }
    await("every workflow final")
        .atMost(FINISH_DEADLINE)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> ledger.unfinished() == 0);
    CrashLedger.Totals totals = ledger.check(trials, workload.ids());
    System.out.println("Crash trials: " + totals);
    assertThat(totals.failures()).as("violations; seed %d", seed).isEmpty();
    assertThat(totals.lost()).isZero();
    assertThat(totals.duplicated()).isZero();
    assertThat(totals.rerun()).isZero();
    assertThat(totals.workflows()).isEqualTo(3 * trials * WORKFLOWS_PER_TRIAL);
  }

  /**
   * PostgreSQL stopped for ten seconds under load and started again: the workflows wait instead of
   * failing and finish, starts made during the outage wait for the database and go through, nothing
   * is duplicated, readiness is DOWN during the outage and UP after, and the server's threads and
   * database sessions come back to their working level.
   */
  @Test
  @Order(2)
  void aTenSecondDatabaseOutageUnderLoadLosesNothingAndLeaksNothing() throws Exception {
    SampleProcess server = one;
    CrashLedger ledger = new CrashLedger(server::database, "outage-");
    Workload workload = new Workload(server, new Random(OUTAGE_SEED));
    // A first round to the end: pools and threads grow to their working size.
    runToTheEnd(server, workload, "outage-warm-up");
    int sessionsBefore = ledger.otherSessions();
    int threadsBefore = server.threads();
    assertThat(server.get(READY).statusCode()).as("readiness before the outage").isEqualTo(200);

    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 2 * WORKFLOWS_PER_TRIAL; i++) {
      calls.add(workload.start("outage-load-" + i));
    }
    await("the load running")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> ledger.unfinished() >= WORKFLOWS_PER_TRIAL);
    Instant stopped = Instant.now();
    server.stopPostgres();
    // Clients that call while the database is away: their starts wait for it and go through.
    for (int i = 0; i < 2; i++) {
      calls.add(workload.start("outage-during-" + i));
    }
    // Readiness polled while the outage lasts (a check may take seconds with the database gone).
    CompletableFuture<Duration> down =
        CompletableFuture.supplyAsync(
            () -> {
              await("readiness DOWN during the outage")
                  .atMost(OUTAGE)
                  .pollInterval(Duration.ofMillis(200))
                  .until(() -> server.get(READY).statusCode() == 503);
              return Duration.between(stopped, Instant.now());
            });
    Duration left = OUTAGE.minus(Duration.between(stopped, Instant.now()));
    if (!left.isNegative()) {
      Thread.sleep(left.toMillis()); // the outage's length, not a wait for anything
    }
    Duration downAfter = down.get(OUTAGE.toSeconds(), TimeUnit.SECONDS);
    server.startPostgres();
    Instant back = Instant.now();
    System.out.printf(
        "Database outage: PostgreSQL stopped for %d ms (until it accepted connections again);"
            + " readiness DOWN %d ms after the stop%n",
        Duration.between(stopped, back).toMillis(), downAfter.toMillis());
    ledger.recordInterruption(back);
    await("readiness UP after the outage")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> server.get(READY).statusCode() == 200);
    for (var call : calls) {
      assertThat(call.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    await("every workflow final")
        .atMost(FINISH_DEADLINE)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> ledger.unfinished() == 0);
    // A last round to the end after the outage, then the same counts as before it.
    runToTheEnd(server, workload, "outage-after");
    int sessionsAfter = ledger.otherSessions();
    int threadsAfter = server.threads();
    CrashLedger.Totals totals = ledger.check(0, workload.ids());
    System.out.printf(
        "Database outage: %s; database sessions %d before, %d after; server threads %d before,"
            + " %d after%n",
        totals, sessionsBefore, sessionsAfter, threadsBefore, threadsAfter);
    assertThat(totals.failures()).isEmpty();
    assertThat(sessionsAfter)
        .as("database sessions after the outage")
        .isLessThanOrEqualTo(Math.max(sessionsBefore, MAX_SESSIONS));
    assertThat(threadsAfter)
        .as("server threads after the outage")
        .isLessThanOrEqualTo(threadsBefore + THREAD_SLACK);
  }

  /**
   * Two Liberty servers on one database, each with its executor id and a 3-second lease: the
   * limited queue's global concurrency holds exactly while both take from it, no workflow runs on
   * both at once, and when one is SIGKILLed the other takes over its pending workflows once its
   * lease expired (never before: not while it ran), and finishes them.
   */
  @Test
  @Order(3)
  void twoServersHoldTheQueueLimitAndTheSurvivorTakesOverTheKilledOnesWorkflows() throws Exception {
    try (SampleProcess two =
        new SampleProcess(System.getProperty("demo.server2.name"), war, false)) {
      CrashLedger ledger = new CrashLedger(one::database, "two-");
      two.start("crash-server-2.log", serverEnvironment(TWO));
      Random random = new Random(TWO_SERVERS_SEED);
      Workload onOne = new Workload(one, random);
      Workload onTwo = new Workload(two, random);

      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      // The limited queue, fed through both servers at once.
      for (int i = 0; i < LIMITED_WORKFLOWS; i++) {
        SampleProcess via = i % 2 == 0 ? one : two;
        calls.add(via.getAsync("/test/crash/limited?id=two-limited-" + i + "&workMs=200"));
      }
      // Mixed workflows on each server, whose sleeps last past the kill.
      for (int i = 0; i < WORKFLOWS_PER_TRIAL; i++) {
        calls.add(onOne.startDirect("two-on-" + ONE + "-" + i, LONG_SLEEP_MS));
        calls.add(onTwo.startDirect("two-on-" + TWO + "-" + i, LONG_SLEEP_MS));
      }
      for (var call : calls) {
        assertThat(call.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      }
      await("server one's workflows running")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> ledger.pendingOn(ONE, "two-on-" + ONE + "-").size() == WORKFLOWS_PER_TRIAL);
      // Both servers alive for two leases: server two must take none of server one's workflows.
      Thread.sleep(2 * LEASE_SECONDS * 1000L); // time passing is the point, not a wait for anything
      assertThat(ledger.pendingOn(ONE, "two-on-" + ONE + "-"))
          .as("server one's workflows after two leases with both servers alive")
          .hasSize(WORKFLOWS_PER_TRIAL);

      one.kill();
      // Taken once the JVM is gone: until then it may still start a step.
      Instant killed = Instant.now();
      List<String> pendingAtKill = ledger.pendingOn(ONE, "");
      assertThat(pendingAtKill).as("server one's workflows at the kill").isNotEmpty();
      await("server one's workflows taken over")
          .atMost(Duration.ofSeconds(LEASE_SECONDS + 30))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> ledger.pendingOn(ONE, "").isEmpty());
      Duration takeOver = Duration.between(killed, Instant.now());
      ledger.recordInterruption(killed);
      await("every workflow final on the survivor")
          .atMost(FINISH_DEADLINE)
          .pollInterval(Duration.ofMillis(200))
          .until(() -> ledger.unfinished() == 0);

      List<String> started = new ArrayList<>(onOne.ids());
      started.addAll(onTwo.ids());
      CrashLedger.Totals totals = ledger.check(1, started);
      int maxConcurrency = ledger.maxConcurrentExecutions("limitedStep", killed);
      int onBoth = ledger.executionsOverlappingOnTwoServers(killed);
      List<String> stillOnOne = ledger.ownedBy(ONE, pendingAtKill);
      System.out.printf(
          "Two servers: %s; limited queue (global concurrency %d): at most %d step(s) at once;"
              + " %d workflow(s) with executions on both servers at once; %d workflow(s) of the"
              + " killed server taken over %d ms after the kill (lease %d s)%n",
          totals,
          LIMIT,
          maxConcurrency,
          onBoth,
          pendingAtKill.size(),
          takeOver.toMillis(),
          LEASE_SECONDS);
      assertThat(totals.failures()).isEmpty();
      assertThat(maxConcurrency).isBetween(1, LIMIT);
      assertThat(onBoth).isZero();
      assertThat(stillOnOne).as("workflows the killed server still owns").isEmpty();
      assertThat(takeOver).isLessThan(Duration.ofSeconds(LEASE_SECONDS + 15));
    }
  }

  private static Map<String, String> serverEnvironment(String executorId) {
    return SampleProcess.environment(
        "DBOS_EXECUTOR_ID",
        executorId,
        "DBOS_FAILOVER_LEASE_SECONDS",
        Integer.toString(LEASE_SECONDS));
  }

  /** Starts a round of workflows and waits until every workflow is final. */
  private static void runToTheEnd(SampleProcess server, Workload workload, String round)
      throws Exception {
    for (int i = 0; i < WORKFLOWS_PER_TRIAL; i++) {
      assertThat(workload.start(round + "-" + i).get(60, TimeUnit.SECONDS).statusCode())
          .isEqualTo(200);
    }
    CrashLedger ledger = new CrashLedger(server::database, "");
    await(round + " finished")
        .atMost(FINISH_DEADLINE)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> ledger.unfinished() == 0);
  }

  /** The workflows a test started, each with its random choices, to start it again unchanged. */
  private static final class Workload {
    private final SampleProcess server;
    private final Random random;
    private final Map<String, String> paths = new LinkedHashMap<>();

    Workload(SampleProcess server, Random random) {
      this.server = server;
      this.random = random;
    }

    /** Starts workflow {@code id}: directly or queued, with random work and sleep times. */
    CompletableFuture<HttpResponse<String>> start(String id) {
      String path =
          paths.computeIfAbsent(
              id,
              k ->
                  "/test/crash/start?id="
                      + k
                      + "&queued="
                      + random.nextBoolean()
                      + "&workMs="
                      + (10 + random.nextInt(150))
                      + "&sleepMs="
                      + (100 + random.nextInt(1500)));
      return server.getAsync(path);
    }

    /** Starts workflow {@code id} directly, sleeping {@code sleepMs} in the middle. */
    CompletableFuture<HttpResponse<String>> startDirect(String id, int sleepMs) {
      paths.put(
          id,
          "/test/crash/start?id="
              + id
              + "&queued=false&workMs="
              + (10 + random.nextInt(150))
              + "&sleepMs="
              + sleepMs);
      return server.getAsync(paths.get(id));
    }

    List<String> ids() {
      return List.copyOf(paths.keySet());
    }
  }
}
