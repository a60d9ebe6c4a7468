package io.dbosee.internal.engine;

import java.time.Duration;

/** The engine's clock and sleep, replaceable so tests can control time instead of waiting. */
public interface TimeSource {
  TimeSource SYSTEM =
      new TimeSource() {
        @Override
        public long currentTimeMillis() {
          return System.currentTimeMillis();
        }

        @Override
        public void sleep(Duration duration) throws InterruptedException {
          Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
        }
      };

  long currentTimeMillis();

  void sleep(Duration duration) throws InterruptedException;
}
