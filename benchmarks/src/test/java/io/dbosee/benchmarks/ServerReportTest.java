package io.dbosee.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbosee.benchmarks.ServerContender.Endpoint;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerReportTest {
  private static final Endpoint TEN = ServerContender.WORKFLOW_10;

  /** {@code requests} requests of {@code millis} ms each, taking {@code seconds} in all. */
  private static void measure(
      ServerReport report, int inFlight, String who, double millis, int requests, double seconds) {
    report.measured(TEN, inFlight, who, Collections.nCopies(requests, millis), seconds, 0);
  }

  /**
   * At {@code inFlight}, the floor answers {@code requests} requests in a second and this library
   * the same number in {@code oursSeconds}.
   */
  private static void rates(ServerReport report, int inFlight, int requests, double oursSeconds) {
    measure(report, inFlight, ServerContender.OURS, 10, requests, oursSeconds);
    measure(report, inFlight, ServerContender.FLOOR, 10, requests, 1.0);
  }

  @Test
  void ratiosAreThisLibraryOverEachOtherContender() {
    ServerReport report =
        new ServerReport(
            List.of(ServerContender.OURS, ServerContender.FLOOR, ServerContender.DBOS_JAVA), false);
    measure(report, 1, ServerContender.OURS, 3.0, 100, 1.0);
    measure(report, 1, ServerContender.FLOOR, 2.0, 100, 0.5);
    measure(report, 1, ServerContender.DBOS_JAVA, 12.0, 100, 4.0);

    String markdown = report.markdown();

    assertThat(markdown)
        .contains("| dbos-ee ÷ floor | dbos-ee ÷ DBOS Java |")
        .contains(
            "| workflow, 10 steps, 1 in flight | 3.00 / 3.00 | 2.00 / 2.00 | 12.0 / 12.0 | 1.50× | 0.25× |")
        .contains("| workflow, 10 steps, 1 in flight | 100 | 200 | 25.0 | 0.50× | 4.00× |");
  }

  @Test
  void withFsyncOffThroughputMustReachTheFloorsAt16And64() {
    ServerReport report =
        new ServerReport(List.of(ServerContender.OURS, ServerContender.FLOOR), false);
    measure(report, 1, ServerContender.OURS, 2.4, 10, 1);
    measure(report, 1, ServerContender.FLOOR, 2.0, 10, 1);
    rates(report, 16, 100, 1.0 / 1.1);
    rates(report, 64, 100, 1.1);

    assertThat(report.verdicts())
        .containsExactly(
            "- MET p50 of the 10-step workflow at 1 in flight ≤ 1.25× the floor's: 1.20×",
            "- MET requests/s of the 10-step workflow at 16 in flight ≥ the floor's (fsync off):"
                + " 1.10×",
            "- MISSED requests/s of the 10-step workflow at 64 in flight ≥ the floor's (fsync off):"
                + " 0.91×");
  }

  @Test
  void withFsyncOnThroughputMustBeOneAndAHalfTimesTheFloorsAt64() {
    ServerReport report =
        new ServerReport(List.of(ServerContender.OURS, ServerContender.FLOOR), true);
    rates(report, 16, 100, 2.0);
    rates(report, 64, 100, 1 / 1.5);

    assertThat(report.verdicts())
        .containsExactly(
            "- MET requests/s of the 10-step workflow at 64 in flight ≥ 1.5× the floor's (fsync"
                + " on): 1.50×");
  }

  @Test
  void costIsPerRequestAndFailuresAreReported() {
    ServerReport report =
        new ServerReport(List.of(ServerContender.OURS, ServerContender.FLOOR), false);
    report.cost(
        TEN,
        1,
        ServerContender.OURS,
        new BenchPostgres.Counters(120, 40),
        new CpuClock.Reading(15_000_000, 40_000_000),
        10);
    report.cost(
        TEN,
        1,
        ServerContender.FLOOR,
        new BenchPostgres.Counters(-1, 30),
        new CpuClock.Reading(10_000_000, -1),
        10);
    report.measured(TEN, 1, ServerContender.OURS, List.of(1.0, 2.0), 1, 1);

    assertThat(report.markdown())
        .contains("| workflow, 10 steps, 1 in flight | 12.0 / 4.00 | n/a / 3.00 |")
        .contains("| workflow, 10 steps, 1 in flight | 1.50 / 4.00 | 1.00 / n/a |")
        .contains("**FAILED** dbos-ee, workflow, 10 steps, 1 in flight: 1 not answered 200");
    assertThat(report.hasFailures()).isTrue();
  }
}
