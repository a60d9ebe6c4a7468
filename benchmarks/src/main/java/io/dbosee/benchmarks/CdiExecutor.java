package io.dbosee.benchmarks;

import io.dbosee.DBOSExecutor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** What a server's managed executor is to the library, on Weld SE. */
@ApplicationScoped
public class CdiExecutor {
  @Produces
  @DBOSExecutor
  @ApplicationScoped
  ExecutorService workflows() {
    return Executors.newCachedThreadPool(Threads.daemon("cdi"));
  }

  void shutdown(@Disposes @DBOSExecutor ExecutorService executor) {
    executor.shutdownNow();
  }
}
