package io.dbosee.cdi;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every misuse stops the deployment with a message that names it and says how to fix it. */
class DeploymentValidationTest {
  private static final TestPostgres.Database DATABASE = TestPostgres.newDatabase();

  @AfterEach
  void release() {
    CdiTestSupport.releaseConfig();
  }

  private static String deploy(Map<String, String> extra, Class<?>... beans) {
    Map<String, String> properties = new HashMap<>(CdiTestSupport.systemDatabase(DATABASE));
    properties.putAll(extra);
    return CdiTestSupport.deploymentFailure(properties, beans);
  }

  private static String deploy(Class<?>... beans) {
    return deploy(Map.of(), beans);
  }

  @ApplicationScoped
  public static class PrivateStep {
    @Step
    void hidden() {}
  }

  @Test
  void aNonPublicStepIsRejected() {
    assertThat(deploy(PrivateStep.class))
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
    assertThat(deploy(StaticWorkflow.class)).contains("DBOS-CDI-002").contains("run()");
  }

  @ApplicationScoped
  public static class FutureReturns {
    @Workflow
    public java.util.concurrent.Future<String> plainFuture() {
      return null;
    }

    @Step
    public java.util.concurrent.CompletionStage<String> stagedStep() {
      return null;
    }

    @Workflow
    public java.util.concurrent.CompletionStage<String> stagedWorkflow() {
      return null;
    }
  }

  @Test
  void aWorkflowMayReturnAStageButNoOtherFutureAndAStepNone() {
    String message = deploy(FutureReturns.class);
    assertThat(message)
        .contains("DBOS-CDI-093")
        .contains("plainFuture() is annotated @Workflow and returns java.util.concurrent.Future")
        .contains("Declare CompletionStage<T>")
        .contains(
            "stagedStep() is annotated @Step and returns java.util.concurrent.CompletionStage")
        .contains("Return the value itself")
        .doesNotContain("stagedWorkflow()");
  }

  @ApplicationScoped
  public static class FinalStep {
    @Step
    public final void fixed() {}
  }

  @Test
  void aFinalStepIsRejected() {
    assertThat(deploy(FinalStep.class)).contains("DBOS-CDI-003").contains("fixed()");
  }

  @RequestScoped
  public static class RequestWorkflow {
    @Workflow
    public void run() {}
  }

  @Test
  void aWorkflowOnABeanThatIsNotApplicationScopedIsRejected() {
    assertThat(deploy(RequestWorkflow.class))
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
    assertThat(deploy(Duplicates.class))
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
    assertThat(deploy(Both.class)).contains("DBOS-CDI-006").contains("confused()");
  }

  @ApplicationScoped
  public static class TransactionalWorkflow {
    @Workflow
    @Transactional
    public void inOneTransaction() {}
  }

  @Test
  void aWorkflowInsideATransactionIsRejected() {
    assertThat(deploy(TransactionalWorkflow.class))
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

    assertThat(deploy(Map.of(key, "0"), Retrying.class))
        .contains("DBOS-CDI-008")
        .contains(key)
        .contains("at least 1");
    assertThat(deploy(Map.of("dbos.step.backoff-rate", "fast"), Retrying.class))
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
    // No configuration at all.
    assertThat(CdiTestSupport.deploymentFailure(Map.of(), Fine.class))
        .contains("DBOS-CDI-010")
        .contains("dbos.system-database.datasource")
        .contains("dbos.system-database.url");
  }

  @Test
  void anEmptyOrOverlongApplicationNameIsRejectedWithWhatIsAllowed() {
    assertThat(deploy(Map.of("dbos.application-name", "   "), Fine.class))
        .contains("DBOS-CDI-091")
        .contains("dbos.application-name")
        .contains("1 to 128 characters");
    assertThat(deploy(Map.of("dbos.application-name", "x".repeat(129)), Fine.class))
        .contains("DBOS-CDI-091")
        .contains("129 characters")
        .contains("remove the key to claim no application");
  }

  @Test
  void invalidWaitAndFailoverSettingsAreRejectedWithWhatIsAllowed() {
    assertThat(deploy(Map.of("dbos.waits.thread-hold-seconds", "-5"), Fine.class))
        .contains("DBOS-CDI-008")
        .contains("dbos.waits.thread-hold-seconds")
        .contains("-1: waits never give their thread back");
    assertThat(deploy(Map.of("dbos.waits.max-held-threads", "-1"), Fine.class))
        .contains("DBOS-CDI-008")
        .contains("dbos.waits.max-held-threads")
        .contains("0 (every wait parks at once) or more (16 by default)");
    assertThat(deploy(Map.of("dbos.failover.lease-seconds", "0"), Fine.class))
        .contains("DBOS-CDI-008")
        .contains("dbos.failover.lease-seconds")
        .contains("at least 0.01");
    assertThat(deploy(Map.of("dbos.failover.enabled", "sometimes"), Fine.class))
        .contains("dbos.failover.enabled")
        .contains("true or false");
    assertThat(deploy(Map.of("dbos.queues.server-concurrency", "-1"), Fine.class))
        .contains("DBOS-CDI-008")
        .contains("dbos.queues.server-concurrency")
        .contains("0 (no limit) or more");
    assertThat(deploy(Map.of("dbos.system-database.start-outage-wait-seconds", "-1"), Fine.class))
        .contains("DBOS-CDI-008")
        .contains("dbos.system-database.start-outage-wait-seconds")
        .contains("0 (fail at once) or more (30 by default)");
  }

  @Test
  void everyOtherBadValueIsReportedInOneFailureWithItsKeyAndWhatIsAllowed() {
    Map<String, String> bad = new HashMap<>();
    bad.put("dbos.system-database.pool-size", "0");
    bad.put("dbos.executor-id", " ");
    bad.put("dbos.self-call-check", "maybe");
    bad.put("dbos.schedules.enabled", "yes");
    bad.put("dbos.system-database.migrate", "sometimes");
    bad.put("dbos.schedules.polling-interval-seconds", "often");
    bad.put("dbos.application-database.schema", "app-data");

    assertThat(deploy(bad, Fine.class))
        .contains("[DBOS-CDI-008] The configuration value of dbos.system-database.pool-size ('0')")
        .contains("an integer of at least 1")
        .contains("dbos.executor-id")
        .contains("dbos.self-call-check ('maybe')")
        .contains("'fail' or 'warn'")
        .contains("dbos.schedules.enabled ('yes')")
        .contains("dbos.system-database.migrate ('sometimes')")
        .contains("true or false")
        .contains("dbos.schedules.polling-interval-seconds ('often')")
        .contains("dbos.application-database.schema ('app-data')");
  }

  @Test
  void outboxSettingsThatCannotWorkAreRejectedWithWhatToSet() {
    assertThat(deploy(Map.of("dbos.outbox.mode", "eventually"), Fine.class))
        .contains("DBOS-CDI-008")
        .contains("dbos.outbox.mode ('eventually')")
        .contains("'atomic'")
        .contains("'separate'");
    assertThat(
            deploy(
                Map.of("dbos.outbox.mode", "separate", "dbos.outbox.datasource", "jdbc/app"),
                Fine.class))
        .contains("DBOS-CDI-008")
        .contains("dbos.outbox.mode=separate and dbos.outbox.datasource=jdbc/app");
    // Java SE: no JTA, so no caller ever runs in a transaction the outbox could join.
    assertThat(deploy(Map.of("dbos.outbox.datasource", "jdbc/app"), Fine.class))
        .contains("DBOS-CDI-098")
        .contains("dbos.outbox.datasource is set, but the server has no JTA");
  }

  @Test
  void aUrlThatIsNotForPostgresqlSaysWhatAUrlLooksLike() {
    assertThat(
            deploy(
                Map.of("dbos.system-database.url", "postgres://localhost:5432/app?password=x"),
                Fine.class))
        .contains("DBOS-CDI-014")
        .contains("jdbc:postgresql://")
        .doesNotContain("password=x");
  }

  @Test
  void anInvalidSchemaNameIsRejected() {
    assertThat(deploy(Map.of("dbos.system-database.schema", "dbos; drop"), Fine.class))
        .contains("DBOS-CDI-008")
        .contains("dbos.system-database.schema");
    assertThat(deploy(Map.of("dbos.system-database.schema", "pg_dbos"), Fine.class))
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
    assertThat(deploy(EverythingDurable.class))
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
    assertThat(deploy(InjectsUnknownQueue.class))
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
    assertThat(deploy(DeclaresOnce.class, DeclaresAgain.class))
        .contains("DBOS-CDI-020")
        .contains("'twice'")
        .contains("DeclaresOnce")
        .contains("DeclaresAgain");
  }

  @WorkflowQueue(name = "_dbos_internal_queue")
  @ApplicationScoped
  public static class DeclaresTheInternalQueue {}

  @Test
  void theDbosInternalQueueNameIsReserved() {
    assertThat(deploy(DeclaresTheInternalQueue.class))
        .contains("DBOS-CDI-050")
        .contains("'_dbos_internal_queue' is reserved");
  }

  @WorkflowQueue(name = "bad", concurrency = 2, workerConcurrency = 5)
  @ApplicationScoped
  public static class InconsistentQueue {}

  @Test
  void aQueueWithInconsistentLimitsIsRejected() {
    assertThat(deploy(InconsistentQueue.class))
        .contains("DBOS-CDI-022")
        .contains("worker concurrency 5 exceeds the global concurrency 2");
  }

  @Test
  void anInvalidQueueConfigurationValueIsRejected() {
    assertThat(deploy(Map.of("dbos.queue.\"bad\".rate-limit-max", "-1"), InconsistentQueue.class))
        .contains("dbos.queue.\"bad\".rate-limit-max")
        .contains("at least 0");
  }

  @WorkflowQueue(name = "flat", partitionConcurrency = 2)
  @ApplicationScoped
  public static class PartitionLimitOnFlatQueue {}

  @Test
  void aPartitionLimitOnAQueueThatIsNotPartitionedIsRejected() {
    assertThat(deploy(PartitionLimitOnFlatQueue.class))
        .contains("DBOS-CDI-081")
        .contains("queue 'flat' is not partitioned")
        .contains("partition-concurrency 2")
        .contains("partitioned = true")
        .doesNotContain("DBOS-CDI-022");
    assertThat(
            deploy(
                Map.of("dbos.queue.\"twice\".partition-rate-limit-max", "5"), DeclaresOnce.class))
        .contains("DBOS-CDI-081")
        .contains("queue 'twice' is not partitioned");
  }

  @WorkflowQueue(
      name = "tenants",
      partitioned = true,
      concurrency = 4,
      workerConcurrency = 2,
      partitionConcurrency = 1)
  @ApplicationScoped
  public static class PartitionedQueue {}

  @Test
  void negativePartitionLimitsAreRejectedWithWhatIsAllowed() {
    assertThat(
            deploy(
                Map.of("dbos.queue.\"tenants\".partition-concurrency", "-1"),
                PartitionedQueue.class))
        .contains("DBOS-CDI-082")
        .contains("queue 'tenants': partition-concurrency is -1")
        .contains("1 or more, or 0 for no limit")
        .contains("dbos.queue.\"tenants\".*");
    assertThat(
            deploy(
                Map.of("dbos.queue.\"tenants\".partition-worker-concurrency", "-3"),
                PartitionedQueue.class))
        .contains("DBOS-CDI-082")
        .contains("partition-worker-concurrency is -3");
  }

  @Test
  void aPartitionRateLimitNeedsBothItsMaxAndAPositivePeriod() {
    assertThat(
            deploy(
                Map.of("dbos.queue.\"tenants\".partition-rate-limit-max", "10"),
                PartitionedQueue.class))
        .contains("DBOS-CDI-082")
        .contains("a partition rate limit of 10 starts needs a positive period")
        .contains("partition-rate-limit-period-seconds");
    assertThat(
            deploy(
                Map.of(
                    "dbos.queue.\"tenants\".partition-rate-limit-max",
                    "10",
                    "dbos.queue.\"tenants\".partition-rate-limit-period-seconds",
                    "-2"),
                PartitionedQueue.class))
        .contains("DBOS-CDI-082")
        .contains("(it is -2.0 s)");
    assertThat(
            deploy(
                Map.of("dbos.queue.\"tenants\".partition-rate-limit-period-seconds", "30"),
                PartitionedQueue.class))
        .contains("DBOS-CDI-082")
        .contains(
            "partition-rate-limit-period-seconds is 30.0 s but partition-rate-limit-max is not set");
  }

  @Test
  void aPartitionLimitAboveTheLimitThatContainsItIsRejected() {
    assertThat(
            deploy(
                Map.of("dbos.queue.\"tenants\".partition-concurrency", "5"),
                PartitionedQueue.class))
        .contains("DBOS-CDI-082")
        .contains("partition-concurrency 5 exceeds concurrency 4");
    assertThat(
            deploy(
                Map.of("dbos.queue.\"tenants\".partition-worker-concurrency", "2"),
                PartitionedQueue.class))
        .contains("DBOS-CDI-082")
        .contains("partition-worker-concurrency 2 exceeds partition-concurrency 1");
    assertThat(
            deploy(
                Map.of(
                    "dbos.queue.\"tenants\".partition-concurrency", "0",
                    "dbos.queue.\"tenants\".partition-worker-concurrency", "3"),
                PartitionedQueue.class))
        .contains("DBOS-CDI-082")
        .contains("partition-worker-concurrency 3 exceeds worker-concurrency 2");
  }

  @Test
  void listeningToAnUndeclaredQueueIsRejected() {
    assertThat(deploy(Map.of("dbos.listen-queues", "ghost"), DeclaresOnce.class))
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
            deploy(
                Map.of("dbos.application-database.datasource", "jdbc/app"),
                TransactionalTransaction.class))
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
            deploy(
                Map.of("dbos.application-database.datasource", "jdbc/app"),
                TransactionalClass.class))
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
    assertThat(deploy(TransactionWithoutModule.class))
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
    assertThat(deploy(StepAndTransaction.class))
        .contains("DBOS-CDI-006")
        .contains("StepAndTransaction.both()");
  }
}
