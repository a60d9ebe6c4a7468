package io.dbosee;

/**
 * A durable queue of workflows: {@link #enqueue} records the workflow as {@code ENQUEUED} and
 * returns at once; a server that listens to the queue starts it on its managed executor when the
 * queue's limits allow. Limits hold across every server sharing the system database.
 *
 * <pre>{@code
 * @WorkflowQueue(name = "emails", concurrency = 5)
 * @ApplicationScoped
 * public class Mailer {
 *   @Inject DBOS dbos;
 *   @Inject Mailer self;
 *
 *   @Step public void send(String to) { ... }
 *
 *   public void sendAll(List<String> recipients) {
 *     Queue queue = dbos.queue("emails");
 *     List<WorkflowHandle<Void, RuntimeException>> handles = new ArrayList<>();
 *     for (String to : recipients) {
 *       handles.add(queue.enqueue(() -> self.send(to)));   // a step runs as a one-step workflow
 *     }
 *     handles.forEach(WorkflowHandle::getResult);
 *   }
 * }
 * }</pre>
 *
 * <p>Pitfalls: the lambda must call exactly one {@code @Workflow} or {@code @Step} method, through
 * a CDI reference (an injected bean or self-reference), and nothing else: the call is recorded, not
 * executed, and the arguments are serialized at once. Inside a workflow, enqueuing is itself a
 * durable operation: a replay returns the same workflow instead of enqueuing again. Outside a
 * workflow, an enqueue made while the system database cannot be reached waits for it, as {@link
 * DBOS#startWorkflow} does; one made inside a JTA transaction commits or rolls back with it (the
 * transactional outbox: see {@link DBOS#startWorkflow}).
 */
public interface Queue {

  /** The queue's name. */
  String name();

  /** Enqueues the workflow (or step) that {@code call} calls, with default options. */
  <T, X extends Exception> WorkflowHandle<T, X> enqueue(CheckedSupplier<T, X> call);

  /** Enqueues the workflow (or step) that {@code call} calls. */
  <T, X extends Exception> WorkflowHandle<T, X> enqueue(
      CheckedSupplier<T, X> call, EnqueueOptions options);

  /** Enqueues the workflow (or step) without a result that {@code call} calls. */
  <X extends Exception> WorkflowHandle<Void, X> enqueue(CheckedRunnable<X> call);

  /** Enqueues the workflow (or step) without a result that {@code call} calls. */
  <X extends Exception> WorkflowHandle<Void, X> enqueue(
      CheckedRunnable<X> call, EnqueueOptions options);
}
