package io.dbosee.sample.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sample's checkout example ({@code GET /checkout}, CheckoutExample) as packaged, with its own
 * configuration ({@code dbos.outbox.datasource=jdbc/app}): the purchase and its shipment's enqueue
 * commit together and the shipment runs, or a declined payment rolls both back.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class CheckoutExampleIT {
  private static final String SAMPLE = "checkout-example";
  private static final Pattern PLACED =
      Pattern.compile("Purchase (\\S+) placed for lamp; shipment ship-(\\S+) enqueued\n");
  private static final Pattern DECLINED =
      Pattern.compile(
          "Payment declined for purchase (\\S+): rolled back, with its shipment ship-(\\S+)\n");

  @ArquillianResource ContainerController controller;
  @ArquillianResource Deployer deployer;

  @Deployment(name = SAMPLE, managed = false, testable = false)
  static WebArchive sample() {
    return SampleServer.sampleWar();
  }

  private static final ServerForClass SERVER = new ServerForClass(CheckoutExampleIT.class, SAMPLE);

  @BeforeEach
  void startAndDeployOnce() throws Exception {
    SERVER.beforeEach(controller, deployer, () -> {});
  }

  @AfterEach
  void undeployAndStopAfterTheLastTest() throws Exception {
    SERVER.afterEach(controller, deployer);
  }

  @Test
  void aCommittedCheckoutShipsItsPurchase() throws Exception {
    HttpResponse<String> response = SampleServer.get("/checkout?item=lamp");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    Matcher m = PLACED.matcher(response.body());
    assertThat(m.matches()).as(response.body()).isTrue();
    String purchaseId = m.group(1);
    assertThat(m.group(2)).isEqualTo(purchaseId);
    assertThat(SampleServer.text("SELECT item FROM purchases WHERE id = ?", purchaseId))
        .isEqualTo("lamp");
    OutboxIT.awaitSuccess("ship-" + purchaseId, Duration.ofSeconds(60));
    assertThat(SampleServer.text("SELECT shipped FROM purchases WHERE id = ?", purchaseId))
        .isEqualTo("true");
  }

  @Test
  void aDeclinedPaymentLeavesNeitherThePurchaseNorItsShipment() throws Exception {
    HttpResponse<String> response = SampleServer.get("/checkout?item=vase&decline=true");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(402);
    Matcher m = DECLINED.matcher(response.body());
    assertThat(m.matches()).as(response.body()).isTrue();
    String purchaseId = m.group(1);
    assertThat(m.group(2)).isEqualTo(purchaseId);
    assertThat(SampleServer.count("SELECT count(*) FROM purchases WHERE id = ?", purchaseId))
        .isZero();
    assertThat(SampleServer.workflowStatus("ship-" + purchaseId)).isEmpty();
  }
}
