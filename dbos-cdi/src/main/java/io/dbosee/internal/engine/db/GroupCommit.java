package io.dbosee.internal.engine.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Group commit: concurrent callers' writes of one kind are written by one statement in one
 * transaction, and each caller returns only after the transaction holding its write committed. No
 * thread is created: the calling threads take turns as the writer (leader/follower).
 *
 * <p>A caller that finds no batch being written writes at once (alone, when nobody else is waiting:
 * a lone caller pays no wait). One that finds a batch being written queues its write, and the next
 * writer takes everything queued (up to {@link #MAX_BATCH}) into its own statement. A second batch
 * (up to {@code maxWriters}) is written alongside only once {@link #EXTRA_WRITER_BACKLOG} writes
 * wait: a few waiting writes commit sooner together, after the batch in front of them, than in a
 * second statement that competes with it for the same CPUs and disk; a long queue commits sooner in
 * two. So the busier the system, the more writes share a commit, and none waits longer than the
 * batch in front of it.
 *
 * @param <T> what a caller writes
 * @param <R> what the write tells its caller
 */
final class GroupCommit<T, R> {
  static final int MAX_BATCH = 64;

  /**
   * Writes waiting (the caller's own included) for which a batch is written alongside one already
   * being written. Measured with the benchmarks' throughput workload (10-step workflows, two cores,
   * runs of each rule interleaved): against a second batch written whenever one waits, 4 in flight
   * ran at 818 workflows/s against 687, 16 at 1162 against 1002, and 64 the same (1129 against
   * 1126); one batch at a time was slower than both at 4, 16 and 64 in flight.
   */
  static final int EXTRA_WRITER_BACKLOG = 8;

  /** Writes a batch: sets each entry's outcome ({@link Entry#succeed} or {@link Entry#fail}). */
  @FunctionalInterface
  interface Writer<T, R> {
    void write(List<Entry<T, R>> batch);
  }

  /** Writes a batch of two or more in one statement on {@code c}, setting each entry's outcome. */
  @FunctionalInterface
  interface BatchStatement<T, R> {
    void write(Connection c, List<Entry<T, R>> batch) throws SQLException;
  }

  /**
   * A writer for writes that have a statement of their own ({@code one}, which sets the entry's
   * outcome or failure) and a statement for many ({@code many}, on an auto-committed connection of
   * {@code dataSource}): a batch of one is written alone, and a batch that fails is written again
   * one by one, so that a bad write fails only its own caller and two writes that one statement
   * cannot hold (two of one workflow) go one after the other, as alone.
   */
  static <T, R> Writer<T, R> batchOrOneByOne(
      DataSource dataSource, BatchStatement<T, R> many, Consumer<Entry<T, R>> one) {
    return batch -> {
      if (batch.size() == 1) {
        one.accept(batch.get(0));
        return;
      }
      try (Connection c = Sql.autoCommitted(dataSource)) {
        many.write(c, batch);
      } catch (SQLException | RuntimeException failed) {
        batch.forEach(one);
      }
    };
  }

  /** A caller's write, waiting to be written; its outcome is set by the one writer that took it. */
  static final class Entry<T, R> {
    private final T item;
    private final Condition wake;

    // Guarded by the lock.
    private boolean taken;
    private boolean done;

    // Set by the writer that took it, read by the caller after done (both under the lock).
    private R result;
    private boolean succeeded;
    private Exception failure;

    private Entry(T item, Condition wake) {
      this.item = item;
      this.wake = wake;
    }

    T item() {
      return item;
    }

    void succeed(R outcome) {
      this.result = outcome;
      this.succeeded = true;
    }

    void fail(Exception e) {
      this.failure = e;
    }
  }

  private final String what;
  private final int maxWriters;
  private final Writer<T, R> writer;

  private final ReentrantLock lock = new ReentrantLock();
  // Guarded by lock.
  private final ArrayDeque<Entry<T, R>> queue = new ArrayDeque<>();
  private int writers;

  /**
   * @param what what is written, for the failure of a batch abandoned by its writer
   */
  GroupCommit(String what, int maxWriters, Writer<T, R> writer) {
    if (maxWriters < 1) {
      throw new IllegalArgumentException("maxWriters must be at least 1, was " + maxWriters);
    }
    this.what = what;
    this.maxWriters = maxWriters;
    this.writer = writer;
  }

  /** Writes {@code item}, alone or with others; returns once it is committed. */
  R submit(T item) throws SQLException {
    Entry<T, R> mine = new Entry<>(item, lock.newCondition());
    lock.lock();
    try {
      queue.addLast(mine);
      while (!mine.done) {
        if (mine.taken || !mayWrite()) {
          mine.wake.awaitUninterruptibly();
          continue;
        }
        // Not taken, so still queued: the batch holds at least the oldest write.
        writers++;
        List<Entry<T, R>> batch = new ArrayList<>(Math.min(queue.size(), MAX_BATCH));
        while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
          Entry<T, R> p = queue.pollFirst();
          p.taken = true;
          batch.add(p);
        }
        // More than a batch was waiting: the oldest left takes the next slot, if there is one.
        Entry<T, R> left = queue.peekFirst();
        if (left != null && mayWrite()) {
          left.wake.signal();
        }
        lock.unlock();
        try {
          writer.write(batch);
        } finally {
          lock.lock();
          writers--;
          for (Entry<T, R> p : batch) {
            if (!p.succeeded && p.failure == null) {
              p.failure = new SQLException("the " + what + " batch was abandoned", "58000");
            }
            p.done = true;
            p.wake.signal();
          }
          // The oldest waiter takes the freed slot (unless a newcomer sweeps it into its batch).
          Entry<T, R> next = queue.peekFirst();
          if (next != null) {
            next.wake.signal();
          }
        }
      }
      return outcome(mine);
    } finally {
      lock.unlock();
    }
  }

  /** Whether a queued caller may write a batch now. Guarded by lock. */
  private boolean mayWrite() {
    return writers == 0 || (writers < maxWriters && queue.size() >= EXTRA_WRITER_BACKLOG);
  }

  private R outcome(Entry<T, R> p) throws SQLException {
    if (p.failure instanceof SQLException e) {
      throw e;
    }
    if (p.failure instanceof RuntimeException e) {
      throw e;
    }
    if (p.failure != null) {
      throw new SQLException("the " + what + " failed: " + p.failure, "58000", p.failure);
    }
    return p.result;
  }
}
