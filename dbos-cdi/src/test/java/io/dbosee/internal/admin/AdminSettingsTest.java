package io.dbosee.internal.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

class AdminSettingsTest {
  private static Config config(Map<String, String> properties) {
    return new SmallRyeConfigBuilder()
        .withSources(new PropertiesConfigSource(properties, "test", 500))
        .build();
  }

  @Test
  void theEndpointsAreOnAtDbosAdminForTheRoleDbosAdminByDefault() {
    assertThat(AdminSettings.from(config(Map.of())))
        .isEqualTo(new AdminSettings(true, "/dbos-admin", "dbos-admin"));
  }

  @Test
  void pathRoleAndSwitchComeFromConfiguration() {
    assertThat(
            AdminSettings.from(
                config(
                    Map.of(
                        "dbos.admin.path", "/ops/dbos",
                        "dbos.admin.role", "operators",
                        "dbos.admin.enabled", "false"))))
        .isEqualTo(new AdminSettings(false, "/ops/dbos", "operators"));
  }

  @Test
  void aPathThatIsNotAPlainPathStopsTheDeploymentWithWhatToWrite() {
    for (String bad : new String[] {"dbos-admin", "/dbos-admin/", "/dbos/*", "/a//b", "/a b"}) {
      assertThatThrownBy(() -> AdminSettings.from(config(Map.of("dbos.admin.path", bad))))
          .as(bad)
          .hasMessageContaining("[DBOS-CDI-040]")
          .hasMessageContaining("/dbos-admin");
    }
  }

  @Test
  void anEmptyRoleStopsTheDeployment() {
    assertThatThrownBy(() -> AdminSettings.from(config(Map.of("dbos.admin.role", " "))))
        .hasMessageContaining("[DBOS-CDI-041]")
        .hasMessageContaining("dbos.admin.enabled=false");
  }

  @Test
  void aSwitchThatIsNeitherTrueNorFalseStopsTheDeploymentInsteadOfReadingAsFalse() {
    for (String bad : new String[] {"yes", "tru", "1", "off"}) {
      assertThatThrownBy(() -> AdminSettings.from(config(Map.of("dbos.admin.enabled", bad))))
          .as(bad)
          .hasMessageContaining("[DBOS-CDI-008]")
          .hasMessageContaining("dbos.admin.enabled")
          .hasMessageContaining("'" + bad + "'")
          .hasMessageContaining("true or false");
    }
    assertThat(AdminSettings.from(config(Map.of("dbos.admin.enabled", " TRUE "))).enabled())
        .isTrue();
  }
}
