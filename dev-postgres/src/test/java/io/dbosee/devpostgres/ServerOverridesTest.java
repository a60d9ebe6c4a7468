package io.dbosee.devpostgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerOverridesTest {
  @Test
  void theSecondArgumentsNameChoosesTheServersFormat() {
    assertThat(ServerOverrides.forTarget(Path.of("target/liberty/wlp/usr/servers/dev")))
        .isEqualTo(ServerOverrides.LIBERTY);
    assertThat(ServerOverrides.forTarget(Path.of("target/dev-postgres.properties")))
        .isEqualTo(ServerOverrides.WILDFLY);
    assertThat(ServerOverrides.forTarget(Path.of("target/dev-postgres.asadmin")))
        .isEqualTo(ServerOverrides.PAYARA);
  }

  @Test
  void libertyGetsAConfigDropinsOverrideAndWildFlyItsPropertiesFile() {
    Path server = Path.of("/servers/dev");

    assertThat(ServerOverrides.LIBERTY.file(server))
        .isEqualTo(server.resolve("configDropins/overrides/dev-postgres.xml"));
    assertThat(ServerOverrides.LIBERTY.embedded(5433, "dbos_sample", "postgres"))
        .contains("<variable name=\"postgres.port\" value=\"5433\"/>")
        .contains("<variable name=\"postgres.database\" value=\"dbos_sample\"/>");
    assertThat(ServerOverrides.WILDFLY.embedded(5433, "dbos_sample", "postgres"))
        .contains("\npostgres.host=localhost\npostgres.port=5433\n")
        .contains("\npostgres.database=dbos_sample\npostgres.user=postgres\n");
  }

  @Test
  void payaraGetsOneAsadminCommandSettingTheSystemProperties() {
    assertThat(ServerOverrides.PAYARA.embedded(5433, "dbos_sample", "postgres"))
        .startsWith("# ")
        .endsWith(
            "\ncreate-system-properties postgres.host=localhost:postgres.port=5433"
                + ":postgres.database=dbos_sample:postgres.user=postgres\n");
  }

  @Test
  void withPostgresHostPayaraGetsTheVariablesValuesEscapedForAsadmin() {
    String file =
        ServerOverrides.PAYARA
            .external(
                Map.of(
                    "POSTGRES_HOST", "db.example",
                    "POSTGRES_USER", "app",
                    "POSTGRES_PASSWORD", "a:b=c"))
            .orElseThrow();

    assertThat(file)
        .endsWith(
            "\ncreate-system-properties postgres.host=db.example:postgres.port=5432"
                + ":postgres.database=dbos_sample:postgres.user=app"
                + ":postgres.password=a\\:b\\=c\n");
  }

  @Test
  void withPostgresHostLibertyNeedsNoFileAndWildFlyAnEmptyOne() {
    Map<String, String> environment = Map.of("POSTGRES_HOST", "db.example");

    assertThat(ServerOverrides.LIBERTY.external(environment)).isEmpty();
    assertThat(ServerOverrides.WILDFLY.external(environment)).get().asString().startsWith("#");
  }
}
