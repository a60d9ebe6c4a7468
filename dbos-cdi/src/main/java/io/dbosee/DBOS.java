package io.dbosee;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The durable-execution API, injectable anywhere: {@code @Inject DBOS dbos}.
 *
 * <pre>{@code
 * @Workflow
 * public String greet(String name) {
 *   self.signGuestbook(name);                     // an annotated @Step
 *   dbos.sleep(Duration.ofSeconds(5));            // durable: a restart sleeps only the rest
 *   String id = dbos.runStep("mint-id", String.class, () -> UUID.randomUUID().toString());
 *   return "Thank you for being awesome, " + name + "! (" + id + ")";
 * }
 *
 * // The caller chooses the id: calling again with it returns the recorded result.
 * try (var scope = dbos.withWorkflowId("greet-" + requestId)) {
 *   greetings.greet("Mike");
 * }
 * }</pre>
 *
 * <p>Pitfalls: the methods that make durable records ({@link #runStep}, {@link #sleep}) are durable
 * only when called from inside a workflow; outside one they are plain calls.
 */
public interface DBOS {

  /**
   * Runs {@code body} as a durable step named {@code name}: inside a workflow its outcome is
   * checkpointed and replayed; outside a workflow, or inside another step, it is a plain call. The
   * result is recorded as JSON and read back as {@code resultType} on replay, which is why the type
   * is needed (for a generic result, return a record that holds it).
   *
   * @throws X whatever the body throws, also when a recorded failure is replayed
   */
  <T, X extends Exception> T runStep(
      String name, Class<T> resultType, CheckedSupplier<? extends T, X> body) throws X;

  /** Like {@link #runStep(String, Class, CheckedSupplier)}, retrying as {@code options} say. */
  <T, X extends Exception> T runStep(
      String name, StepOptions options, Class<T> resultType, CheckedSupplier<? extends T, X> body)
      throws X;

  /** Runs {@code body}, which has no result, as a durable step named {@code name}. */
  <X extends Exception> void runStep(String name, CheckedRunnable<X> body) throws X;

  /** Like {@link #runStep(String, CheckedRunnable)}, retrying as {@code options} say. */
  <X extends Exception> void runStep(String name, StepOptions options, CheckedRunnable<X> body)
      throws X;

  /**
   * Sleeps durably: inside a workflow the wake-up time is recorded before sleeping, so after a
   * restart the workflow sleeps only what remains. Outside a workflow it is a plain sleep.
   */
  void sleep(Duration duration);

  /**
   * Gives the next workflow started on this thread inside the returned scope the id {@code
   * workflowId}. Calling a workflow again with the id of a finished one returns its recorded result
   * (or rethrows its recorded exception) without running it; concurrent calls with one id run the
   * body once.
   *
   * <pre>{@code
   * try (var scope = dbos.withWorkflowId("payment-" + paymentId)) {
   *   payments.pay(paymentId);
   * }
   * }</pre>
   */
  WorkflowIdScope withWorkflowId(String workflowId);

  /**
   * Starts the workflow that {@code call} calls in the background, on the server's managed
   * executor, and returns its handle at once. The workflow is recorded before this returns, so it
   * runs (or resumes after a crash) even if the caller goes away. Give it an id with {@link
   * #withWorkflowId}; starting an id that exists returns a handle to that workflow.
   *
   * <pre>{@code
   * WorkflowHandle<String, RuntimeException> handle = dbos.startWorkflow(() -> greetings.greet("Mike"));
   * String greeting = handle.getResult();
   * }</pre>
   *
   * <p>Pitfalls: {@code call} must call exactly one {@code @Workflow} (or {@code @Step}: it then
   * runs as a one-step workflow) through a CDI reference, and nothing else; the call is recorded,
   * not run, and it returns {@code null} (or zero) to the lambda. Inside a workflow, the start is
   * durable: a replay returns the same child workflow instead of starting another.
   *
   * @throws IllegalArgumentException if {@code call} calls no workflow or step
   */
  <T, X extends Exception> WorkflowHandle<T, X> startWorkflow(CheckedSupplier<T, X> call);

  /** Like {@link #startWorkflow(CheckedSupplier)}, for a workflow (or step) without a result. */
  <X extends Exception> WorkflowHandle<Void, X> startWorkflow(CheckedRunnable<X> call);

  /**
   * A handle to any workflow, started on this server or another one sharing the system database.
   * The result binds to the registered workflow's return type ({@code T} must match it).
   *
   * @throws DBOSNonExistentWorkflowException if no workflow has that id
   */
  <T, X extends Exception> WorkflowHandle<T, X> retrieveWorkflow(String workflowId);

  /**
   * The queue of that name, declared by {@link WorkflowQueue} or configuration. To have the name
   * checked at deployment, inject it instead: {@code @Inject @QueueName("emails") Queue emails}.
   *
   * @throws DBOSUnknownQueueException if no such queue is declared
   */
  Queue queue(String name);

  /** The id of the workflow running on this thread, empty outside a workflow. */
  Optional<String> workflowId();

  /** The status of a workflow, empty when no workflow has that id. */
  Optional<WorkflowStatus> getWorkflowStatus(String workflowId);

  /** The id of this server in the system database ({@code dbos.executor-id}). */
  String executorId();

  /** The application version recorded with every workflow this server starts. */
  String applicationVersion();

  /**
   * Stores a new schedule in the system database: from then on every server that runs schedules and
   * has the workflow starts each of its ticks, once across all of them, as the workflow {@code
   * sched-<name>-<scheduled time>}.
   *
   * <pre>{@code
   * dbos.createSchedule(WorkflowSchedule.of("hourly-sync", Sync.class, "sync", "0 0 * * * *"));
   * }</pre>
   *
   * @throws DBOSScheduleExistsException if a schedule has that name
   * @throws IllegalArgumentException if the cron expression is invalid, the workflow is not a
   *     {@code @Workflow} of this application taking {@code (Instant, Instant)}, or the queue is
   *     not declared
   */
  void createSchedule(WorkflowSchedule schedule);

  /** Every stored schedule, by name, whether or not this application has its workflow. */
  List<ScheduleStatus> listSchedules();

  /** The stored schedule of that name, empty if none. */
  Optional<ScheduleStatus> getSchedule(String name);

  /**
   * Pauses a schedule on every server: no tick starts until {@link #resumeSchedule}; ticks due
   * meanwhile are skipped (run them with {@link #backfillSchedule}). A tick that was already being
   * started may still start.
   *
   * @throws DBOSNonExistentScheduleException if no schedule has that name
   */
  void pauseSchedule(String name);

  /**
   * Resumes a paused schedule from its next tick.
   *
   * @throws DBOSNonExistentScheduleException if no schedule has that name
   */
  void resumeSchedule(String name);

  /** Deletes a schedule (its workflows stay); nothing happens if none has that name. */
  void deleteSchedule(String name);

  /**
   * Starts the schedule's workflow now, outside its cron ticks (also when it is paused), with the
   * current time as its scheduled time.
   *
   * @throws DBOSNonExistentScheduleException if no schedule has that name
   */
  <T, X extends Exception> WorkflowHandle<T, X> triggerSchedule(String name);

  /**
   * Starts every tick of the schedule from {@code start} (included) to {@code end} (excluded) that
   * has not run yet, with the ids the ticks would have had: a tick that already ran is not run
   * again, and its handle is returned.
   *
   * <pre>{@code
   * dbos.backfillSchedule("nightly-report", Instant.parse("2026-11-01T00:00:00Z"), Instant.now());
   * }</pre>
   *
   * @throws DBOSNonExistentScheduleException if no schedule has that name
   * @throws IllegalArgumentException if the interval holds more than 10,000 ticks
   */
  <T, X extends Exception> List<WorkflowHandle<T, X>> backfillSchedule(
      String name, Instant start, Instant end);

  /** Closing the scope forgets a workflow id set by {@link #withWorkflowId} and not yet used. */
  interface WorkflowIdScope extends AutoCloseable {
    @Override
    void close();
  }
}
