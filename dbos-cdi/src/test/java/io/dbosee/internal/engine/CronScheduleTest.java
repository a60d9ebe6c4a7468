package io.dbosee.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CronScheduleTest {
  private static final ZoneId UTC = ZoneOffset.UTC;

  private static Instant at(String iso) {
    return Instant.parse(iso);
  }

  @Test
  void sixFieldsStartWithSecondsAndEveryFieldStarredIsEverySecond() {
    CronSchedule cron = CronSchedule.parse("* * * * * *", UTC);

    assertThat(cron.ticks(at("2026-01-01T00:00:00.500Z"), at("2026-01-01T00:00:03Z"), 100))
        .containsExactly(
            at("2026-01-01T00:00:01Z"), at("2026-01-01T00:00:02Z"), at("2026-01-01T00:00:03Z"));
    assertThat(cron.expression()).isEqualTo("* * * * * *");
  }

  @Test
  void fiveFieldsStartWithMinutesAndTickAtSecondZero() {
    CronSchedule cron = CronSchedule.parse("*/15 * * * *", UTC);

    assertThat(cron.expression()).isEqualTo("0 */15 * * * *");
    assertThat(cron.next(at("2026-01-01T10:07:42Z"))).contains(at("2026-01-01T10:15:00Z"));
    assertThat(cron.next(at("2026-01-01T10:15:00Z"))).contains(at("2026-01-01T10:30:00Z"));
  }

  @Test
  void listsRangesAndNamesAreAccepted() {
    CronSchedule cron = CronSchedule.parse("0 0,30 9-10 * * MON-FRI", UTC);

    // 2026-01-02 is a Friday; the next ticks skip the weekend.
    assertThat(cron.ticks(at("2026-01-02T10:00:00Z"), at("2026-01-05T09:30:00Z"), 10))
        .containsExactly(
            at("2026-01-02T10:30:00Z"), at("2026-01-05T09:00:00Z"), at("2026-01-05T09:30:00Z"));
  }

  @Test
  void theExpressionIsReadInItsTimeZoneAcrossDaylightSavingChanges() {
    CronSchedule paris = CronSchedule.parse("0 0 9 * * *", ZoneId.of("Europe/Paris"));

    assertThat(paris.next(at("2026-01-15T00:00:00Z"))).contains(at("2026-01-15T08:00:00Z"));
    assertThat(paris.next(at("2026-07-15T00:00:00Z"))).contains(at("2026-07-15T07:00:00Z"));
    // 02:30 does not exist in New York on 2026-03-08 (clocks jump from 02:00 to 03:00).
    CronSchedule newYork = CronSchedule.parse("0 30 2 * * *", ZoneId.of("America/New_York"));
    assertThat(newYork.next(at("2026-03-06T12:00:00Z"))).contains(at("2026-03-07T07:30:00Z"));
    assertThat(newYork.ticks(at("2026-03-07T12:00:00Z"), at("2026-03-10T12:00:00Z"), 10))
        .doesNotHaveDuplicates()
        .hasSizeBetween(2, 3)
        .allSatisfy(
            t -> assertThat(t.atZone(ZoneId.of("America/New_York")).getMinute()).isEqualTo(30))
        .contains(at("2026-03-09T06:30:00Z"), at("2026-03-10T06:30:00Z"));
  }

  @Test
  void ticksStopAtTheMaximum() {
    CronSchedule cron = CronSchedule.parse("* * * * * *", UTC);

    assertThat(cron.ticks(at("2026-01-01T00:00:00Z"), at("2026-01-02T00:00:00Z"), 5)).hasSize(5);
  }

  @Test
  void anInvalidExpressionIsRefusedWithWhatIsWrongAndTheAcceptedForms() {
    assertThatThrownBy(() -> CronSchedule.parse("every second", UTC))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'every second'")
        .hasMessageContaining("2 field(s)")
        .hasMessageContaining("six fields with seconds first");
    assertThatThrownBy(() -> CronSchedule.parse("61 * * * * *", UTC))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'61 * * * * *'")
        .hasMessageContaining("61");
    assertThatThrownBy(() -> CronSchedule.parse("", UTC))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
  }
}
