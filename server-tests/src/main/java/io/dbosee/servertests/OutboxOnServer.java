package io.dbosee.servertests;

import static io.dbosee.servertests.SampleArchives.DEPLOYMENT;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.dbosee.internal.errors.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * The transactional outbox with the server's JTA: the sample's checkout example (its own
 * configuration, {@code dbos.outbox.datasource=jdbc/app}, the server configuration's transactional
 * DataSource on the system database) commits the purchase and its shipment's enqueue together, or
 * rolls both back; and the start-time check of JTA enlistment (DBOS-CDI-099), the server-specific
 * part, refuses the non-transactional system DataSource as the outbox's.
 */
public abstract class OutboxOnServer extends OnServer {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String NOT_TRANSACTIONAL = "not-transactional";

  /** The purchase's id in the checkout's answer. */
  private static final Pattern PURCHASE = Pattern.compile("[Pp]urchase ([^\\s:;]+)");

  protected OutboxOnServer(TestServer server) {
    super(server);
  }

  @Deployment(name = DEPLOYMENT, managed = false, testable = false)
  static WebArchive sample() {
    return SampleArchives.sampleWar();
  }

  /** The sample with the system data source, which takes no part in JTA, as the outbox's. */
  @Deployment(name = NOT_TRANSACTIONAL, managed = false, testable = false)
  static WebArchive notTransactional() {
    // Named apart from the sample: Arquillian wants one archive name per deployment.
    WebArchive war =
        ShrinkWrap.create(WebArchive.class, NOT_TRANSACTIONAL + ".war")
            .merge(SampleArchives.sampleWar());
    String config = "WEB-INF/classes/META-INF/microprofile-config.properties";
    String sampleConfig;
    try (InputStream in = war.get(config).getAsset().openStream()) {
      sampleConfig = new String(in.readAllBytes(), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    war.delete(config);
    // The sample's configuration, but for the outbox's DataSource (a later key wins).
    war.add(new StringAsset(sampleConfig + "\ndbos.outbox.datasource=jdbc/dbosSystem\n"), config);
    return war;
  }

  @Test
  void aCheckoutCommitsItsShipmentsEnqueueWithThePurchaseOrRollsBothBack() throws Exception {
    server.start(controller);
    try {
      deployer.deploy(DEPLOYMENT);
      try {
        HttpResponse<String> placed = server.get("/checkout?item=lamp");
        assertThat(placed.statusCode()).as(placed.body()).isEqualTo(200);
        String purchase = purchaseOf(placed);
        String shipment = "ship-" + purchase;
        await()
            .atMost(WAIT)
            .until(
                () -> SampleDatabase.workflowStatus(shipment),
                status -> status.filter(Set.of("SUCCESS", "ERROR")::contains).isPresent());
        assertThat(SampleDatabase.workflowStatus(shipment))
            .as(
                "the shipment; its error: %s",
                SampleDatabase.text(
                    "SELECT coalesce(o.error, ws.error) FROM dbos.workflow_status ws LEFT JOIN"
                        + " dbos.workflow_output o ON o.workflow_uuid = ws.workflow_uuid"
                        + " WHERE ws.workflow_uuid = ?",
                    shipment))
            .contains("SUCCESS");
        assertThat(SampleDatabase.text("SELECT shipped FROM purchases WHERE id = ?", purchase))
            .isEqualTo("true");

        HttpResponse<String> declined = server.get("/checkout?item=vase&decline=true");
        assertThat(declined.statusCode()).as(declined.body()).isEqualTo(402);
        String rolledBack = purchaseOf(declined);
        assertThat(SampleDatabase.count("SELECT count(*) FROM purchases WHERE id = ?", rolledBack))
            .isZero();
        assertThat(SampleDatabase.workflowStatus("ship-" + rolledBack))
            .as("the enqueue rolled back with the purchase")
            .isEmpty();
      } finally {
        deployer.undeploy(DEPLOYMENT);
      }
    } finally {
      server.stop(controller);
    }
  }

  private static String purchaseOf(HttpResponse<String> checkout) {
    Matcher m = PURCHASE.matcher(checkout.body());
    assertThat(m.find()).as(checkout.body()).isTrue();
    return m.group(1);
  }

  @Test
  void aNonTransactionalOutboxDatasourceFailsTheDeployment() throws Exception {
    server.start(controller);
    try {
      Path log = server.log();
      long before = Files.size(log);

      Throwable failure = catchThrowable(() -> deployer.deploy(NOT_TRANSACTIONAL));

      assertThat(failure).as("the deployment must fail").isNotNull();
      StringWriter trace = new StringWriter();
      failure.printStackTrace(new PrintWriter(trace));
      byte[] all = Files.readAllBytes(log);
      String logged = new String(all, (int) before, all.length - (int) before, UTF_8);
      assertThat(trace + logged)
          .contains(ErrorCode.OUTBOX_DATASOURCE_ELSEWHERE.code())
          .contains(
              "The outbox DataSource dbos.outbox.datasource=jdbc/dbosSystem cannot carry starts,"
                  + " enqueues and sends into the system database: its connections do not take"
                  + " part in JTA transactions");
    } finally {
      try {
        deployer.undeploy(NOT_TRANSACTIONAL); // a failed deployment is gone already
      } catch (RuntimeException alreadyGone) {
        // expected
      } finally {
        server.stop(controller);
      }
    }
  }
}
