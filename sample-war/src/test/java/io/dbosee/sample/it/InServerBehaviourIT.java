package io.dbosee.sample.it;

import static io.dbosee.sample.it.SampleServer.CONTAINER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dbosee.sample.it.inserver.SelfCallingWorkflow;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ArchivePath;
import org.jboss.shrinkwrap.api.Node;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What only a real server can show: JTA and request contexts, and Liberty's class loading. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class InServerBehaviourIT {
  private static final String PROBES = "probes";
  private static final String SELF_CALL = "self-call";

  @ArquillianResource ContainerController controller;
  @ArquillianResource Deployer deployer;

  @Deployment(name = PROBES, managed = false, testable = false)
  static WebArchive probes() {
    return SampleServer.sampleWarWithTestEndpoints();
  }

  /** A WAR with the library and a workflow that calls its own step through 'this'. */
  @Deployment(name = SELF_CALL, managed = false, testable = false)
  static WebArchive selfCall() {
    WebArchive sample = SampleServer.sampleWar();
    WebArchive war =
        ShrinkWrap.create(WebArchive.class, "self-call.war")
            .addClass(SelfCallingWorkflow.class)
            .addAsResource(
                new StringAsset("dbos.system-database.datasource=jdbc/dbosSystem\n"),
                "META-INF/microprofile-config.properties");
    for (var entry : sample.getContent().entrySet()) {
      ArchivePath path = entry.getKey();
      Node node = entry.getValue();
      if (path.get().startsWith("/WEB-INF/lib/") && node.getAsset() != null) {
        war.add(node.getAsset(), path);
      }
    }
    return war;
  }

  @BeforeEach
  void start() {
    controller.start(CONTAINER);
  }

  @AfterEach
  void stop() throws Exception {
    LibertyProcess.stop(controller, CONTAINER);
  }

  @Test
  void theWorkflowBodyGetsNeitherTheCallersTransactionNorItsRequestContextButAFreshOne()
      throws Exception {
    deployer.deploy(PROBES);
    try {
      HttpResponse<String> response = SampleServer.get("/test/probe");

      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertThat(response.body())
          .startsWith("caller-tx=true tx=false request-mark=")
          .contains("caller-mark-visible=false")
          .doesNotContain("id=none");
    } finally {
      deployer.undeploy(PROBES);
    }
  }

  /**
   * A caller with nothing to keep from the workflow (a managed executor's task: no request context,
   * no transaction) runs it on its own thread, in a request context of the workflow's own; inside a
   * JTA transaction the workflow runs on another managed thread, outside the transaction.
   */
  @Test
  void aWorkflowRunsOnItsCallersThreadOnlyWhenTheCallerHasNoTransactionAndNoRequestContext()
      throws Exception {
    deployer.deploy(PROBES);
    try {
      HttpResponse<String> response = SampleServer.get("/test/probe/from-task");

      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      String body = response.body();
      String callerThread = body.substring("caller-thread=".length(), body.indexOf(" | plain: "));
      String plain =
          body.substring(body.indexOf(" | plain: "), body.indexOf(" | in-transaction: "));
      String inTransaction = body.substring(body.indexOf(" | in-transaction: "));
      assertThat(callerThread).startsWith("Default Executor-thread-");
      assertThat(plain)
          .contains("tx=false request-mark=")
          .doesNotContain("id=none")
          .endsWith(" thread=" + callerThread);
      assertThat(inTransaction)
          .contains("caller-tx=true tx=false request-mark=")
          .doesNotContain("id=none")
          .doesNotEndWith(" thread=" + callerThread)
          .contains(" thread=Default Executor-thread-");
    } finally {
      deployer.undeploy(PROBES);
    }
  }

  @Test
  void aWorkflowCallingItsOwnStepThroughThisDoesNotDeploy() {
    Throwable failure = catchThrowable(() -> deployer.deploy(SELF_CALL));
    try {
      assertThat(failure).as("the deployment must fail").isNotNull();
      StringWriter trace = new StringWriter();
      failure.printStackTrace(new PrintWriter(trace));
      assertThat(trace.toString()).contains("DBOS-CDI-009").contains("checkout").contains("charge");
    } finally {
      // Also after the failed deployment: its WAR would stay in dropins, and every later start
      // of the test server would try (and fail) to deploy it again.
      try {
        deployer.undeploy(SELF_CALL);
      } catch (RuntimeException e) {
        if (failure == null) {
          throw e;
        }
      }
    }
  }

  @Test
  void aQueuedStepRunsOnTheServersManagedExecutorWhereJavaCompNamesResolve() throws Exception {
    deployer.deploy(PROBES);
    try {
      HttpResponse<String> response =
          SampleServer.get(
              "/test/queued-lookup?name=java:comp/DefaultManagedScheduledExecutorService");

      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      // Found from the queued step's thread: only the server's managed threads carry the
      // application's java:comp context.
      assertThat(response.body()).contains(" on Default Executor-thread-");
    } finally {
      deployer.undeploy(PROBES);
    }
  }
}
