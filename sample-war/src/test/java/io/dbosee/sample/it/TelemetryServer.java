package io.dbosee.sample.it;

import java.nio.file.Path;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The sample with the test-only {@code inserver.TracedWorkflows} on the server with MicroProfile
 * Telemetry ({@code <test server name>Otel}, the {@code otel-server} execution in
 * sample-war/pom.xml), as a real process exporting its spans and metrics to an {@link
 * OtlpCollector} in this JVM, for a test class: the set-up of {@link TracingIT} and {@link
 * MetricsIT}, registered as a static {@code @RegisterExtension} field.
 */
final class TelemetryServer implements BeforeAllCallback, AfterAllCallback {
  private final String warName;
  private final String logName;
  private OtlpCollector collector;
  private SampleProcess server;

  /**
   * @param warName the file name the WAR is written to
   * @param logName where the first start's console goes, in target/
   */
  TelemetryServer(String warName, String logName) {
    this.warName = warName;
    this.logName = logName;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    collector = OtlpCollector.start();
    Path war = Path.of(System.getProperty("demo.postgres.dir")).resolveSibling(warName);
    SampleServer.sampleWarWithTracedWorkflows().as(ZipExporter.class).exportTo(war.toFile(), true);
    server = new SampleProcess(System.getProperty("otel.server.name"), war, true, "apps");
    startServer(logName);
  }

  /** Starts the server (again, after a kill), exporting to the collector. */
  void startServer(String log) throws Exception {
    server.start(log, collector.environment());
  }

  OtlpCollector collector() {
    return collector;
  }

  SampleProcess server() {
    return server;
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      if (collector != null) {
        collector.close();
      }
    }
  }
}
