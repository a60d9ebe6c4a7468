package io.dbosee.sample.it;

import static io.dbosee.sample.it.AdminClient.ANONYMOUS;
import static io.dbosee.sample.it.AdminClient.OPERATOR;
import static io.dbosee.sample.it.AdminClient.VIEWER;
import static io.dbosee.sample.it.AdminClient.WRONG_PASSWORD;
import static io.dbosee.sample.it.AdminClient.array;
import static io.dbosee.sample.it.AdminClient.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbosee.sample.it.inserver.AdminProbes;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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
 * The admin endpoints of the deployed sample, with the DBOS SDKs' paths and JSON shapes, behind the
 * role dbos-admin (server-config's dbos-admin-security.xml: operator has it, viewer not).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AdminEndpointsIT {
  private static final String DEPLOYMENT = "admin";
  private static final Duration WAIT = Duration.ofSeconds(60);

  @ArquillianResource ContainerController controller;
  @ArquillianResource Deployer deployer;

  @Deployment(name = DEPLOYMENT, managed = false, testable = false)
  static WebArchive sample() {
    return SampleServer.sampleWarWithTestEndpoints().addClass(AdminProbes.class);
  }

  @BeforeEach
  void startAndDeploy() {
    LibertyProcess.startAndDeploy(controller, deployer, DEPLOYMENT);
  }

  @AfterEach
  void undeployAndStop() throws Exception {
    LibertyProcess.undeployAndStop(controller, deployer, DEPLOYMENT);
  }

  private static void startNapping(String id, long seconds) throws Exception {
    HttpResponse<String> started =
        AdminClient.plainGet("/test/admin/start?id=" + id + "&seconds=" + seconds);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
    await()
        .atMost(WAIT)
        .until(
            () ->
                SampleServer.count(
                        "SELECT count(*) FROM dbos.operation_outputs WHERE workflow_uuid = ?", id)
                    >= 2); // the first step and the sleep
  }

  /** Runs the probe workflow (a step, a one-second durable sleep, a step) to its end. */
  private static void runToCompletion(String id) throws Exception {
    HttpResponse<String> started =
        AdminClient.plainGet("/test/admin/start?id=" + id + "&seconds=1");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
    await()
        .atMost(WAIT)
        .until(() -> SampleServer.workflowStatus(id).equals(Optional.of("SUCCESS")));
  }

  @Test
  void everyEndpointAnswers401Or403WithoutTheRoleAndChangesNothing() throws Exception {
    startNapping("guard-pending", 600);
    runToCompletion("guard-done");
    long workflows = SampleServer.count("SELECT count(*) FROM dbos.workflow_status");
    String future = String.valueOf(System.currentTimeMillis() + 3_600_000);
    List<String[]> calls =
        List.of(
            new String[] {"GET", "/"},
            new String[] {"GET", "/dbos-healthz"},
            new String[] {"GET", "/dbos-workflow-queues-metadata"},
            new String[] {"POST", "/dbos-workflow-recovery", "[\"someone\"]"},
            new String[] {
              "POST", "/dbos-garbage-collect", "{\"cutoff_epoch_timestamp_ms\": " + future + "}"
            },
            new String[] {
              "POST", "/dbos-global-timeout", "{\"cutoff_epoch_timestamp_ms\": " + future + "}"
            },
            new String[] {"POST", "/queues", "{}"},
            new String[] {"POST", "/workflows", "{}"},
            new String[] {"GET", "/workflows/guard-pending"},
            new String[] {"GET", "/workflows/guard-pending/steps"},
            new String[] {"POST", "/workflows/guard-pending/cancel", ""},
            new String[] {"POST", "/workflows/guard-done/resume", ""},
            new String[] {"POST", "/workflows/guard-done/fork", "{\"start_step\": 0}"},
            new String[] {"POST", "/workflows/guard-done/delete", "{}"},
            // The console: its files and its own JSON.
            new String[] {"GET", "/console.js"},
            new String[] {"GET", "/console.css"},
            new String[] {"POST", "/console-api/counts", "{}"},
            new String[] {"GET", "/console-api/workflows/guard-pending/related"},
            new String[] {"GET", "/console-api/queues"},
            new String[] {"GET", "/console-api/schedules"},
            new String[] {"GET", "/console-api/servers"},
            new String[] {"POST", "/console-api/schedules/any/pause", ""},
            new String[] {"POST", "/console-api/schedules/any/trigger", ""});

    for (String[] call : calls) {
      for (AdminClient unauthenticated : List.of(ANONYMOUS, WRONG_PASSWORD)) {
        HttpResponse<String> response = send(unauthenticated, call);
        assertThat(response.statusCode())
            .as("%s %s without credentials", call[0], call[1])
            .isEqualTo(401);
      }
      HttpResponse<String> forbidden = send(VIEWER, call);
      assertThat(forbidden.statusCode()).as("%s %s as viewer", call[0], call[1]).isEqualTo(403);
    }

    assertThat(SampleServer.workflowStatus("guard-pending")).contains("PENDING");
    assertThat(SampleServer.workflowStatus("guard-done")).contains("SUCCESS");
    assertThat(SampleServer.count("SELECT count(*) FROM dbos.workflow_status"))
        .as("nothing forked, deleted or added")
        .isEqualTo(workflows);
  }

  private static HttpResponse<String> send(AdminClient client, String[] call) throws Exception {
    return call[0].equals("GET") ? client.get(call[1]) : client.post(call[1], call[2]);
  }

  @Test
  void theReadEndpointsAnswerWithTheShapesOfTheDbosSdks() throws Exception {
    runToCompletion("read-1");
    startNapping("read-pending", 600);

    HttpResponse<String> health = OPERATOR.get("/dbos-healthz");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(object(health).getString("status")).isEqualTo("healthy");

    HttpResponse<String> metadata = OPERATOR.get("/dbos-workflow-queues-metadata");
    assertThat(metadata.statusCode()).as(metadata.body()).isEqualTo(200);
    assertThat(array(metadata).getValuesAs(JsonObject.class))
        .as("the sample's queues")
        .isNotEmpty()
        .allSatisfy(
            q -> {
              assertThat(q.getString("name")).isNotBlank();
              assertThat(q.containsKey("priorityEnabled")).isTrue();
            });

    HttpResponse<String> listed =
        OPERATOR.post(
            "/workflows",
            "{\"workflow_ids\": [\"read-1\", \"read-pending\"], \"sort_desc\": true}");
    assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
    List<JsonObject> rows = array(listed).getValuesAs(JsonObject.class);
    assertThat(rows)
        .extracting(r -> r.getString("workflow_id"))
        .containsExactly("read-pending", "read-1");
    JsonObject done = rows.get(1);
    assertThat(done.getString("status")).isEqualTo("SUCCESS");
    assertThat(done.getString("name")).isEqualTo("napping");
    assertThat(done.getString("output")).isEqualTo("\"before read-1, after read-1\"");
    assertThat(done.getString("input")).contains("read-1");
    assertThat(done.getJsonNumber("created_at").longValue()).isPositive();
    assertThat(done.get("queue_name")).isEqualTo(JsonValue.NULL);
    assertThat(done.getString("app_version")).isNotBlank();
    assertThat(
            array(OPERATOR.post("/workflows", "{\"status\": \"PENDING\", \"name\": \"napping\"}"))
                .getValuesAs(JsonObject.class))
        .extracting(r -> r.getString("workflow_id"))
        .contains("read-pending")
        .doesNotContain("read-1");

    JsonObject one = object(OPERATOR.get("/workflows/read-1"));
    assertThat(one.getString("workflow_id")).isEqualTo("read-1");
    assertThat(OPERATOR.get("/workflows/no-such-workflow").statusCode()).isEqualTo(404);

    List<JsonObject> steps =
        array(OPERATOR.get("/workflows/read-1/steps")).getValuesAs(JsonObject.class);
    assertThat(steps)
        .extracting(s -> s.getString("function_name"))
        .containsExactly("before", "DBOS.sleep", "after");
    assertThat(steps.get(0).getInt("function_id")).isZero();
    assertThat(steps.get(0).getJsonNumber("completed_at_epoch_ms").longValue())
        .isGreaterThanOrEqualTo(steps.get(0).getJsonNumber("started_at_epoch_ms").longValue());

    HttpResponse<String> queued = OPERATOR.post("/queues", "{}");
    assertThat(queued.statusCode()).as(queued.body()).isEqualTo(200);
    assertThat(array(queued).getValuesAs(JsonObject.class))
        .allSatisfy(r -> assertThat(r.getString("queue_name")).isNotBlank());

    HttpResponse<String> notJson = OPERATOR.postText("/workflows/read-pending/cancel", "");
    assertThat(notJson.statusCode()).as("a form post").isEqualTo(415);
    assertThat(SampleServer.workflowStatus("read-pending")).contains("PENDING");

    HttpResponse<String> bad = OPERATOR.post("/workflows", "{\"status\": \"SLEEPY\"}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(object(bad).getString("error")).contains("SLEEPY");
  }

  @Test
  void cancelResumeAndForkSteerAWorkflow() throws Exception {
    startNapping("steer-1", 3);

    assertThat(OPERATOR.post("/workflows/steer-1/cancel", "").statusCode()).isEqualTo(204);
    assertThat(SampleServer.workflowStatus("steer-1")).contains("CANCELLED");

    assertThat(OPERATOR.post("/workflows/steer-1/resume", "").statusCode()).isEqualTo(204);
    await()
        .atMost(WAIT)
        .until(() -> SampleServer.workflowStatus("steer-1").equals(Optional.of("SUCCESS")));

    HttpResponse<String> forked =
        OPERATOR.post(
            "/workflows/steer-1/fork",
            "{\"start_step\": 2, \"new_workflow_id\": \"steer-1-fork\"}");
    assertThat(forked.statusCode()).as(forked.body()).isEqualTo(200);
    assertThat(object(forked).getString("workflow_id")).isEqualTo("steer-1-fork");
    await()
        .atMost(WAIT)
        .until(() -> SampleServer.workflowStatus("steer-1-fork").equals(Optional.of("SUCCESS")));
    assertThat(object(OPERATOR.get("/workflows/steer-1-fork")).getString("forked_from"))
        .isEqualTo("steer-1");
    assertThat(OPERATOR.post("/workflows/nope/fork", "{}").statusCode()).isEqualTo(404);
  }

  @Test
  void recoveryGarbageCollectionAndGlobalTimeoutActOnTheSystemDatabase() throws Exception {
    startNapping("old-pending", 600);
    runToCompletion("old-done");

    HttpResponse<String> recovered = OPERATOR.post("/dbos-workflow-recovery", "[\"gone-server\"]");
    assertThat(recovered.statusCode()).as(recovered.body()).isEqualTo(200);
    assertThat(array(recovered)).isNotNull();

    String future = String.valueOf(System.currentTimeMillis() + 3_600_000);
    HttpResponse<String> timeout =
        OPERATOR.post("/dbos-global-timeout", "{\"cutoff_epoch_timestamp_ms\": " + future + "}");
    assertThat(timeout.statusCode()).as(timeout.body()).isEqualTo(204);
    assertThat(SampleServer.workflowStatus("old-pending")).contains("CANCELLED");

    HttpResponse<String> gc =
        OPERATOR.post("/dbos-garbage-collect", "{\"cutoff_epoch_timestamp_ms\": " + future + "}");
    assertThat(gc.statusCode()).as(gc.body()).isEqualTo(204);
    assertThat(SampleServer.workflowStatus("old-done")).isEmpty();
    assertThat(SampleServer.workflowStatus("old-pending")).isEmpty();
  }
}
