package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbosee.DBOS;
import io.dbosee.Workflow;
import io.dbosee.WorkflowHandle;
import io.dbosee.internal.cdi.DBOSRuntime;
import io.dbosee.internal.engine.DBOSEngine;
import io.dbosee.testing.TestPostgres;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Messages and events through the injectable {@link DBOS}, on Weld SE. */
class CdiMessagingTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final TestPostgres.Database database = TestPostgres.newDatabase();
  private WeldContainer container;
  private DBOS dbos;
  private Payments payments;

  /** A payment JSON-bound from the message. */
  public record Payment(String orderId, long cents) {}

  @ApplicationScoped
  public static class Payments {
    @Inject DBOS dbos;
    private final AtomicInteger bodyRuns = new AtomicInteger();

    public int bodyRuns() {
      return bodyRuns.get();
    }

    @Workflow
    public String awaitPayment(String orderId) {
      bodyRuns.incrementAndGet();
      dbos.setEvent("status", "waiting");
      Payment payment = dbos.recv("payment", Payment.class, Duration.ofMinutes(5)).orElseThrow();
      dbos.setEvent("status", "paid " + payment.cents());
      return payment.orderId();
    }
  }

  @BeforeEach
  void start() {
    start(CdiTestSupport.systemDatabase(database));
  }

  private void start(Map<String, String> properties) {
    container = CdiTestSupport.start(properties, Payments.class);
    dbos = container.select(DBOS.class).get();
    payments = container.select(Payments.class).get();
  }

  @AfterEach
  void stop() {
    container.close();
    CdiTestSupport.releaseConfig();
  }

  @Test
  void aWorkflowReceivesATypedMessageAndPublishesEvents() throws Exception {
    WorkflowHandle<String, RuntimeException> handle;
    try (var id = dbos.withWorkflowId("order-7")) {
      handle = dbos.startWorkflow(() -> payments.awaitPayment("order-7"));
    }
    assertThat(dbos.getEvent("order-7", "status", String.class, WAIT)).contains("waiting");

    dbos.send("order-7", new Payment("order-7", 1250), "payment", "payment-order-7");

    assertThat(handle.getResult(WAIT)).isEqualTo("order-7");
    assertThat(dbos.getEvent("order-7", "status", String.class, WAIT)).contains("paid 1250");
  }

  @Test
  void aWorkflowThatGaveItsThreadBackIsResumedThroughItsBean() throws Exception {
    container.close();
    Map<String, String> properties = new HashMap<>(CdiTestSupport.systemDatabase(database));
    properties.put("dbos.waits.thread-hold-seconds", "0");
    start(properties);
    WorkflowHandle<String, RuntimeException> handle;
    try (var id = dbos.withWorkflowId("order-8")) {
      handle = dbos.startWorkflow(() -> payments.awaitPayment("order-8"));
    }
    assertThat(dbos.getEvent("order-8", "status", String.class, WAIT)).contains("waiting");
    // Parked once the engine listens for notifications (it connects in the background).
    DBOSEngine engine = container.select(DBOSRuntime.class).get().engine();
    await().atMost(WAIT).until(() -> engine.parkedWorkflows() == 1);

    dbos.send("order-8", new Payment("order-8", 990), "payment");

    assertThat(handle.getResult(WAIT)).isEqualTo("order-8");
    assertThat(dbos.getEvent("order-8", "status", String.class, WAIT)).contains("paid 990");
    // Once to the wait, where it parked; once more, through the bean, replaying to the end.
    assertThat(payments.bodyRuns()).isEqualTo(2);
  }

  @Test
  void withNoPlaceForAHeldWaitAWaitParksAtOnceHoweverLongTheHold() throws Exception {
    container.close();
    Map<String, String> properties = new HashMap<>(CdiTestSupport.systemDatabase(database));
    properties.put("dbos.waits.thread-hold-seconds", "600");
    properties.put("dbos.waits.max-held-threads", "0");
    start(properties);
    WorkflowHandle<String, RuntimeException> handle;
    try (var id = dbos.withWorkflowId("order-9")) {
      handle = dbos.startWorkflow(() -> payments.awaitPayment("order-9"));
    }
    DBOSEngine engine = container.select(DBOSRuntime.class).get().engine();
    await().atMost(WAIT).until(() -> engine.parkedWorkflows() == 1);

    dbos.send("order-9", new Payment("order-9", 10), "payment");

    assertThat(handle.getResult(WAIT)).isEqualTo("order-9");
  }
}
