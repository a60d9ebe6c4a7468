package io.dbosee.cdi;

import io.dbosee.DBOSExecutor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Stands in for the server's managed executors in Weld SE tests: one scheduled pool runs workflows
 * and schedule rounds alike (it is both the {@code Executor} and the {@code
 * ScheduledExecutorService} qualified {@code @DBOSExecutor}).
 */
@ApplicationScoped
public class TestExecutor {
  @Produces
  @DBOSExecutor
  @ApplicationScoped
  ScheduledExecutorService workflows() {
    return Executors.newScheduledThreadPool(8);
  }

  void shutdown(@Disposes @DBOSExecutor ScheduledExecutorService executor) {
    executor.shutdownNow();
  }
}
