package io.dbosee.cdi;

import io.dbosee.DBOSExecutor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Stands in for the server's managed executor in Weld SE tests. */
@ApplicationScoped
public class TestExecutor {
  @Produces
  @DBOSExecutor
  @ApplicationScoped
  ExecutorService workflows() {
    return Executors.newFixedThreadPool(8);
  }

  void shutdown(@Disposes @DBOSExecutor ExecutorService executor) {
    executor.shutdownNow();
  }
}
