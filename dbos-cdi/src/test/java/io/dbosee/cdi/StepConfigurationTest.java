package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbosee.Step;
import io.dbosee.Workflow;
import io.dbosee.testing.TestPostgres;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Step retry policies come from the annotation and can be overridden per method in config. */
class StepConfigurationTest {
  private static final TestPostgres.Database DATABASE = TestPostgres.newDatabase();

  @ApplicationScoped
  public static class Partner {
    static final AtomicInteger ATTEMPTS = new AtomicInteger();
    @Inject Partner self;

    @Workflow
    public String order(int failures) {
      return self.call(failures);
    }

    @Step(maxAttempts = 1, intervalSeconds = 0.001)
    public String call(int failures) {
      int attempt = ATTEMPTS.incrementAndGet();
      if (attempt <= failures) {
        throw new IllegalStateException("partner unavailable (attempt " + attempt + ")");
      }
      return "accepted on attempt " + attempt;
    }
  }

  @BeforeEach
  void reset() {
    Partner.ATTEMPTS.set(0);
  }

  @AfterEach
  void release() {
    CdiTestSupport.releaseConfig();
  }

  private static WeldContainer start(Map<String, String> extra) {
    Map<String, String> properties = new HashMap<>(CdiTestSupport.systemDatabase(DATABASE));
    properties.putAll(extra);
    return CdiTestSupport.start(properties, Partner.class);
  }

  @Test
  void theAnnotationSaysOneAttempt() {
    try (WeldContainer container = start(Map.of())) {
      assertThatThrownBy(() -> container.select(Partner.class).get().order(1))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("partner unavailable (attempt 1)");
    }
    assertThat(Partner.ATTEMPTS).hasValue(1);
  }

  @Test
  void aMethodKeyInConfigOverridesTheAnnotation() {
    String key = "dbos.step.\"" + Partner.class.getName() + "/call\".max-attempts";
    try (WeldContainer container = start(Map.of(key, "3"))) {
      assertThat(container.select(Partner.class).get().order(2)).isEqualTo("accepted on attempt 3");
    }
    assertThat(Partner.ATTEMPTS).hasValue(3);
  }

  @Test
  void theMethodKeyWinsOverTheClassAndGlobalKeys() {
    String method = "dbos.step.\"" + Partner.class.getName() + "/call\".max-attempts";
    String type = "dbos.step.\"" + Partner.class.getName() + "\".max-attempts";
    try (WeldContainer container =
        start(Map.of(method, "2", type, "5", "dbos.step.max-attempts", "9"))) {
      assertThatThrownBy(() -> container.select(Partner.class).get().order(4))
          .hasMessage("partner unavailable (attempt 2)");
    }
    assertThat(Partner.ATTEMPTS).hasValue(2);
  }

  @Test
  void aGlobalKeyAppliesToEveryStep() {
    try (WeldContainer container = start(Map.of("dbos.step.max-attempts", "4"))) {
      assertThat(container.select(Partner.class).get().order(3)).isEqualTo("accepted on attempt 4");
    }
  }
}
