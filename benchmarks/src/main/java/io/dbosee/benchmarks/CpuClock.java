package io.dbosee.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * CPU time spent so far, read around a measurement to say what a request costs in computing: by one
 * process and its descendants (the Liberty server: {@code server run} and the JVM it starts), and
 * by the whole machine (Liberty, PostgreSQL's backends and the load generator together, from
 * Linux's {@code /proc/stat}). Where the operating system does not tell, a reading is negative and
 * the report says n/a.
 */
final class CpuClock {
  /** Linux's {@code USER_HZ}: {@code /proc/stat} counts in hundredths of a second. */
  private static final long NANOS_PER_TICK = 10_000_000L;

  private static final Path PROC_STAT = Path.of("/proc/stat");

  private final long pid;

  /** CPU time of the process and of the machine, in nanoseconds (negative: unknown). */
  record Reading(long processNanos, long machineNanos) {
    Reading minus(Reading before) {
      return new Reading(
          difference(processNanos, before.processNanos),
          difference(machineNanos, before.machineNanos));
    }

    private static long difference(long now, long before) {
      return now < 0 || before < 0 ? -1 : now - before;
    }
  }

  /** A clock of the process {@code pid} and its descendants, and of the machine. */
  CpuClock(long pid) {
    this.pid = pid;
  }

  Reading read() {
    return new Reading(processNanos(), machineNanos(PROC_STAT));
  }

  private long processNanos() {
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty()) {
      return -1;
    }
    return Stream.concat(Stream.of(process.get()), process.get().descendants())
        .mapToLong(CpuClock::cpu)
        .filter(nanos -> nanos >= 0)
        .reduce(Long::sum)
        .orElse(-1);
  }

  private static long cpu(ProcessHandle p) {
    return p.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
  }

  /**
   * The machine's busy time from the first line of {@code stat} ({@code cpu user nice system idle
   * iowait irq softirq steal ...}): everything but idle and iowait, summed over the CPUs.
   */
  static long machineNanos(Path stat) {
    try {
      String first = Files.readAllLines(stat).get(0);
      String[] fields = first.trim().split("\\s+");
      if (!fields[0].equals("cpu") || fields.length < 8) {
        return -1;
      }
      long busy = 0;
      for (int i = 1; i < Math.min(fields.length, 9); i++) {
        if (i != 4 && i != 5) {
          busy += Long.parseLong(fields[i]);
        }
      }
      return busy * NANOS_PER_TICK;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
