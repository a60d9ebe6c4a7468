package io.dbosee.sample;

import io.dbosee.DBOS;
import io.dbosee.Step;
import io.dbosee.Transaction;
import io.dbosee.Workflow;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The DBOS tutorial's greeting guestbook: a workflow signs a guestbook over HTTP (a step), sleeps
 * five durable seconds so that you can kill the server, then records the greeting in the database
 * (a {@code @Transaction} step). After a crash it resumes after its last completed step: the
 * guestbook is signed once and the greeting recorded once ({@code GET /guestbook}, {@code GET
 * /greetings}).
 */
@ApplicationScoped
public class Greetings {
  private static final Logger LOG = Logger.getLogger(Greetings.class.getName());

  @Inject DBOS dbos;

  // Steps are called through this injected reference: CDI does not intercept calls through `this`.
  @Inject Greetings self;

  @PersistenceContext(unitName = "sample")
  EntityManager em;

  /**
   * Where the guestbook takes signatures: the sample's own {@code POST /guestbook/record_greeting}
   * unless configured (see META-INF/microprofile-config.properties).
   */
  @Inject
  @ConfigProperty(name = "sample.guestbook.url")
  String guestbookUrl;

  private Client http;

  @PostConstruct
  void openClient() {
    http =
        ClientBuilder.newBuilder()
            .connectTimeout(5, TimeUnit.SECONDS)
            .readTimeout(30, TimeUnit.SECONDS)
            .build();
  }

  @PreDestroy
  void closeClient() {
    http.close();
  }

  /** Signs the guestbook with an HTTP POST; retried twice if the guestbook cannot be reached. */
  @Step(maxAttempts = 3, intervalSeconds = 1, backoffRate = 2)
  public void signGuestbook(String name) {
    try (Response response =
        http.target(guestbookUrl)
            .request()
            .post(Entity.json(Json.createObjectBuilder().add("name", name).build()))) {
      if (response.getStatusInfo().getFamily() != Response.Status.Family.SUCCESSFUL) {
        throw new IllegalStateException(
            "The guestbook at "
                + guestbookUrl
                + " answered HTTP "
                + response.getStatus()
                + ": "
                + response.readEntity(String.class)
                + " (check sample.guestbook.url)");
      }
    } catch (ProcessingException e) {
      throw new IllegalStateException(
          "Could not reach the guestbook at "
              + guestbookUrl
              + " (check sample.guestbook.url): "
              + e.getMessage(),
          e);
    }
    LOG.info(">>> STEP 1: Signed the guestbook for " + name);
  }

  /** Records the greeting; the row and the step's checkpoint commit in one transaction. */
  @Transaction
  public void insertGreeting(String name) {
    em.persist(new Greeting(name, dbos.workflowId().orElse("(no workflow)")));
    LOG.info(">>> STEP 2: Greeting to " + name + " recorded in the database!");
  }

  /** Returns a stage: a call starts it in the background, and its caller holds no thread. */
  @Workflow
  public CompletionStage<String> greet(String name) {
    self.signGuestbook(name);
    for (int i = 0; i < 5; i++) {
      LOG.info("Press Control + C to stop the app...");
      dbos.sleep(Duration.ofSeconds(1));
    }
    self.insertGreeting(name);
    return CompletableFuture.completedFuture("Thank you for being awesome, " + name + "!");
  }
}
