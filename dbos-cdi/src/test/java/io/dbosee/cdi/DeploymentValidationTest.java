package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dbosee.DBOS;
import io.dbosee.Queue;
import io.dbosee.QueueName;
import io.dbosee.Step;
import io.dbosee.Transaction;
import io.dbosee.Workflow;
import io.dbosee.WorkflowQueue;
import io.dbosee.testing.TestPostgres;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.HashMap;
import java.util.Map;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every misuse stops the deployment with a message that names it and says how to fix it. */
class DeploymentValidationTest {
  private static final TestPostgres.Database DATABASE = TestPostgres.newDatabase();

  @AfterEach
  void release() {
    CdiTestSupport.releaseConfig();
  }

  private static Throwable deploy(Map<String, String> extra, Class<?>... beans) {
    Map<String, String> properties = new HashMap<>(CdiTestSupport.systemDatabase(DATABASE));
    properties.putAll(extra);
    Throwable failure =
        catchThrowable(
            () -> {
              try (WeldContainer ignored = CdiTestSupport.start(properties, beans)) {
                // started: no failure
              }
            });
    assertThat(failure).as("the deployment must fail").isNotNull();
    return failure;
  }

  private static Throwable deploy(Class<?>... beans) {
    return deploy(Map.of(), beans);
  }

  private static String messages(Throwable t) {
    StringBuilder all = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      all.append(c.getMessage()).append('\n');
      for (Throwable s : c.getSuppressed()) {
        all.append(s.getMessage()).append('\n');
      }
    }
    return all.toString();
  }

  @ApplicationScoped
  public static class PrivateStep {
    @Step
    void hidden() {}
  }

  @Test
  void aNonPublicStepIsRejected() {
    assertThat(messages(deploy(PrivateStep.class)))
        .contains("DBOS-CDI-001")
        .contains("PrivateStep.hidden()")
        .contains("Make it public");
  }

  @ApplicationScoped
  public static class StaticWorkflow {
    @Workflow
    public static void run() {}
  }

  @Test
  void aStaticWorkflowIsRejected() {
    assertThat(messages(deploy(StaticWorkflow.class))).contains("DBOS-CDI-002").contains("run()");
  }

  @ApplicationScoped
  public static class FinalStep {
    @Step
    public final void fixed() {}
  }

  @Test
  void aFinalStepIsRejected() {
    assertThat(messages(deploy(FinalStep.class))).contains("DBOS-CDI-003").contains("fixed()");
  }

  @RequestScoped
  public static class RequestWorkflow {
    @Workflow
    public void run() {}
  }

  @Test
  void aWorkflowOnABeanThatIsNotApplicationScopedIsRejected() {
    assertThat(messages(deploy(RequestWorkflow.class)))
        .contains("DBOS-CDI-004")
        .contains("RequestScoped")
        .contains("@ApplicationScoped");
  }

  @ApplicationScoped
  public static class Duplicates {
    @Workflow(name = "same")
    public void one() {}

    @Workflow(name = "same")
    public void two() {}
  }

  @Test
  void twoWorkflowsWithOneNameAreRejected() {
    assertThat(messages(deploy(Duplicates.class)))
        .contains("DBOS-CDI-005")
        .contains("'same'")
        .contains("@Workflow(name");
  }

  @ApplicationScoped
  public static class Both {
    @Workflow
    @Step
    public void confused() {}
  }

  @Test
  void aMethodThatIsBothWorkflowAndStepIsRejected() {
    assertThat(messages(deploy(Both.class))).contains("DBOS-CDI-006").contains("confused()");
  }

  @ApplicationScoped
  public static class TransactionalWorkflow {
    @Workflow
    @Transactional
    public void inOneTransaction() {}
  }

  @Test
  void aWorkflowInsideATransactionIsRejected() {
    assertThat(messages(deploy(TransactionalWorkflow.class)))
        .contains("DBOS-CDI-007")
        .contains("REQUIRED")
        .contains("inOneTransaction()");
  }

  @ApplicationScoped
  public static class Retrying {
    @Step(maxAttempts = 3)
    public void call() {}
  }

  @Test
  void anInvalidConfigurationValueIsRejectedWithItsKey() {
    String key = "dbos.step.\"" + Retrying.class.getName() + "/call\".max-attempts";

    assertThat(messages(deploy(Map.of(key, "0"), Retrying.class)))
        .contains("DBOS-CDI-008")
        .contains(key)
        .contains("at least 1");
    assertThat(messages(deploy(Map.of("dbos.step.backoff-rate", "fast"), Retrying.class)))
        .contains("DBOS-CDI-008")
        .contains("dbos.step.backoff-rate")
        .contains("fast");
  }

  @ApplicationScoped
  public static class Fine {
    @Inject DBOS dbos;

    @Workflow
    public void run() {}
  }

  @Test
  void aMissingSystemDatabaseIsReportedWithTheKeysToSet() {
    CdiTestSupport.useConfig(Map.of());
    Throwable failure =
        catchThrowable(
            () -> {
              try (WeldContainer ignored = CdiTestSupport.weld(Fine.class).initialize()) {
                // started: no failure
              }
            });

    assertThat(messages(failure))
        .contains("DBOS-CDI-010")
        .contains("dbos.system-database.datasource")
        .contains("dbos.system-database.url");
  }

  @Test
  void anInvalidSchemaNameIsRejected() {
    assertThat(messages(deploy(Map.of("dbos.system-database.schema", "dbos; drop"), Fine.class)))
        .contains("DBOS-CDI-008")
        .contains("dbos.system-database.schema");
    assertThat(messages(deploy(Map.of("dbos.system-database.schema", "pg_dbos"), Fine.class)))
        .contains("DBOS-CDI-008")
        .contains("not with 'pg_'");
  }

  @ApplicationScoped
  @Workflow
  public static class EverythingDurable {
    public void run() {}
  }

  @Test
  void aClassLevelAnnotationIsRejected() {
    assertThat(messages(deploy(EverythingDurable.class)))
        .contains("DBOS-CDI-015")
        .contains("EverythingDurable");
  }

  @ApplicationScoped
  public static class InjectsUnknownQueue {
    @Inject
    @QueueName("nowhere")
    Queue queue;
  }

  @Test
  void anInjectedQueueThatIsNotDeclaredIsRejected() {
    assertThat(messages(deploy(InjectsUnknownQueue.class)))
        .contains("DBOS-CDI-021")
        .contains("@QueueName(\"nowhere\")")
        .contains("@WorkflowQueue(name = \"nowhere\")");
  }

  @WorkflowQueue(name = "twice", concurrency = 1)
  @ApplicationScoped
  public static class DeclaresOnce {}

  @WorkflowQueue(name = "twice", concurrency = 2)
  @ApplicationScoped
  public static class DeclaresAgain {}

  @Test
  void aQueueDeclaredTwiceDifferentlyIsRejected() {
    assertThat(messages(deploy(DeclaresOnce.class, DeclaresAgain.class)))
        .contains("DBOS-CDI-020")
        .contains("'twice'")
        .contains("DeclaresOnce")
        .contains("DeclaresAgain");
  }

  @WorkflowQueue(name = "bad", concurrency = 2, workerConcurrency = 5)
  @ApplicationScoped
  public static class InconsistentQueue {}

  @Test
  void aQueueWithInconsistentLimitsIsRejected() {
    assertThat(messages(deploy(InconsistentQueue.class)))
        .contains("DBOS-CDI-022")
        .contains("worker concurrency 5 exceeds the global concurrency 2");
  }

  @Test
  void anInvalidQueueConfigurationValueIsRejected() {
    assertThat(
            messages(
                deploy(Map.of("dbos.queue.\"bad\".rate-limit-max", "-1"), InconsistentQueue.class)))
        .contains("dbos.queue.\"bad\".rate-limit-max")
        .contains("at least 0");
  }

  @Test
  void listeningToAnUndeclaredQueueIsRejected() {
    assertThat(messages(deploy(Map.of("dbos.listen-queues", "ghost"), DeclaresOnce.class)))
        .contains("DBOS-CDI-021")
        .contains("dbos.listen-queues names queue 'ghost'");
  }

  @ApplicationScoped
  public static class TransactionalTransaction {
    @Transaction
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void insert() {}
  }

  @Test
  void aTransactionStepThatIsAlsoTransactionalIsRejectedWithWhatToUseInstead() {
    assertThat(
            messages(
                deploy(
                    Map.of("dbos.application-database.datasource", "jdbc/app"),
                    TransactionalTransaction.class)))
        .contains("DBOS-CDI-016")
        .contains("TransactionalTransaction.insert()")
        .contains("@Transactional(REQUIRES_NEW)")
        .contains("Remove @Transactional")
        .contains("@Transaction(isolation = ...)");
  }

  @Transactional
  @ApplicationScoped
  public static class TransactionalClass {
    @Transaction
    public void insert() {}
  }

  @Test
  void aTransactionStepOnATransactionalClassIsRejected() {
    assertThat(
            messages(
                deploy(
                    Map.of("dbos.application-database.datasource", "jdbc/app"),
                    TransactionalClass.class)))
        .contains("DBOS-CDI-016")
        .contains("TransactionalClass.insert()");
  }

  @ApplicationScoped
  public static class TransactionWithoutModule {
    @Transaction
    public void insert() {}
  }

  @Test
  void aTransactionStepWithoutTheModuleThatRunsItOrAnApplicationDatabaseIsRejected() {
    assertThat(messages(deploy(TransactionWithoutModule.class)))
        .contains("DBOS-CDI-017")
        .contains("io.dbosee:dbos-jpa-datasource")
        .contains("DBOS-CDI-018")
        .contains("dbos.application-database.datasource");
  }

  @ApplicationScoped
  public static class StepAndTransaction {
    @Step
    @Transaction
    public void both() {}
  }

  @Test
  void aMethodThatIsBothStepAndTransactionIsRejected() {
    assertThat(messages(deploy(StepAndTransaction.class)))
        .contains("DBOS-CDI-006")
        .contains("StepAndTransaction.both()");
  }
}
