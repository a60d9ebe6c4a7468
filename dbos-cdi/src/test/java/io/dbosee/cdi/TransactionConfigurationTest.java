package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dbosee.DBOS;
import io.dbosee.Transaction;
import io.dbosee.TransactionOptions;
import io.dbosee.internal.cdi.ApplicationDatasource;
import io.dbosee.internal.cdi.DBOSRuntime;
import io.dbosee.testing.TestPostgres;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import java.util.HashMap;
import java.util.Map;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A {@code @Transaction} method's isolation level comes from the annotation and can be overridden
 * per method, per class or globally in config, resolved once at deployment, and so is the
 * datasource it names. A stand-in interceptor (the real one is in dbos-jpa-datasource) reports what
 * was prepared.
 */
class TransactionConfigurationTest {
  private static final TestPostgres.Database DATABASE = TestPostgres.newDatabase();

  @ApplicationScoped
  public static class Ledger {
    @Transaction
    public String byDefault() {
      return "ran";
    }

    @Transaction(isolation = Transaction.Isolation.REPEATABLE_READ, name = "post")
    public String annotated() {
      return "ran";
    }
  }

  @ApplicationScoped
  public static class OrdersLedger {
    @Transaction(datasource = "orders")
    public String ship() {
      return "ran";
    }
  }

  /** Answers with the prepared definition instead of running the method. */
  @Transaction
  @Interceptor
  @Priority(Interceptor.Priority.PLATFORM_BEFORE + 100)
  public static class Reporter {
    @Inject DBOSRuntime runtime;

    @AroundInvoke
    public Object report(InvocationContext context) {
      var definition = runtime.transaction(context.getMethod());
      return definition.step().name()
          + " "
          + definition.isolation()
          + (definition.datasource().isEmpty() ? "" : " on " + definition.datasource());
    }
  }

  @AfterEach
  void release() {
    CdiTestSupport.releaseConfig();
  }

  private static WeldContainer start(Map<String, String> extra) {
    Map<String, String> properties = new HashMap<>(CdiTestSupport.systemDatabase(DATABASE));
    properties.put("dbos.application-database.datasource", "jdbc/app");
    properties.putAll(extra);
    return CdiTestSupport.start(properties, Ledger.class, Reporter.class);
  }

  @Test
  void theDefaultIsSerializableAndTheAnnotationCanChooseAnotherLevelAndName() {
    try (WeldContainer container = start(Map.of())) {
      Ledger ledger = container.select(Ledger.class).get();
      assertThat(ledger.byDefault()).isEqualTo("byDefault SERIALIZABLE");
      assertThat(ledger.annotated()).isEqualTo("post REPEATABLE_READ");
    }
  }

  @Test
  void theMethodKeyWinsOverTheClassKeyWhichWinsOverTheGlobalKey() {
    String method = "dbos.transaction.\"" + Ledger.class.getName() + "/annotated\".isolation";
    String type = "dbos.transaction.\"" + Ledger.class.getName() + "\".isolation";
    try (WeldContainer container =
        start(
            Map.of(
                method,
                "read-committed",
                type,
                "serializable",
                "dbos.transaction.isolation",
                "repeatable-read"))) {
      Ledger ledger = container.select(Ledger.class).get();
      assertThat(ledger.annotated()).isEqualTo("post READ_COMMITTED");
      assertThat(ledger.byDefault()).isEqualTo("byDefault SERIALIZABLE");
    }
  }

  @Test
  void theGlobalKeyOverridesTheAnnotation() {
    try (WeldContainer container = start(Map.of("dbos.transaction.isolation", "READ_COMMITTED"))) {
      assertThat(container.select(Ledger.class).get().annotated()).isEqualTo("post READ_COMMITTED");
    }
  }

  @Test
  void anUnknownIsolationLevelFailsTheDeploymentWithItsKey() {
    Throwable failure =
        catchThrowable(() -> start(Map.of("dbos.transaction.isolation", "snapshot")).close());
    assertThat(failure).isNotNull();
    StringBuilder all = new StringBuilder();
    for (Throwable c = failure; c != null; c = c.getCause()) {
      all.append(c.getMessage());
    }
    assertThat(all.toString())
        .contains("DBOS-CDI-008")
        .contains("dbos.transaction.isolation")
        .contains("read-committed, repeatable-read or serializable");
  }

  @Test
  void aStepNamesItsDatasourceAndEveryDeclaredDatasourceIsPreparedWithItsSchema() {
    try (WeldContainer container =
        CdiTestSupport.start(
            Map.of(
                "dbos.system-database.url",
                DATABASE.jdbcUrl(),
                "dbos.system-database.user",
                DATABASE.user(),
                "dbos.system-database.password",
                DATABASE.password(),
                "dbos.datasource.\"orders\".jndi-name",
                "jdbc/orders",
                "dbos.datasource.\"billing\".jndi-name",
                "jdbc/billing",
                "dbos.datasource.\"billing\".schema",
                "ledger"),
            OrdersLedger.class,
            Reporter.class)) {
      assertThat(container.select(OrdersLedger.class).get().ship())
          .isEqualTo("ship SERIALIZABLE on orders");
      assertThat(container.select(DBOSRuntime.class).get().datasources())
          .as("no default: no @Transaction method needs one")
          .containsOnly(
              Map.entry(
                  "orders",
                  new ApplicationDatasource(
                      "orders", "jdbc/orders", "dbos", "dbos.datasource.\"orders\".jndi-name")),
              Map.entry(
                  "billing",
                  new ApplicationDatasource(
                      "billing",
                      "jdbc/billing",
                      "ledger",
                      "dbos.datasource.\"billing\".jndi-name")));
    }
  }

  @Test
  void theProgrammaticStepWithoutTheJpaModuleSaysWhichModuleToAdd() {
    try (WeldContainer container = start(Map.of())) {
      DBOS dbos = container.select(DBOS.class).get();

      assertThatThrownBy(() -> dbos.runTransaction("post", TransactionOptions.DEFAULT, () -> {}))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("[DBOS-CDI-017] runTransaction('post') needs the")
          .hasMessageContaining("io.dbosee:dbos-jpa-datasource");
      assertThatThrownBy(
              () -> dbos.runTransaction(" ", TransactionOptions.DEFAULT, String.class, () -> "x"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("needs a name");
    }
  }
}
