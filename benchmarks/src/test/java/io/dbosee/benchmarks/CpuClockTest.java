package io.dbosee.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuClockTest {
  @Test
  void theMachineIsBusyInAllButIdleAndIowait(@TempDir Path dir) throws Exception {
    Path stat = dir.resolve("stat");
    // user nice system idle iowait irq softirq steal guest guest_nice, in hundredths of a second
    Files.writeString(stat, "cpu  100 2 30 5000 70 4 5 6 0 0\ncpu0 50 1 15 2500 35 2 2 3 0 0\n");

    assertThat(CpuClock.machineNanos(stat)).isEqualTo((100 + 2 + 30 + 4 + 5 + 6) * 10_000_000L);
  }

  @Test
  void anUnreadableStatIsUnknown(@TempDir Path dir) throws Exception {
    Path stat = dir.resolve("stat");
    Files.writeString(stat, "intr 12 13\n");

    assertThat(CpuClock.machineNanos(stat)).isNegative();
    assertThat(CpuClock.machineNanos(dir.resolve("absent"))).isNegative();
  }

  @Test
  void aDifferenceWithAnUnknownReadingIsUnknown() {
    CpuClock.Reading before = new CpuClock.Reading(1_000, -1);
    CpuClock.Reading after = new CpuClock.Reading(5_000, 9_000);

    assertThat(after.minus(before)).isEqualTo(new CpuClock.Reading(4_000, -1));
  }

  @Test
  void thisProcessHasSpentCpu() {
    CpuClock.Reading reading = new CpuClock(ProcessHandle.current().pid()).read();

    assertThat(reading.processNanos()).isPositive();
  }
}
