package io.dbosee.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class WaitingReportTest {
  /** 100 requests answered 200 after 5.01 s, 5.02 s, ... 6.00 s, taking {@code seconds} in all. */
  private static HttpLoad.Result answeredFrom5To6Seconds(double seconds) {
    long[] latencies =
        LongStream.rangeClosed(1, 100).map(i -> 5_000_000_000L + i * 10_000_000L).toArray();
    return new HttpLoad.Result(latencies, Map.of("HTTP 200", 100), null, (long) (seconds * 1e9));
  }

  private static WaitingReport.Run run(HttpLoad.Result result) {
    return new WaitingReport.Run(
        result, 116, 124, 180, new BenchPostgres.Counters(3000, 1200), "4.10, 3.00, 2.50");
  }

  @Test
  void reportsPercentilesThreadsCostAndTheTargetPerRun() {
    WaitingReport report = new WaitingReport();
    report.measured(run(answeredFrom5To6Seconds(6.2)));
    report.timeline(1, "| part (ms) | workflows |\n");

    assertThat(report.markdown())
        .contains(
            "#### Where the workflows' time went, from the system database\n\nRun 1:\n\n| part")
        .contains(
            "| 1 | 100 HTTP 200 in 6.2 s | 5.50 s | 5.90 s | 5.99 s | 6.00 s | 116 / 124 | 180 |"
                + " 30.0 / 12.0 | 4.10, 3.00, 2.50 |");
    assertThat(report.verdicts())
        .containsExactly(
            "- MET run 1: 100 requests all in flight, all answered 200 with p99 < 7 s: all"
                + " answered, p99 5.99 s");
    assertThat(report.hasFailures()).isFalse();
  }

  @Test
  void aP99OfSevenSecondsOrMoreMissesTheTarget() {
    long[] latencies = LongStream.rangeClosed(1, 100).map(i -> 7_000_000_000L).toArray();
    WaitingReport report = new WaitingReport();
    report.measured(
        run(new HttpLoad.Result(latencies, Map.of("HTTP 200", 100), null, 7_100_000_000L)));

    assertThat(report.verdicts())
        .containsExactly(
            "- MISSED run 1: 100 requests all in flight, all answered 200 with p99 < 7 s: all"
                + " answered, p99 7.00 s");
  }

  @Test
  void anUnansweredRequestMissesTheTargetAndFailsTheRun() {
    long[] latencies = LongStream.rangeClosed(1, 2).map(i -> 5_500_000_000L).toArray();
    WaitingReport report = new WaitingReport();
    report.measured(
        new WaitingReport.Run(
            new HttpLoad.Result(
                latencies, Map.of("HTTP 200", 1, "HTTP 500", 1), "/waiting?id=r1-1: HTTP 500", 6),
            -1,
            -1,
            -1,
            new BenchPostgres.Counters(-1, 4),
            "n/a"));

    assertThat(report.verdicts())
        .containsExactly(
            "- MISSED run 1: 2 requests all in flight, all answered 200 with p99 < 7 s: 1 not"
                + " answered 200, p99 5.50 s");
    assertThat(report.markdown())
        .contains("**FAILED** run 1: 1 of 2 not answered 200, first: /waiting?id=r1-1: HTTP 500")
        .contains("| n/a / n/a | n/a | n/a / 2.00 | n/a |");
    assertThat(report.hasFailures()).isTrue();
  }

  @Test
  void theWaitingModeTakesAThousandRequestsUnlessTold() {
    assertThat(ServerBenchmark.Options.parse(new String[] {"--waiting", "--wlp=w"}).waiting())
        .isEqualTo(1000);
    assertThat(ServerBenchmark.Options.parse(new String[] {"--waiting=200", "--wlp=w"}).waiting())
        .isEqualTo(200);
    assertThat(ServerBenchmark.Options.parse(new String[] {"--wlp=w"}).waiting()).isZero();
    assertThatThrownBy(() -> ServerBenchmark.Options.parse(new String[] {"--waiting=0", "--wlp=w"}))
        .hasMessage("--waiting=0: expected a positive number of requests, such as --waiting=1000");
  }
}
