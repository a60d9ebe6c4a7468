package io.dbosee.internal.engine;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The transaction a caller's thread runs in, as the hosting layer knows it (JTA in a server): a
 * workflow started or enqueued, or a message sent, outside a workflow inside such a transaction is
 * written through it, so that it commits or rolls back with the caller's own work (the
 * transactional outbox).
 */
@FunctionalInterface
public interface CallerTransactions {
  /** No caller ever runs in a transaction: every start, enqueue and send commits on its own. */
  CallerTransactions NONE = what -> null;

  /**
   * The transaction the calling thread runs in, for {@code what} (for example "enqueue of workflow
   * 'x' on queue 'q'"), or null when the thread runs in none, or when this application lets such
   * calls commit on their own.
   *
   * @throws IllegalStateException when the thread runs in a transaction that {@code what} cannot
   *     join (the system database is not reachable through it, or it is marked for rollback); the
   *     message says what was asked, why it cannot be atomic and what to configure
   */
  Transaction join(String what);

  /** A caller's transaction that the system database's writes can join. */
  interface Transaction {
    /**
     * A connection to the system database's PostgreSQL database that commits with this transaction.
     * The engine runs its statements on it and closes it, which hands it back to the transaction:
     * it never commits, rolls back or changes its auto-commit mode.
     */
    Connection connection() throws SQLException;

    /**
     * Tells {@code listener} how this transaction ended, once it has: after its commit (or
     * rollback) is done, never before.
     */
    void onCompletion(Completion listener);
  }

  /** What a {@link Transaction} tells when it ends. */
  @FunctionalInterface
  interface Completion {
    void completed(boolean committed);
  }
}
