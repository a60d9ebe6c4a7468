package io.dbosee.benchmarks.dbosjava;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchDatabaseTest {
  private final Map<String, String> properties =
      new HashMap<>(
          Map.of(
              "bench.db.host", "db.example",
              "bench.db.port", "54321",
              "bench.db.user", "bench",
              "bench.db.password", "secret"));

  @Test
  void theUrlNamesTheContendersOwnDatabaseOnTheGivenServer() {
    BenchDatabase database = BenchDatabase.from(properties::get);

    assertThat(database.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:54321/bench_dbos_java");
    assertThat(database.user()).isEqualTo("bench");
    assertThat(database.password()).isEqualTo("secret");
  }

  @Test
  void aMissingPasswordIsTheEmptyOne() {
    properties.remove("bench.db.password");

    assertThat(BenchDatabase.from(properties::get).password()).isEmpty();
  }

  @Test
  void aMissingHostSaysWhichPropertiesTheServerMustPass() {
    properties.remove("bench.db.host");

    assertThatThrownBy(() -> BenchDatabase.from(properties::get))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("bench.db.host is not set")
        .hasMessageContaining("bench.db.port");
  }

  @Test
  void aPortThatIsNoNumberIsNamed() {
    properties.put("bench.db.port", "fivefour");

    assertThatThrownBy(() -> BenchDatabase.from(properties::get))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("bench.db.port is 'fivefour'");
  }
}
