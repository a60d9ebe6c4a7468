package io.dbosee.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class EngineConfigTest {
  private final EngineConfig defaults = new EngineConfig("server-1", "v1", "dbos");

  @Test
  void aWitherChangesOneValueAndKeepsEveryOther() {
    EngineConfig changed =
        defaults
            .withApplicationName("orders")
            .withMigrateSchema(false)
            .withMaxHeldWaits(3)
            .withThreadHold(Duration.ofSeconds(2));

    assertThat(changed)
        .isEqualTo(
            new EngineConfig(
                "server-1",
                "v1",
                "dbos",
                defaults.resultPollInterval(),
                Duration.ofSeconds(2),
                defaults.failoverLease(),
                defaults.queueServerConcurrency(),
                defaults.startOutageWait(),
                false,
                "orders",
                3));
    assertThat(defaults.maxHeldWaits()).isEqualTo(EngineConfig.DEFAULT_MAX_HELD_WAITS);
  }

  @Test
  void theBuilderValidatesWhatItBuilds() {
    assertThatThrownBy(() -> defaults.withMaxHeldWaits(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "maxHeldWaits must be zero (every wait parks at once) or more, got -1");
    assertThatThrownBy(() -> defaults.toBuilder().resultPollInterval(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("resultPollInterval must be positive");
    assertThat(defaults.withMaxHeldWaits(0).maxHeldWaits()).isZero();
  }
}
