package io.dbosee.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbosee.ListWorkflowsInput;
import io.dbosee.WorkflowStatus;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The management API of one of several applications on a system database, as the DBOS SDKs define
 * it: listings show this application's workflows and the unclaimed ones unless they name
 * applications or ask for all; an id reaches any application's workflow; retention and the global
 * timeout act on this application's and unclaimed workflows only.
 */
class ApplicationManagementTest {
  private final EngineHarness harness = new EngineHarness();

  private DBOSEngine alpha;
  private DBOSEngine beta;
  private DBOSEngine nameless;

  @AfterEach
  void stop() {
    harness.close();
  }

  private static WorkflowSpec echo() {
    return new WorkflowSpec("echo", String.class, new Class<?>[0], (engine, args) -> "done");
  }

  private DBOSEngine engine(String executorId, String name, WorkflowSpec workflow) {
    EngineConfig config = new EngineConfig(executorId, "v1", "dbos").withApplicationName(name);
    return harness.engine(config, Executors.newCachedThreadPool(), List.of(), workflow);
  }

  /**
   * Each of alpha, beta and a server with no name runs one workflow ({@code alpha-done}, ...) and
   * leaves one on a queue nobody listens to ({@code alpha-queued}, ...).
   */
  @BeforeEach
  void threeApplicationsEachWithAFinishedAndAQueuedWorkflow() throws Exception {
    WorkflowSpec onAlpha = echo();
    alpha = engine("server-a", "alpha", onAlpha);
    WorkflowSpec onBeta = echo();
    beta = engine("server-b", "beta", onBeta);
    WorkflowSpec onNameless = echo();
    nameless = engine("server-n", null, onNameless);
    runAndEnqueue(alpha, onAlpha, "alpha");
    runAndEnqueue(beta, onBeta, "beta");
    runAndEnqueue(nameless, onNameless, "open");
  }

  private static void runAndEnqueue(DBOSEngine engine, WorkflowSpec workflow, String prefix)
      throws Exception {
    engine.registerQueue(QueueDefinition.unlimited(prefix + "-queue"), false);
    workflow.callWithId(prefix + "-done");
    workflow.start(StartSpec.onQueue(prefix + "-queue").withWorkflowId(prefix + "-queued"));
  }

  private static List<String> ids(List<WorkflowStatus> statuses) {
    return statuses.stream().map(WorkflowStatus::workflowId).sorted().toList();
  }

  @Test
  void aListingShowsThisApplicationsAndUnclaimedWorkflowsByDefault() {
    assertThat(ids(alpha.management().listWorkflows(ListWorkflowsInput.ALL)))
        .containsExactly("alpha-done", "alpha-queued", "open-done", "open-queued");
    assertThat(ids(beta.management().listWorkflows(ListWorkflowsInput.ALL)))
        .containsExactly("beta-done", "beta-queued", "open-done", "open-queued");
    assertThat(ids(alpha.management().listQueuedWorkflows(ListWorkflowsInput.ALL)))
        .containsExactly("alpha-queued", "open-queued");
    assertThat(
            alpha.management().listWorkflows(ListWorkflowsInput.ALL.withName("echo")).stream()
                .map(WorkflowStatus::applicationName)
                .distinct()
                .sorted(Comparator.nullsFirst(String::compareTo))
                .toList())
        .containsExactly(null, "alpha");
  }

  @Test
  void aListingCanShowAllApplicationsOrNamedOnes() {
    assertThat(
            ids(alpha.management().listWorkflows(ListWorkflowsInput.ALL.withAllApplications(true))))
        .containsExactly(
            "alpha-done", "alpha-queued", "beta-done", "beta-queued", "open-done", "open-queued");
    assertThat(
            ids(
                alpha
                    .management()
                    .listQueuedWorkflows(ListWorkflowsInput.ALL.withAllApplications(true))))
        .containsExactly("alpha-queued", "beta-queued", "open-queued");
    assertThat(
            ids(
                alpha
                    .management()
                    .listWorkflows(ListWorkflowsInput.ALL.withApplicationNames("beta"))))
        .as("another application's, with the unclaimed ones, as the SDKs' applicationName filter")
        .containsExactly("beta-done", "beta-queued", "open-done", "open-queued");
    assertThat(ids(nameless.management().listWorkflows(ListWorkflowsInput.ALL)))
        .as("a server that names no application sees every one")
        .hasSize(6);
  }

  @Test
  void anIdReachesAnyApplicationsWorkflowUnlessTheListingNamesApplications() {
    assertThat(alpha.management().workflowStatus("beta-done")).isPresent();
    assertThat(
            ids(
                alpha
                    .management()
                    .listWorkflows(ListWorkflowsInput.ALL.withWorkflowIds("beta-done"))))
        .containsExactly("beta-done");
    assertThat(
            alpha
                .management()
                .listWorkflows(
                    ListWorkflowsInput.ALL
                        .withWorkflowIds("beta-done")
                        .withApplicationNames("alpha")))
        .isEmpty();
  }

  @Test
  void garbageCollectionDeletesOnlyThisApplicationsAndUnclaimedWorkflows() {
    assertThat(alpha.management().garbageCollect(Instant.now().plusSeconds(60), null))
        .as("alpha-done and open-done; the queued ones are unfinished")
        .isEqualTo(2);
    assertThat(harness.queryColumn("SELECT workflow_uuid FROM dbos.workflow_status"))
        .containsExactlyInAnyOrder("alpha-queued", "beta-done", "beta-queued", "open-queued");
  }

  @Test
  void garbageCollectionKeepsTheNewestRowsOfThisApplication() {
    // Beta's workflows are the newest; counted, they would push alpha's out of the kept window.
    harness.query(
        "UPDATE dbos.workflow_status SET created_at = created_at + 3600000"
            + " WHERE application_name = 'beta' RETURNING 1");

    assertThat(alpha.management().garbageCollect(null, 4)).isZero();
  }

  @Test
  void theGlobalTimeoutCancelsOnlyThisApplicationsAndUnclaimedWorkflows() {
    assertThat(alpha.management().cancelWorkflowsCreatedBefore(Instant.now().plusSeconds(60)))
        .containsExactlyInAnyOrder("alpha-queued", "open-queued");
    assertThat(harness.status("beta-queued")).isEqualTo("ENQUEUED");
  }

  @Test
  void namingApplicationsAndAskingForAllIsRefused() {
    assertThatThrownBy(
            () -> ListWorkflowsInput.ALL.withApplicationNames("beta").withAllApplications(true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[beta]")
        .hasMessageContaining("not both");
  }
}
