package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbosee.DBOS;
import io.dbosee.DebounceOptions;
import io.dbosee.ListWorkflowsInput;
import io.dbosee.Workflow;
import io.dbosee.WorkflowHandle;
import io.dbosee.WorkflowQueue;
import io.dbosee.WorkflowState;
import io.dbosee.testing.TestPostgres;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Debouncing through the injectable {@code DBOS} bean, on Weld SE. */
class CdiDebounceTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** Long enough that the calls of one test, made one after the other, all fall within it. */
  private static final Duration PERIOD = Duration.ofSeconds(2);

  private final TestPostgres.Database database = TestPostgres.newDatabase();
  private WeldContainer container;
  private DBOS dbos;
  private Indexer indexer;

  @WorkflowQueue(name = "indexing", concurrency = 1)
  @ApplicationScoped
  public static class Indexer {
    static final List<String> RUNS = Collections.synchronizedList(new ArrayList<>());

    @Inject DBOS dbos;
    @Inject Indexer self;

    @Workflow
    public String reindex(String docId, String text) {
      RUNS.add(docId + ":" + text);
      return text;
    }

    @Workflow
    public void touch(String docId) {
      RUNS.add("touch " + docId);
    }

    /** Debounces from a workflow, in a step, as it must. */
    @Workflow
    public String debounceInStep(String text) {
      return dbos.runStep(
          "debounce",
          String.class,
          () -> dbos.debounce("from-step", PERIOD, () -> self.reindex("s", text)).workflowId());
    }

    /** Debounces from a workflow outside a step: refused. */
    @Workflow
    public String debounceOutsideStep(String text) {
      return dbos.debounce("outside", PERIOD, () -> self.reindex("o", text)).workflowId();
    }
  }

  @BeforeEach
  void start() {
    Indexer.RUNS.clear();
    container = CdiTestSupport.start(CdiTestSupport.systemDatabase(database), Indexer.class);
    dbos = container.select(DBOS.class).get();
    indexer = container.select(Indexer.class).get();
  }

  @AfterEach
  void stop() {
    container.close();
    CdiTestSupport.releaseConfig();
  }

  @Test
  void callsWithOneKeyRunTheWorkflowOnceWithTheLastArguments() {
    List<WorkflowHandle<String, RuntimeException>> handles = new ArrayList<>();
    for (String text : List.of("h", "he", "hello")) {
      handles.add(dbos.debounce("doc-1", PERIOD, () -> indexer.reindex("doc-1", text)));
    }
    WorkflowHandle<String, RuntimeException> other =
        dbos.debounce("doc-2", PERIOD, () -> indexer.reindex("doc-2", "x"));

    assertThat(handles)
        .extracting(WorkflowHandle::workflowId)
        .containsOnly(handles.get(0).workflowId());
    assertThat(handles.get(0).getStatus().state()).isEqualTo(WorkflowState.DELAYED);
    assertThat(handles.get(0).getResult(WAIT)).isEqualTo("hello");
    assertThat(other.getResult(WAIT)).isEqualTo("x");
    assertThat(Indexer.RUNS).containsExactlyInAnyOrder("doc-1:hello", "doc-2:x");
  }

  @Test
  void optionsGiveATimeoutAndAQueueAndAVoidWorkflowIsDebouncedToo() {
    DebounceOptions options =
        DebounceOptions.of("touch", Duration.ofDays(1))
            .withTimeout(Duration.ofMillis(500))
            .withQueue("indexing");

    WorkflowHandle<Void, RuntimeException> first = dbos.debounce(options, () -> indexer.touch("a"));
    WorkflowHandle<Void, RuntimeException> second =
        dbos.debounce(options, () -> indexer.touch("b"));

    assertThat(second.workflowId()).isEqualTo(first.workflowId());
    // A day's period, but the timeout starts it half a second after the first call.
    first.getResult(WAIT);
    assertThat(Indexer.RUNS).containsExactly("touch b");
    assertThat(first.getStatus().queueName()).isEqualTo("indexing");
  }

  @Test
  void inAWorkflowADebounceGoesInAStep() {
    String debounced = indexer.debounceInStep("from a workflow");
    assertThat(dbos.<String, RuntimeException>retrieveWorkflow(debounced).getResult(WAIT))
        .isEqualTo("from a workflow");

    assertThatThrownBy(() -> indexer.debounceOutsideStep("no"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("[DBOS-CDI-088]");
  }

  @Test
  void badInputIsRefusedWithItsCode() {
    assertThatThrownBy(() -> dbos.debounce("", PERIOD, () -> indexer.reindex("d", "t")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("[DBOS-CDI-085]");
    assertThatThrownBy(() -> dbos.debounce("k", Duration.ZERO, () -> indexer.reindex("d", "t")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("[DBOS-CDI-086]")
        .hasMessageContaining("PT0S");
    assertThatThrownBy(() -> DebounceOptions.of("k", PERIOD).withTimeout(Duration.ofDays(365)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("[DBOS-CDI-087]")
        .hasMessageContaining("PT8760H");
    assertThat(dbos.listQueuedWorkflows(ListWorkflowsInput.ALL)).isEmpty();
  }
}
