package io.dbosee.internal.engine;

import io.dbosee.DBOSSystemDatabaseException;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The transactional outbox's one way of writing: a start's, an enqueue's or a send's statement runs
 * on the caller's transaction's connection, so that it commits or rolls back with the caller's own
 * work. What follows the write (running the workflow, waking a queue) waits for the commit ({@link
 * CommittedStart}).
 */
final class TransactionalWrites {
  private TransactionalWrites() {}

  /** A write on a connection the caller's transaction owns. */
  @FunctionalInterface
  interface Write<T> {
    T on(Connection c);
  }

  /**
   * Runs {@code write} on {@code tx}'s connection and hands the connection back to it.
   *
   * @param what the call, for the message of a failure (for example "enqueue of workflow 'x'")
   */
  static <T> T write(CallerTransactions.Transaction tx, String what, Write<T> write) {
    try (Connection c = tx.connection()) {
      return write.on(c);
    } catch (SQLException e) {
      throw new DBOSSystemDatabaseException(
          "Could not "
              + what
              + " in the caller's transaction: "
              + e.getMessage()
              + " [SQLSTATE "
              + e.getSQLState()
              + "]. Nothing was recorded apart from that transaction, which decides the rest.",
          e);
    }
  }
}
