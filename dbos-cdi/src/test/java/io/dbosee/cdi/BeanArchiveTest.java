package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbosee.DBOS;
import io.dbosee.internal.cdi.DBOSExtension;
import io.dbosee.internal.health.DBOSLiveness;
import io.dbosee.internal.health.DBOSReadiness;
import io.dbosee.testing.TestPostgres;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.jboss.weld.resources.ClassLoaderResourceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The library's jar as a bean archive, with its real {@code META-INF/beans.xml}: discovery finds
 * the two health checks (a server's health extension looks for them among the application's
 * archives) and nothing that the portable extension registers itself, so every bean exists once.
 */
class BeanArchiveTest {
  private final TestPostgres.Database database = TestPostgres.newDatabase();

  @AfterEach
  void releaseConfig() {
    CdiTestSupport.releaseConfig();
  }

  @Test
  void discoveryFindsTheHealthChecksAndNothingTheExtensionAddsItself() {
    CdiTestSupport.useConfig(CdiTestSupport.systemDatabase(database));
    try (WeldContainer container = discoveringOnlyTheLibrarysArchive().initialize()) {
      assertThat(container.select(HealthCheck.class, Readiness.Literal.INSTANCE).get())
          .isInstanceOf(DBOSReadiness.class);
      assertThat(container.select(HealthCheck.class, Liveness.Literal.INSTANCE).get())
          .isInstanceOf(DBOSLiveness.class);
      assertThat(container.select(DBOS.class).isResolvable())
          .as("the extension's beans are not discovered a second time")
          .isTrue();
      Set<Class<?>> discovered =
          container.getBeanManager().getBeans(Object.class, Any.Literal.INSTANCE).stream()
              .map(Bean::getBeanClass)
              .filter(type -> type.getName().startsWith("io.dbosee.internal.health."))
              .collect(Collectors.toSet());
      assertThat(discovered).containsExactlyInAnyOrder(DBOSLiveness.class, DBOSReadiness.class);
    }
  }

  /**
   * Weld SE with discovery, where the only {@code META-INF/beans.xml} is the library's, as in a
   * deployment whose other archives have none.
   */
  private static Weld discoveringOnlyTheLibrarysArchive() {
    URL libraryBeansXml = DBOSExtension.class.getProtectionDomain().getCodeSource().getLocation();
    ClassLoader parent = BeanArchiveTest.class.getClassLoader();
    ClassLoader onlyTheLibrary =
        new ClassLoader(parent) {
          @Override
          public Enumeration<URL> getResources(String name) throws IOException {
            if (name.equals("META-INF/beans.xml")) {
              return Collections.enumeration(
                  List.of(new URL(libraryBeansXml, "META-INF/beans.xml")));
            }
            return super.getResources(name);
          }
        };
    return new Weld()
        .containerId(null)
        .setResourceLoader(new ClassLoaderResourceLoader(onlyTheLibrary))
        .addBeanClasses(TestExecutor.class);
  }
}
