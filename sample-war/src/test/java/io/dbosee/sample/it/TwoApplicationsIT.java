package io.dbosee.sample.it;

import static io.dbosee.sample.it.SampleServer.CONTAINER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbosee.sample.it.inserver.TwoAppsServlet;
import io.dbosee.sample.it.inserver.TwoAppsWorkload;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two applications on one system database, as two WARs on one Liberty server that differ only in
 * {@code dbos.application-name}: each runs its own queued work, and after the server is killed each
 * recovers only its own PENDING work. Both keep the default executor id and one application
 * version, as two WARs on one server would unless told otherwise: then only the application name
 * keeps one WAR's recovery from running the other's workflows (its workflow class exists in both).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TwoApplicationsIT {
  private static final String ALPHA = "apps-alpha";
  private static final String BETA = "apps-beta";
  private static final Duration DEADLINE = Duration.ofSeconds(90);

  @ArquillianResource ContainerController controller;
  @ArquillianResource Deployer deployer;

  @Deployment(name = ALPHA, managed = false, testable = false)
  static WebArchive alpha() {
    return application(ALPHA, "alpha");
  }

  @Deployment(name = BETA, managed = false, testable = false)
  static WebArchive beta() {
    return application(BETA, "beta");
  }

  private static WebArchive application(String war, String name) {
    return SampleServer.libraryWar(war + ".war")
        .addClasses(TwoAppsWorkload.class, TwoAppsServlet.class)
        .addAsResource(
            new StringAsset(
                "dbos.system-database.datasource=jdbc/dbosSystem\n"
                    + "dbos.application-name="
                    + name
                    + "\ndbos.application-version=two-apps\n"
                    + "dbos.queue.\""
                    + name
                    + "-work\".worker-concurrency=4\n"),
            "META-INF/microprofile-config.properties");
  }

  @Test
  void eachApplicationRunsItsOwnQueuedWorkAndRecoversOnlyItsOwnPendingWork() throws Exception {
    SampleServer.update(
        "CREATE TABLE IF NOT EXISTS two_apps_runs (workflow_id TEXT, application TEXT, run INT)");
    String run = "-" + System.nanoTime();
    controller.start(CONTAINER);
    deployer.deploy(ALPHA);
    deployer.deploy(BETA);
    Path betaAside = null;
    try {
      // Queued work: each application's runs in that application and is claimed by it.
      call(ALPHA, "alpha-q" + run, true, false);
      call(BETA, "beta-q" + run, true, false);
      awaitSuccess("alpha-q" + run);
      awaitSuccess("beta-q" + run);
      assertThat(ranIn("alpha-q" + run)).containsExactly("alpha");
      assertThat(ranIn("beta-q" + run)).containsExactly("beta");
      assertThat(owner("alpha-q" + run)).isEqualTo("alpha");
      assertThat(owner("beta-q" + run)).isEqualTo("beta");

      // Work in flight in both, started and queued, when the server dies.
      List<String> alphas = List.of("alpha-started" + run, "alpha-queued" + run);
      List<String> betas = List.of("beta-started" + run, "beta-queued" + run);
      call(ALPHA, alphas.get(0), false, true);
      call(ALPHA, alphas.get(1), true, true);
      call(BETA, betas.get(0), false, true);
      call(BETA, betas.get(1), true, true);
      for (String id : concat(alphas, betas)) {
        await("the first run of " + id)
            .atMost(DEADLINE)
            .pollInterval(Duration.ofMillis(200))
            .until(() -> ranIn(id).size() == 1);
      }
      LibertyProcess.kill(System.getProperty("liberty.server.name"));
      LibertyProcess.forgetKilledServer(controller, CONTAINER);

      // The server comes back with alpha only: alpha recovers its own work, never beta's.
      betaAside = Files.createTempFile("apps-beta", ".war");
      Files.move(dropins(BETA), betaAside, StandardCopyOption.REPLACE_EXISTING);
      controller.start(CONTAINER);
      for (String id : alphas) {
        awaitSuccess(id);
        assertThat(ranIn(id)).containsExactly("alpha", "alpha");
      }
      for (String id : betas) {
        assertThat(SampleServer.workflowStatus(id))
            .as("%s of beta, after alpha recovered", id)
            .contains("PENDING");
        assertThat(ranIn(id)).as("runs of %s", id).containsExactly("beta");
      }

      // Then beta comes back and recovers its own.
      Files.move(betaAside, dropins(BETA));
      betaAside = null;
      for (String id : betas) {
        awaitSuccess(id);
        assertThat(ranIn(id)).containsExactly("beta", "beta");
      }

      // Each application's admin endpoints list its own workflows, and all on request.
      AdminClient alphaAdmin = AdminClient.OPERATOR.of("/" + ALPHA);
      assertThat(listed(alphaAdmin, "/workflows", run))
          .containsExactlyInAnyOrder("alpha-q" + run, alphas.get(0), alphas.get(1));
      assertThat(listed(alphaAdmin, "/workflows?all_applications=true", run))
          .containsExactlyInAnyOrder(
              "alpha-q" + run,
              alphas.get(0),
              alphas.get(1),
              "beta-q" + run,
              betas.get(0),
              betas.get(1));
    } finally {
      if (betaAside != null) {
        Files.move(betaAside, dropins(BETA));
      }
      if (controller.isStarted(CONTAINER)) {
        try {
          deployer.undeploy(ALPHA);
          deployer.undeploy(BETA);
        } finally {
          LibertyProcess.stop(controller, CONTAINER);
        }
      }
    }
  }

  /** The ids of this run's workflows an admin listing at {@code path} answers. */
  private static List<String> listed(AdminClient admin, String path, String run) throws Exception {
    HttpResponse<String> response = admin.post(path, "{\"load_input\": false}");
    assertThat(response.statusCode()).as("POST %s: %s", path, response.body()).isEqualTo(200);
    return AdminClient.array(response).stream()
        .map(v -> v.asJsonObject().getString("workflow_id"))
        .filter(id -> id.endsWith(run))
        .toList();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }

  /** Where Liberty's dropins keep the WAR of deployment {@code war}. */
  private static Path dropins(String war) {
    return Path.of(
        System.getProperty("liberty.wlp.home"),
        "usr",
        "servers",
        System.getProperty("liberty.server.name"),
        "dropins",
        war + ".war");
  }

  private static void call(String war, String id, boolean queue, boolean hold) throws Exception {
    HttpResponse<String> response =
        SampleServer.get("/" + war + "/two-apps?id=" + id + "&queue=" + queue + "&hold=" + hold);
    assertThat(response.statusCode()).as("%s: %s", id, response.body()).isEqualTo(200);
  }

  private static void awaitSuccess(String id) {
    await("SUCCESS of " + id)
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> SampleServer.workflowStatus(id), s -> s.equals(Optional.of("SUCCESS")));
  }

  /** The applications that ran the workflow's step, one per run, in order. */
  private static List<String> ranIn(String id) throws Exception {
    String runs =
        SampleServer.text(
            "SELECT string_agg(application, ',' ORDER BY run) FROM two_apps_runs"
                + " WHERE workflow_id = ?",
            id);
    return runs == null ? List.of() : List.of(runs.split(","));
  }

  private static String owner(String id) throws Exception {
    return SampleServer.text(
        "SELECT application_name FROM dbos.workflow_status WHERE workflow_uuid = ?", id);
  }
}
