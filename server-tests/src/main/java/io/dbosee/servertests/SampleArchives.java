package io.dbosee.servertests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.ClassLoaderAsset;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The archives the tests deploy: the sample WAR, as it is or with the tests' configuration. */
final class SampleArchives {
  /** The name of the sample's deployment in the tests. */
  static final String DEPLOYMENT = "sample";

  private SampleArchives() {}

  /**
   * The sample WAR exactly as sample-war packaged it (the same file Open Liberty, WildFly and
   * Payara run), from the path failsafe sets in {@code sample.war}.
   */
  static WebArchive sampleWar() {
    File war = new File(System.getProperty("sample.war", "target/sample-war.war"));
    WebArchive archive = ShrinkWrap.createFromZipFile(WebArchive.class, war);
    assertThat(archive.getContent().keySet())
        .as("WEB-INF/lib of %s", war)
        .anyMatch(path -> path.get().matches("/WEB-INF/lib/dbos-cdi-.*\\.jar"))
        .anyMatch(path -> path.get().matches("/WEB-INF/lib/dbos-jpa-datasource-.*\\.jar"));
    return archive;
  }

  /** The sample with the tests' configuration (test-config.properties) in place of its own. */
  static WebArchive sampleWarWithTestConfig() {
    WebArchive war = sampleWar();
    String config = "WEB-INF/classes/META-INF/microprofile-config.properties";
    war.delete(config);
    war.add(new ClassLoaderAsset("test-config.properties"), config);
    return war;
  }

  /** The sample's libraries and a workflow that calls its own step through 'this'. */
  static WebArchive selfCallingWorkflow() {
    WebArchive war =
        ShrinkWrap.create(WebArchive.class, "self-call.war")
            .addClass(SelfCallingWorkflow.class)
            .addAsResource(
                new StringAsset("dbos.system-database.datasource=jdbc/dbosSystem\n"),
                "META-INF/microprofile-config.properties");
    for (var entry : sampleWar().getContent().entrySet()) {
      if (entry.getKey().get().startsWith("/WEB-INF/lib/") && entry.getValue().getAsset() != null) {
        war.add(entry.getValue().getAsset(), entry.getKey());
      }
    }
    return war;
  }
}
