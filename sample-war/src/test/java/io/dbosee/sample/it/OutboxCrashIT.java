package io.dbosee.sample.it;

import static io.dbosee.sample.it.SampleServer.CONTAINER;
import static io.dbosee.sample.it.SampleServer.DEPLOYMENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbosee.sample.it.inserver.OutboxProbes;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The transactional outbox across a crash: the server halts right after the caller's transaction
 * commits, before the library dispatches the workflows it enqueued and started; after the restart
 * each runs, once.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OutboxCrashIT {
  private static final Duration RECOVERY_DEADLINE = Duration.ofSeconds(120);

  @ArquillianResource ContainerController controller;
  @ArquillianResource Deployer deployer;

  @Deployment(name = DEPLOYMENT, managed = false, testable = false)
  static WebArchive sample() {
    return SampleServer.sampleWarWithOutboxProbes();
  }

  @Test
  void aCrashBetweenTheCommitAndTheDispatchLosesNothingAndRunsNothingTwice() throws Exception {
    OutboxIT.createTables();
    controller.start(CONTAINER);
    deployer.deploy(DEPLOYMENT);
    try {
      String key = "crash-" + System.nanoTime();
      String enqueued = OutboxProbes.enqueuedId(key);
      String started = OutboxProbes.startedId(key);

      CompletableFuture<HttpResponse<String>> call =
          SampleServer.getAsync("/test/outbox/crash?key=" + key);
      await("the server's halt after the commit")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(call::isDone);
      assertThat(call).as("the call's connection died with the server").isCompletedExceptionally();
      LibertyProcess.awaitExit(System.getProperty("liberty.server.name"));

      // Committed, and not dispatched: the halt came first.
      assertThat(OutboxIT.applicationRows(key)).isEqualTo(1);
      assertThat(SampleServer.workflowStatus(enqueued)).contains("ENQUEUED");
      assertThat(SampleServer.workflowStatus(started)).contains("PENDING");
      assertThat(OutboxIT.runs(enqueued)).isZero();
      assertThat(OutboxIT.runs(started)).isZero();

      LibertyProcess.forgetKilledServer(controller, CONTAINER);
      controller.start(CONTAINER); // Liberty starts the probes again from its dropins directory

      // The enqueued one is dequeued from its queue; the started one is this server's to recover.
      OutboxIT.awaitSuccess(enqueued, RECOVERY_DEADLINE);
      OutboxIT.awaitSuccess(started, RECOVERY_DEADLINE);
      assertThat(OutboxIT.runs(enqueued)).as("runs of the enqueued workflow").isEqualTo(1);
      assertThat(OutboxIT.runs(started)).as("runs of the started workflow").isEqualTo(1);
      assertThat(OutboxIT.applicationRows(key)).isEqualTo(1);
    } finally {
      if (controller.isStarted(CONTAINER)) {
        deployer.undeploy(DEPLOYMENT);
        LibertyProcess.stop(controller, CONTAINER);
      }
    }
  }
}
