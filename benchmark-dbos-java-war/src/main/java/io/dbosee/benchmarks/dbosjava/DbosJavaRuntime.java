package io.dbosee.benchmarks.dbosjava;

import dev.dbos.transact.DBOS;
import dev.dbos.transact.config.DBOSConfig;
import dev.dbos.transact.txstep.JdbcStepFactory;
import dev.dbos.transact.workflow.Queue;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * DBOS Java's one instance in this application, set up as its documentation shows: configured with
 * the system database's URL, the workflows registered as a proxy, the transactional step factory
 * made and the queue registered, all before {@code launch()}; launched when the application starts
 * and closed when it stops (which stops the SDK's own threads and its connection pool, so that a
 * redeploy starts afresh). Everything else (pool, executor threads, queue polling) is left at the
 * SDK's defaults.
 */
@ApplicationScoped
public class DbosJavaRuntime {
  private static final Logger LOG = Logger.getLogger(DbosJavaRuntime.class.getName());

  /** The queue of the enqueue endpoint, at the SDK's default settings. */
  static final Queue QUEUE = new Queue("bench-queue");

  /** The application's database (bench_orders), a container DataSource as a Jakarta team has. */
  @Resource(lookup = "jdbc/benchDbosJava")
  private DataSource application;

  private DBOS dbos;
  private BenchWorkflows workflows;

  void start(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
    // MicroProfile Config sees the bench.db.* properties wherever the server has them: Liberty
    // variables (server.xml, bootstrap.properties), system properties, environment variables.
    Config settings = ConfigProvider.getConfig();
    BenchDatabase database =
        BenchDatabase.from(name -> settings.getOptionalValue(name, String.class).orElse(null));
    createOrdersTable();
    JdbcDrivers.registerPostgresql();
    DBOSConfig config =
        DBOSConfig.defaults("bench-dbos-java")
            .withDatabaseUrl(database.jdbcUrl())
            .withDbUser(database.user())
            .withDbPassword(database.password());
    dbos = new DBOS(config);
    JdbcStepFactory transactions = new JdbcStepFactory(dbos, application);
    workflows =
        dbos.registerProxy(BenchWorkflows.class, new BenchWorkflowsImpl(dbos, transactions));
    dbos.registerQueue(QUEUE);
    dbos.launch();
    LOG.info("DBOS Java " + DBOS.version() + " launched on " + database.jdbcUrl());
  }

  @PreDestroy
  void stop() {
    if (dbos != null) {
      dbos.close();
      LOG.info("DBOS Java closed");
    }
    JdbcDrivers.deregisterOwn();
  }

  DBOS dbos() {
    return dbos;
  }

  BenchWorkflows workflows() {
    return workflows;
  }

  /**
   * The application's table. Its database must exist already: DBOS Java would create it at launch,
   * but the step factory, made before launch, reaches it through the DataSource first.
   */
  private void createOrdersTable() {
    try (Connection c = application.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS bench_orders (id TEXT PRIMARY KEY, amount INT)");
    } catch (SQLException e) {
      throw new IllegalStateException(
          "could not create bench_orders through jdbc/benchDbosJava: create the database "
              + BenchDatabase.DATABASE
              + " before deploying and check the DataSource ("
              + e.getMessage()
              + ")",
          e);
    }
  }
}
