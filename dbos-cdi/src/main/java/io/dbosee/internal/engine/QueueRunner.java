package io.dbosee.internal.engine;

import io.dbosee.internal.engine.db.NotificationListener;
import io.dbosee.internal.engine.db.QueueDatabase;
import io.dbosee.internal.engine.db.WorkflowRow;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Starts the workflows of the queues this server listens to, as their limits allow, on the
 * executor. Nothing here owns a thread: a dispatch round is a task submitted to the executor when
 * there may be work (a local enqueue, a finished queued workflow, a notification from another
 * server, a timer), and rounds requested while one runs are coalesced into one more round. One
 * long-running task waits for PostgreSQL notifications, so that work enqueued or capacity freed on
 * other servers is seen at once; the polling interval is only a fallback, as are the timers for
 * delays and rate-limit windows.
 */
final class QueueRunner {
  private static final System.Logger LOG = System.getLogger(QueueRunner.class.getName());

  /** The longest a waiting listener sleeps before it looks at its state again. */
  private static final long MAX_WAIT_MS = 5_000;

  private final QueueDatabase db;
  private final Executor executor;
  private final TimeSource time;
  private final String executorId;
  private final String applicationVersion;
  private final List<QueueDefinition> queues;
  private final List<String> queueNames;
  private final long pollIntervalMs;
  private final Consumer<WorkflowRow> dispatch;
  private final Supplier<List<String>> runnableKeys;

  private final AtomicBoolean roundScheduled = new AtomicBoolean();
  private final AtomicBoolean again = new AtomicBoolean();

  /** Whether the next round also promotes delayed workflows and looks for the next due one. */
  private final AtomicBoolean checkDelays = new AtomicBoolean(true);

  /** When a delay or rate-limit window ends, in epoch ms; Long.MAX_VALUE when none. */
  private final AtomicLong nextDue = new AtomicLong(Long.MAX_VALUE);

  private final Object pollMonitor = new Object();
  private final CountDownLatch listenerDone = new CountDownLatch(1);
  private volatile boolean running;
  private volatile boolean listenerStarted;

  QueueRunner(
      QueueDatabase db,
      Executor executor,
      TimeSource time,
      String executorId,
      String applicationVersion,
      List<QueueDefinition> queues,
      Supplier<List<String>> runnableKeys,
      Consumer<WorkflowRow> dispatch) {
    this.db = db;
    this.executor = executor;
    this.time = time;
    this.executorId = executorId;
    this.applicationVersion = applicationVersion;
    this.queues = List.copyOf(queues);
    this.queueNames = queues.stream().map(QueueDefinition::name).toList();
    this.pollIntervalMs =
        queues.stream()
            .map(QueueDefinition::pollingInterval)
            .map(Duration::toMillis)
            .min(Long::compare)
            .orElse(1000L);
    this.runnableKeys = runnableKeys;
    this.dispatch = dispatch;
  }

  /** Starts listening and runs a first round (work left by stopped servers, or enqueued before). */
  void start() {
    running = true;
    try {
      executor.execute(this::listen);
      listenerStarted = true;
    } catch (RejectedExecutionException e) {
      LOG.log(
          Level.WARNING,
          "The executor refused the queue listener; queues {0} are only served when work is"
              + " enqueued or finishes on this server: {1}",
          queueNames,
          e.toString());
    }
    requestRound();
  }

  /**
   * Stops starting workflows and ends the listener, waiting briefly for it to close its connection.
   */
  void stop() {
    running = false;
    synchronized (pollMonitor) {
      pollMonitor.notifyAll();
    }
    if (!listenerStarted) {
      return;
    }
    try {
      // Wake a listener blocked on its connection.
      db.announce("");
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "could not wake the queue listener", e);
    }
    try {
      if (!listenerDone.await(MAX_WAIT_MS + 1000, TimeUnit.MILLISECONDS)) {
        LOG.log(Level.WARNING, "The queue listener did not stop in time; it stops on its own.");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  List<String> queueNames() {
    return queueNames;
  }

  /** A workflow was enqueued here: maybe it can start now. */
  void enqueued(boolean delayed) {
    if (delayed) {
      checkDelays.set(true);
    }
    requestRound();
  }

  /** A workflow of {@code queueName} finished here: its slot is free. */
  void finished(QueueDefinition queue) {
    requestRound();
    if (queue != null && queue.concurrency() > 0) {
      try {
        db.announce(queue.name()); // other servers may be waiting for the global slot
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, "could not announce a free slot on " + queue.name(), e);
      }
    }
  }

  /** Asks for a dispatch round; at most one runs at a time, and requests made meanwhile add one. */
  void requestRound() {
    if (!running) {
      return;
    }
    again.set(true);
    if (roundScheduled.compareAndSet(false, true)) {
      try {
        executor.execute(this::rounds);
      } catch (RejectedExecutionException e) {
        roundScheduled.set(false);
        LOG.log(Level.DEBUG, "The executor refused a queue round: {0}", e.toString());
      }
    }
  }

  private void rounds() {
    try {
      while (running && again.getAndSet(false)) {
        try {
          round();
        } catch (RuntimeException e) {
          // The database may be down: the next poll (or notification) tries again.
          LOG.log(
              Level.WARNING, "A queue round failed; it is tried again at the next poll: {0}", e);
          return;
        }
      }
    } finally {
      roundScheduled.set(false);
      if (running && again.get()) {
        requestRound();
      }
    }
  }

  private void round() {
    long now = time.currentTimeMillis();
    boolean delays = checkDelays.getAndSet(false) || now >= nextDue.get();
    long due = Long.MAX_VALUE;
    List<String> runnable = runnableKeys.get();
    for (QueueDefinition queue : queues) {
      if (!running) {
        return;
      }
      if (delays) {
        db.promoteDelayed(queue.name(), now);
      }
      List<String> partitions =
          queue.partitioned() ? db.partitions(queue.name()) : Collections.singletonList(null);
      for (String partition : partitions) {
        QueueDatabase.Claim claim =
            db.claim(
                queue.name(),
                partition,
                queue.concurrency(),
                queue.workerConcurrency(),
                queue.rateLimitMax(),
                queue.rateLimitPeriod().toMillis(),
                executorId,
                applicationVersion,
                runnable,
                time::currentTimeMillis);
        for (WorkflowRow row : claim.claimed()) {
          dispatch.accept(row);
        }
        if (claim.claimed().size() == QueueDatabase.MAX_CLAIM) {
          again.set(true);
        }
        if (claim.retryAt().isPresent()) {
          due = Math.min(due, claim.retryAt().getAsLong());
        }
      }
    }
    if (delays) {
      OptionalLong delayed = db.nextDelayed(queueNames);
      if (delayed.isPresent()) {
        due = Math.min(due, delayed.getAsLong());
      }
    } else {
      due = Math.min(due, nextDue.get());
    }
    long previous = nextDue.getAndSet(due);
    if (due < previous) {
      wakeListener();
    }
  }

  /** Makes the waiting listener recompute how long to wait, now that something is due sooner. */
  private void wakeListener() {
    synchronized (pollMonitor) {
      pollMonitor.notifyAll();
    }
    if (listenerStarted) {
      try {
        db.announce(""); // a listener blocked on its connection wakes at a notification
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, "could not wake the queue listener", e);
      }
    }
  }

  private long waitMillis() {
    long now = time.currentTimeMillis();
    long untilDue = nextDue.get() == Long.MAX_VALUE ? Long.MAX_VALUE : nextDue.get() - now;
    return Math.max(1, Math.min(Math.min(pollIntervalMs, untilDue), MAX_WAIT_MS));
  }

  /** The long-running task: waits for notifications (or polls) and asks for rounds. */
  private void listen() {
    try {
      long backoff = 100;
      while (active()) {
        Optional<NotificationListener> opened = db.listen();
        if (opened.isEmpty()) {
          poll();
          return;
        }
        try (NotificationListener listener = opened.get()) {
          backoff = 100;
          long polledAt = time.currentTimeMillis();
          while (active()) {
            List<String> notified = listener.await(waitMillis());
            long now = time.currentTimeMillis();
            boolean timer = now - polledAt >= pollIntervalMs || now >= nextDue.get();
            if (timer) {
              polledAt = now;
              checkDelays.set(true);
            }
            if (timer || notifiedOfOthers(notified)) {
              requestRound();
            }
          }
        } catch (SQLException e) {
          LOG.log(
              Level.WARNING,
              "The queue listener lost its connection ({0}); reconnecting in {1} ms",
              e.getMessage(),
              backoff);
          pauseQuietly(backoff);
          backoff = Math.min(backoff * 2, Math.max(pollIntervalMs, 1000));
        }
      }
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "The queue listener stopped; queues fall back to local wake-ups", e);
    } finally {
      listenerDone.countDown();
    }
  }

  /** Whether the listener goes on: not when stopped, nor when its thread is interrupted. */
  private boolean active() {
    return running && !Thread.currentThread().isInterrupted();
  }

  private boolean notifiedOfOthers(List<String> payloads) {
    for (String payload : payloads) {
      String[] parts = payload.split(QueueDatabase.SEPARATOR, 2);
      if (parts.length == 2 && !parts[0].equals(executorId) && queueNames.contains(parts[1])) {
        return true;
      }
    }
    return false;
  }

  /** Without notifications: a round every polling interval (or when a delay ends). */
  private void poll() {
    while (active()) {
      synchronized (pollMonitor) {
        try {
          pollMonitor.wait(waitMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      checkDelays.set(true);
      requestRound();
    }
  }

  private void pauseQuietly(long millis) {
    synchronized (pollMonitor) {
      try {
        pollMonitor.wait(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
