package io.dbosee;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
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
   * Runs {@code body} as a transaction step named {@code name}, the programmatic form of {@link
   * Transaction @Transaction}: inside a workflow it runs in its own JTA transaction on the
   * application database {@code options} names, its outcome is recorded there in that same
   * transaction, and a replay returns (or rethrows) the recorded outcome without running it.
   * Serialization failures and deadlocks are retried. Outside a workflow it is an ordinary JTA
   * transaction (the caller's, or a new one); inside another step it is a plain call.
   *
   * <pre>{@code
   * long count = dbos.runTransaction("count-orders", TransactionOptions.DEFAULT.withDatasource("orders"),
   *     Long.class, () -> em.createQuery("select count(o) from Order o", Long.class).getSingleResult());
   * }</pre>
   *
   * <p>Needs the {@code dbos-jpa-datasource} module. Write through a persistence unit (or
   * DataSource) on the same JTA DataSource as the chosen datasource, or your writes are not in the
   * step's exactly-once record.
   *
   * @throws X whatever the body throws, also when a recorded failure is replayed
   * @throws IllegalArgumentException when {@code options} name a datasource that is not configured
   */
  <T, X extends Exception> T runTransaction(
      String name,
      TransactionOptions options,
      Class<T> resultType,
      CheckedSupplier<? extends T, X> body)
      throws X;

  /**
   * Like {@link #runTransaction(String, TransactionOptions, Class, CheckedSupplier)}, no result.
   */
  <X extends Exception> void runTransaction(
      String name, TransactionOptions options, CheckedRunnable<X> body) throws X;

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
   * <p>Outside a workflow, while the system database cannot be reached, this waits for it (up to
   * {@code dbos.system-database.start-outage-wait-seconds}, 30 by default) and then goes through.
   *
   * <p>Inside a JTA transaction (outside a workflow), the start commits or rolls back with that
   * transaction, through {@code dbos.outbox.datasource}, and the workflow runs once it commits; the
   * handle's status and result are refused until then (the transactional outbox).
   *
   * @throws IllegalArgumentException if {@code call} calls no workflow or step
   * @throws DBOSSystemDatabaseException if the system database stayed unreachable for that wait:
   *     call again with the same workflow id once it is back, which runs the workflow once
   * @throws IllegalStateException (DBOS-CDI-097) inside a JTA transaction that the start cannot
   *     join: no {@code dbos.outbox.datasource} is configured (nothing is started)
   */
  <T, X extends Exception> WorkflowHandle<T, X> startWorkflow(CheckedSupplier<T, X> call);

  /** Like {@link #startWorkflow(CheckedSupplier)}, for a workflow (or step) without a result. */
  <X extends Exception> WorkflowHandle<Void, X> startWorkflow(CheckedRunnable<X> call);

  /**
   * Debounces the workflow that {@code call} calls: calls with the same {@code key} (for the same
   * workflow) collapse into one workflow, which starts once no call with the key came for {@code
   * period}, with the arguments of the last call. Every call returns a handle to that one workflow.
   * The workflow waits as a {@code DELAYED} row in the system database: it starts when due even if
   * this server crashed meanwhile (on any server of the application), and calls made on several
   * servers collapse into the one workflow too. Once it has started, the next call with the key
   * begins a new one. The DBOS SDKs' {@code DebouncerClient} debounces into the same workflow.
   *
   * <pre>{@code
   * // Reindex a document 5 s after its last edit, not on every keystroke.
   * dbos.debounce("doc-" + docId, Duration.ofSeconds(5), () -> indexer.reindex(docId, text));
   * }</pre>
   *
   * <p>Pitfalls: as for {@link #startWorkflow}, {@code call} must call exactly one
   * {@code @Workflow} through a CDI reference; its arguments are recorded at each call. In a
   * workflow, call it inside a step ({@code DBOS-CDI-088}). With {@link #withWorkflowId}, the id
   * names the workflow only if this call creates it.
   *
   * @throws IllegalArgumentException {@code DBOS-CDI-085} for an empty key, {@code DBOS-CDI-086}
   *     for a period that is not positive or longer than 30 days; or if {@code call} calls no
   *     workflow
   * @throws DBOSQueueDuplicatedException if a workflow that is not this debounced one holds the
   *     key's deduplication id on the queue
   */
  <T, X extends Exception> WorkflowHandle<T, X> debounce(
      String key, Duration period, CheckedSupplier<T, X> call);

  /** Like {@link #debounce(String, Duration, CheckedSupplier)}, for a workflow without a result. */
  <X extends Exception> WorkflowHandle<Void, X> debounce(
      String key, Duration period, CheckedRunnable<X> call);

  /**
   * Like {@link #debounce(String, Duration, CheckedSupplier)}, with a timeout (the workflow starts
   * at the latest that long after the first call) or a queue of the application.
   */
  <T, X extends Exception> WorkflowHandle<T, X> debounce(
      DebounceOptions options, CheckedSupplier<T, X> call);

  /** Like {@link #debounce(DebounceOptions, CheckedSupplier)}, for a workflow without a result. */
  <X extends Exception> WorkflowHandle<Void, X> debounce(
      DebounceOptions options, CheckedRunnable<X> call);

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

  /**
   * Gives the next workflow started on this thread inside the returned scope (called directly or
   * with {@link #startWorkflow}) a timeout: when it passes, the workflow is cancelled at its next
   * step or durable wait, and recorded as CANCELLED. Child workflows never outlive their parent's
   * deadline. For enqueued workflows use {@link EnqueueOptions#withTimeout}, whose clock starts
   * when the workflow is dequeued.
   *
   * <pre>{@code
   * try (var timeout = dbos.withTimeout(Duration.ofMinutes(5))) {
   *   orders.checkout(orderId);   // DBOSWorkflowCancelledException if it takes longer
   * }
   * }</pre>
   */
  TimeoutScope withTimeout(Duration timeout);

  /**
   * Cancels a workflow that has not finished: it is recorded as CANCELLED at once (an enqueued one
   * will not start); if it runs on this server it stops at its next step or durable wait, and
   * callers waiting for its result get {@link DBOSWorkflowCancelledException}. A workflow running
   * on another server sees it at the first of its checkpoints that reads its status (they do at
   * most every 50 ms), and stops at the step after that. A step in progress is not interrupted.
   * Inside a workflow the call is itself a durable step.
   *
   * @throws DBOSNonExistentWorkflowException if no workflow has that id
   */
  void cancelWorkflow(String workflowId);

  /**
   * Runs a CANCELLED, ERROR or MAX_RECOVERY_ATTEMPTS_EXCEEDED workflow again from its last
   * completed step, on this server (or back on its queue), and returns its handle; a workflow in
   * another state is left as it is. A workflow that ended in ERROR replays its recorded steps, so
   * it fails again at the same step unless that step's recorded error is what a new version of the
   * code handles. Inside a workflow the call is itself a durable step.
   *
   * @throws DBOSNonExistentWorkflowException if no workflow has that id
   */
  <T, X extends Exception> WorkflowHandle<T, X> resumeWorkflow(String workflowId);

  /**
   * Sends {@code message} to workflow {@code destinationId} under {@code topic} ({@code null}: the
   * default topic); the destination receives it with {@link #recv}. Inside a workflow the send is
   * durable: a replay does not send again. The message is stored as JSON.
   *
   * <pre>{@code
   * dbos.send(orderWorkflowId, new PaymentConfirmed(amount), "payment");
   * }</pre>
   *
   * <p>Inside a JTA transaction (outside a workflow), the message commits or rolls back with that
   * transaction (the transactional outbox, through {@code dbos.outbox.datasource}).
   *
   * @throws DBOSNonExistentWorkflowException if no workflow has the destination id
   * @throws IllegalStateException (DBOS-CDI-097) inside a JTA transaction that the send cannot
   *     join: no {@code dbos.outbox.datasource} is configured (nothing is sent)
   */
  void send(String destinationId, Object message, String topic);

  /**
   * Sends from outside a workflow, at most once per {@code idempotencyKey} (it becomes the
   * message's id, unique across all messages): retrying after a failure cannot deliver twice.
   */
  void send(String destinationId, Object message, String topic, String idempotencyKey);

  /**
   * Receives the oldest message sent to the running workflow under {@code topic}, bound to {@code
   * type}, waiting up to {@code timeout}; empty if none came in time. Durable: after a restart a
   * replay returns the same message, and a wait that began before the restart ends when it would
   * have. Only a workflow (not a step) can receive.
   *
   * <pre>{@code
   * Optional<PaymentConfirmed> paid =
   *     dbos.recv("payment", PaymentConfirmed.class, Duration.ofMinutes(30));
   * }</pre>
   *
   * <p>Pitfall: the waiting workflow holds its executor thread for the wait.
   *
   * @throws IllegalStateException outside a workflow or inside a step
   */
  <T> Optional<T> recv(String topic, Class<T> type, Duration timeout);

  /**
   * Sets event {@code key} of the running workflow to {@code value} (stored as JSON), for anyone to
   * read with {@link #getEvent}; the latest value wins and every value is kept in the history. From
   * a workflow it is durable; a step may set events too.
   *
   * @throws IllegalStateException outside a workflow
   */
  void setEvent(String key, Object value);

  /**
   * The latest value of event {@code key} of workflow {@code workflowId}, bound to {@code type},
   * waiting up to {@code timeout} for it to be set; empty if it was not. Callable from anywhere;
   * inside a workflow the value read is recorded, so a replay returns the same.
   */
  <T> Optional<T> getEvent(String workflowId, String key, Class<T> type, Duration timeout);

  /**
   * Appends {@code value} (stored as JSON) to the running workflow's stream {@code key}, for
   * readers of {@link #readStream}. From a workflow it is durable (a replay does not write again);
   * a step may write too.
   *
   * @throws IllegalStateException outside a workflow
   */
  void writeStream(String key, Object value);

  /** Closes the running workflow's stream {@code key}: its readers end after its last value. */
  void closeStream(String key);

  /**
   * The values of stream {@code key} of workflow {@code workflowId}, in the order written, bound to
   * {@code type}. {@code hasNext()} blocks until the next value is written; the iteration ends when
   * the stream is closed or the workflow has finished. Readable from anywhere, also while the
   * workflow runs on another server.
   *
   * <pre>{@code
   * Iterator<Progress> progress = dbos.readStream(reportId, "progress", Progress.class);
   * progress.forEachRemaining(p -> LOG.info(p.percent() + "%"));
   * }</pre>
   */
  <T> Iterator<T> readStream(String workflowId, String key, Class<T> type);

  /** The id of the workflow running on this thread, empty outside a workflow. */
  Optional<String> workflowId();

  /**
   * The status of a workflow, with its recorded inputs, output or error, empty when no workflow has
   * that id. Any application's workflow: an id is an address.
   */
  Optional<WorkflowStatus> getWorkflowStatus(String workflowId);

  /**
   * The workflows {@code input} selects, from every server sharing the system database. When
   * several applications share it, this application's and the unclaimed ones unless {@code input}
   * names applications or all ({@link ListWorkflowsInput#withAllApplications}). Inside a workflow
   * the call is a durable step: a replay returns the same list.
   *
   * <pre>{@code
   * List<WorkflowStatus> stuck = dbos.listWorkflows(ListWorkflowsInput.ALL
   *     .withStatuses(WorkflowState.PENDING)
   *     .withEndTime(Instant.now().minus(Duration.ofHours(1))));
   * }</pre>
   */
  List<WorkflowStatus> listWorkflows(ListWorkflowsInput input);

  /**
   * The workflows on a queue that have not finished: ENQUEUED, DELAYED or PENDING (started), unless
   * {@code input} names statuses; of this application as {@link #listWorkflows} narrows them. A
   * durable step inside a workflow.
   */
  List<WorkflowStatus> listQueuedWorkflows(ListWorkflowsInput input);

  /**
   * Every operation the workflow recorded, in order (its steps, child workflow starts, sleeps,
   * sends, receives, events), with outputs, errors and timings. A durable step inside a workflow.
   *
   * @throws DBOSNonExistentWorkflowException if no workflow has that id
   */
  List<StepInfo> listWorkflowSteps(String workflowId);

  /**
   * Starts a copy of a workflow (same workflow, same inputs) under a new id that replays the
   * original's recorded operations before position {@code startStep} (as {@link #listWorkflowSteps}
   * numbers them) and runs the rest again: to run a workflow again after fixing a bug in one of its
   * later steps, without repeating the earlier ones. {@code startStep} 0 runs everything again. The
   * original is left as it is. When the new workflow belongs to this server's application version
   * it starts here at once; for another version it waits, PENDING on this executor id, for a server
   * of that version to recover it. A durable step inside a workflow.
   *
   * <pre>{@code
   * WorkflowHandle<String, RuntimeException> retry = dbos.forkWorkflow(failedId, 2, ForkOptions.DEFAULT);
   * }</pre>
   *
   * @throws DBOSNonExistentWorkflowException if no workflow has that id
   * @throws DBOSConflictingWorkflowException if {@link ForkOptions#newWorkflowId} is taken
   */
  <T, X extends Exception> WorkflowHandle<T, X> forkWorkflow(
      String workflowId, int startStep, ForkOptions options);

  /**
   * Deletes a workflow and everything it recorded (steps, messages, events, streams); with {@code
   * deleteChildren}, also the workflows it started, at any depth. Nothing happens when no workflow
   * has that id. Pitfall: deleting a workflow that is still running here does not stop it; cancel
   * it first. A durable step inside a workflow.
   *
   * @return the ids deleted
   */
  List<String> deleteWorkflow(String workflowId, boolean deleteChildren);

  /**
   * Deletes finished workflows (SUCCESS, ERROR, CANCELLED, MAX_RECOVERY_ATTEMPTS_EXCEEDED) created
   * before {@code createdBefore} (null: no time limit) and, with {@code keepRows} (null: no limit),
   * every finished one older than the newest {@code keepRows} workflows. Unfinished workflows are
   * never deleted. When several applications share the system database, only this application's and
   * unclaimed workflows are deleted and counted. A durable step inside a workflow.
   *
   * @return how many workflows were deleted
   * @throws IllegalArgumentException if both are null
   */
  int garbageCollect(Instant createdBefore, Integer keepRows);

  /**
   * Cancels every workflow created before {@code createdBefore} that has not finished (PENDING,
   * ENQUEUED or DELAYED), as {@link #cancelWorkflow} would; of this application's and unclaimed
   * workflows only, when several applications share the system database. A durable step inside a
   * workflow.
   *
   * @return the ids cancelled
   */
  List<String> cancelWorkflowsCreatedBefore(Instant createdBefore);

  /**
   * Makes this server the owner of the PENDING workflows of the executors {@code executorIds}
   * (servers that are gone for good) that belong to this server's application version, and recovers
   * them here, together with this server's own pending workflows. Pitfall: an executor that is
   * still running would run them too; its steps are then recorded once, by whichever execution gets
   * there first, but their bodies may run twice.
   *
   * @return the ids started here or put back on their queue
   */
  List<String> recoverPendingWorkflows(List<String> executorIds);

  /** The id of this server in the system database ({@code dbos.executor-id}). */
  String executorId();

  /** The application version recorded with every workflow this server starts. */
  String applicationVersion();

  /**
   * The application this server acts for ({@code dbos.application-name}) when several share the
   * system database, empty when it names none.
   */
  Optional<String> applicationName();

  /** Closing the scope forgets a timeout set by {@link #withTimeout} and not yet used. */
  interface TimeoutScope extends AutoCloseable {
    @Override
    void close();
  }

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
