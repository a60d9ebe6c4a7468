package io.dbosee.benchmarks;

import java.time.Duration;
import java.util.List;

/**
 * One way of running the benchmark's workflow (n no-op steps, each returning a string of a given
 * size) durably against the shared PostgreSQL, in a database of its own so that the statistics of
 * one never mix with another's.
 */
interface Contender extends AutoCloseable {

  /** The column heading. */
  String name();

  /** The database it writes to, on the shared server. */
  String database();

  /**
   * Runs one workflow with the given id and returns once its outcome is recorded. Called
   * concurrently from the benchmark's own threads.
   */
  void run(String workflowId, int steps, int payloadBytes) throws Exception;

  /**
   * Runs again a workflow that finished and was then marked PENDING (as a crash would have left it,
   * with every step recorded): the recovery path. Returns once its outcome is recorded.
   */
  default void replay(String workflowId, int steps) throws Exception {
    run(workflowId, steps, 0);
  }

  /**
   * Starts {@code count} workflows that each wait inside their first step until {@code release}
   * runs; returns once all of them are inside that step (or what started within the timeout).
   */
  default Parked park(int count, Duration timeout) throws Exception {
    throw new UnsupportedOperationException(name() + " cannot park workflows");
  }

  /**
   * Starts {@code count} workflows in the background that each wait in {@code recv}; returns once
   * all of them wait (or what did within the timeout). {@link Parked#release} sends each its
   * message and waits for them to finish.
   */
  default Parked waitOnRecv(int count, Duration timeout) throws Exception {
    throw new UnsupportedOperationException(name() + " has no recv workload");
  }

  /** Workflows waiting in a step; {@link #release} lets them finish and waits for them. */
  interface Parked {
    int started();

    void release() throws Exception;
  }

  /**
   * Runs one workflow as {@link #run} does, called from a thread in a CDI request context (as a
   * JAX-RS resource calls it), where the library has one; otherwise as {@link #run}.
   */
  default void runInRequestContext(String workflowId, int steps) throws Exception {
    run(workflowId, steps, 0);
  }

  /** Whether {@link #runInRequestContext} differs from {@link #run}. */
  default boolean hasRequestContext() {
    return false;
  }

  /** Whether {@link #runTransactionStep} is implemented. */
  default boolean hasTransactionStep() {
    return false;
  }

  /**
   * Runs one workflow whose one step inserts an order row in a transaction (see {@link
   * io.dbosee.benchmarks.floor.Orders}); returns once its outcome is recorded.
   */
  default void runTransactionStep(String workflowId) throws Exception {
    throw new UnsupportedOperationException(name() + " has no transaction step");
  }

  /** Whether {@link #orderAndEnqueue} is implemented. */
  default boolean hasTransactionalEnqueue() {
    return false;
  }

  /**
   * Inserts an order row in a transaction of the caller's and enqueues a 0-step workflow for it: in
   * that transaction ({@code inTransaction}, the transactional outbox) or after its commit, on its
   * own. Returns once the workflow's outcome is recorded.
   */
  default void orderAndEnqueue(String id, boolean inTransaction) throws Exception {
    throw new UnsupportedOperationException(name() + " has no transactional enqueue");
  }

  /** Whether {@link #drainQueue} and {@link #enqueueToStart} are implemented yet. */
  default boolean hasQueue() {
    return false;
  }

  /** Enqueues {@code count} workflows on a queue at default settings and waits for all to end. */
  default Duration drainQueue(String prefix, int count, int steps) throws Exception {
    throw new UnsupportedOperationException();
  }

  /** Whether {@link #drainLimitedQueue} is implemented. */
  default boolean hasLimitedQueue() {
    return false;
  }

  /**
   * Enqueues {@code count} workflows on a queue whose worker concurrency is {@link
   * Benchmarks#WORKER_CONCURRENCY} (polling left at its default) and waits for all to end.
   */
  default Duration drainLimitedQueue(String prefix, int count, int steps) throws Exception {
    throw new UnsupportedOperationException();
  }

  /**
   * Enqueues workflows one at a time on an idle queue and returns, for each, the time from the
   * enqueue call to the first line of its body.
   */
  default List<Duration> enqueueToStart(String prefix, int count) throws Exception {
    throw new UnsupportedOperationException();
  }

  @Override
  void close() throws Exception;
}
