package io.dbosee.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import io.dbosee.internal.engine.db.ApplicationVersions;
import io.dbosee.internal.engine.db.SystemSchema;
import io.dbosee.testing.LogCapture;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code application_versions} rows a starting server writes, as the DBOS SDKs write theirs at
 * launch: one per application and version name, an unclaimed one claimed in place, a name another
 * application holds left to it.
 */
class ApplicationVersionRowsTest {
  private final EngineHarness harness = new EngineHarness();

  @AfterEach
  void stop() {
    harness.close();
  }

  private DBOSEngine engine(String executorId, String version, String name) {
    EngineConfig config = new EngineConfig(executorId, version, "dbos").withApplicationName(name);
    WorkflowSpec noop = new WorkflowSpec("noop", String.class, new Class<?>[0], (e, a) -> "ok");
    return harness.engine(config, Executors.newCachedThreadPool(), List.of(), noop);
  }

  private List<String> rows() {
    return harness.queryColumn(
        "SELECT COALESCE(application_name, '-') || ' ' || version_name"
            + " FROM dbos.application_versions ORDER BY 1");
  }

  @Test
  void eachApplicationRegistersItsVersionOnce() {
    engine("a1", "v1", "alpha");
    engine("a2", "v1", "alpha"); // another server of the same application and version
    engine("b1", "v2", "beta");
    engine("n1", "v3", null);

    assertThat(rows()).containsExactly("- v3", "alpha v1", "beta v2");
  }

  @Test
  void anUnclaimedRowOfItsVersionIsClaimedInPlace() {
    SystemSchema.migrate(harness.dataSource(), "dbos");
    harness.query(
        "INSERT INTO dbos.application_versions (version_id, version_name, version_timestamp)"
            + " VALUES ('old-id', 'v1', 5) RETURNING version_id");

    engine("a1", "v1", "alpha");

    assertThat(rows()).containsExactly("alpha v1");
    assertThat(
            harness.query(
                "SELECT version_id || ' ' || version_timestamp FROM dbos.application_versions"))
        .as("the same row, not a new one: its time still says when the version came")
        .isEqualTo("old-id 5");
  }

  @Test
  void aVersionNameAnotherApplicationHoldsIsLeftToItWithAWarning() {
    engine("a1", "v1", "alpha");

    try (LogCapture log = new LogCapture(ApplicationVersions.class)) {
      engine("b1", "v1", "beta");

      assertThat(log.messages())
          .containsExactly(
              "Application version 'v1' is already registered by application 'alpha' in this"
                  + " system database, so application 'beta' records none: the DBOS SDKs refuse"
                  + " two applications one version name. Set a dbos.application-version of its"
                  + " own for 'beta'.");
    }
    assertThat(rows()).containsExactly("alpha v1");
  }

  @Test
  void aServerOfAVersionThatIsNoLongerTheLatestSaysWhichIs() {
    SystemSchema.migrate(harness.dataSource(), "dbos");
    harness.query(
        "INSERT INTO dbos.application_versions (version_id, version_name, version_timestamp,"
            + " application_name) VALUES ('v1-id', 'v1', 5, 'alpha') RETURNING version_id");
    engine("a2", "v2", "alpha");

    try (LogCapture log = new LogCapture(ApplicationVersions.class)) {
      engine("a1", "v1", "alpha");

      assertThat(log.messages())
          .containsExactly(
              "Application version 'v1' is not the latest one registered for application"
                  + " 'alpha': 'v2' is.");
    }
  }
}
