package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbosee.Workflow;
import io.dbosee.testing.TestPostgres;
import jakarta.enterprise.context.ApplicationScoped;
import java.lang.reflect.Proxy;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.stream.Collectors;
import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.OperationNotSupportedException;
import javax.naming.spi.InitialContextFactory;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server's path: the system database is a container DataSource found in JNDI ({@code
 * dbos.system-database.datasource}). DBOS then builds no pool of its own, so HikariCP (the URL
 * mode's pool) starts no thread inside the server. And in URL mode inside a server, the pool's
 * threads come from the server's managed thread factory.
 */
class CdiContainerDataSourceTest {
  private static final String NAME = "jdbc/dbosSystemForTest";
  private static final String POOL_THREADS = "dbos-system-database-";

  private final TestPostgres.Database database = TestPostgres.newDatabase();
  private final String factoryBefore = System.getProperty(Context.INITIAL_CONTEXT_FACTORY);
  private WeldContainer container;

  /** A naming context that knows the names a test binds. */
  public static final class Naming implements InitialContextFactory {
    static final Map<String, Object> BOUND = new ConcurrentHashMap<>();

    @Override
    public Context getInitialContext(Hashtable<?, ?> environment) {
      return (Context)
          Proxy.newProxyInstance(
              Naming.class.getClassLoader(),
              new Class<?>[] {Context.class},
              (proxy, method, args) -> {
                switch (method.getName()) {
                  case "lookup":
                    Object bound = BOUND.get(String.valueOf(args[0]));
                    if (bound != null) {
                      return bound;
                    }
                    throw new NameNotFoundException(String.valueOf(args[0]));
                  case "close":
                    return null;
                  default:
                    throw new OperationNotSupportedException(method.getName());
                }
              });
    }
  }

  @ApplicationScoped
  public static class Greeter {
    @Workflow
    public String greet(String name) {
      return "hello " + name;
    }
  }

  @AfterEach
  void stop() {
    if (container != null) {
      container.close();
    }
    CdiTestSupport.releaseConfig();
    if (factoryBefore == null) {
      System.clearProperty(Context.INITIAL_CONTEXT_FACTORY);
    } else {
      System.setProperty(Context.INITIAL_CONTEXT_FACTORY, factoryBefore);
    }
    Naming.BOUND.clear();
  }

  @Test
  void aContainerDataSourceRunsWorkflowsWithoutAPoolThread() {
    Set<String> before = poolThreads();
    Naming.BOUND.put(NAME, database.dataSource());
    System.setProperty(Context.INITIAL_CONTEXT_FACTORY, Naming.class.getName());

    container =
        CdiTestSupport.start(Map.of("dbos.system-database.datasource", NAME), Greeter.class);
    Greeter greeter = container.select(Greeter.class).get();

    assertThat(greeter.greet("container")).isEqualTo("hello container");
    assertThat(database.query("SELECT count(*) FROM dbos.workflow_status")).isEqualTo("1");
    assertThat(poolThreads()).as("threads of a pool built here").isSubsetOf(before);
  }

  /** Without this, a check that never saw a pool thread would pass for nothing. */
  @Test
  void theUrlModeHasItsPoolThread() {
    Set<String> before = poolThreads();

    container = CdiTestSupport.start(CdiTestSupport.systemDatabase(database), Greeter.class);

    assertThat(container.select(Greeter.class).get().greet("url")).isEqualTo("hello url");
    assertThat(poolThreads()).as("HikariCP's housekeeper").anyMatch(name -> !before.contains(name));
  }

  @Test
  void inAServerTheUrlModesPoolThreadsComeFromTheManagedThreadFactory() {
    Set<String> before = poolThreads();
    List<Thread> made = new CopyOnWriteArrayList<>();
    ThreadFactory managed =
        task -> {
          Thread thread = new Thread(task, "managed-" + made.size());
          thread.setDaemon(true);
          made.add(thread);
          return thread;
        };
    Naming.BOUND.put("java:comp/DefaultManagedThreadFactory", managed);
    System.setProperty(Context.INITIAL_CONTEXT_FACTORY, Naming.class.getName());

    container = CdiTestSupport.start(CdiTestSupport.systemDatabase(database), Greeter.class);

    assertThat(container.select(Greeter.class).get().greet("url")).isEqualTo("hello url");
    assertThat(made).as("HikariCP's housekeeper and connection adder").isNotEmpty();
    assertThat(poolThreads()).as("threads HikariCP made itself").isSubsetOf(before);
  }

  private static Set<String> poolThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(name -> name.startsWith(POOL_THREADS))
        .collect(Collectors.toSet());
  }
}
