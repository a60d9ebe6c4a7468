package io.dbosee.internal.engine;

import io.dbosee.internal.engine.db.NotificationListener;
import io.dbosee.internal.engine.db.NotificationListener.Notification;
import io.dbosee.internal.engine.db.QueueDatabase;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * The engine's one LISTEN connection, run by one long-running task on the executor: PostgreSQL
 * notifications wake the queue runner (work enqueued or capacity freed on another server) and the
 * workflows waiting for a message or an event. Waiters register a signal before they look in the
 * database, so a notification between the look and the wait is not lost; they also look again at
 * least every poll interval, so a missed notification (or a driver that cannot deliver them) costs
 * latency, never correctness.
 */
final class NotificationHub {

  /** Something the listener's loop drives: called after each wait, never later than it is due. */
  interface Timer {
    /** How long the listener may wait before {@link #timer()} is due; Long.MAX_VALUE: never. */
    long millisUntilDue();

    /** Does what is due; must return at once (long work goes to the executor). */
    void timer();
  }

  /** What a notification wakes: called on the listener's thread, it must return at once. */
  interface Subscriber {
    void notified();
  }

  /** A subscriber that a waiting thread waits on: completed at the notification. */
  static final class Signal extends CompletableFuture<Void> implements Subscriber {
    @Override
    public void notified() {
      complete(null);
    }
  }

  private static final System.Logger LOG = System.getLogger(NotificationHub.class.getName());

  /** The DBOS schema's triggers notify these on new messages and events. */
  static final String MESSAGES = "dbos_notifications_channel";

  static final String EVENTS = "dbos_workflow_events_channel";

  static final String STREAMS = "dbos_streams_channel";

  /** The longest the listener waits before it looks at its state again. */
  private static final long MAX_WAIT_MS = 5_000;

  private final DataSource dataSource;
  private final Executor executor;
  private final QueueDatabase queueDb;

  /**
   * The subscribers of each channel that waiters use, by payload: a {@link Subscriber}, or a {@code
   * Subscriber[]} when several wait for one payload. One map per channel keyed by the payload
   * itself (no key object per subscription), since a parked workflow's one entry here is a large
   * part of what it costs.
   */
  private final Map<String, Map<String, Object>> subscribers =
      Map.of(
          MESSAGES, new ConcurrentHashMap<>(),
          EVENTS, new ConcurrentHashMap<>(),
          STREAMS, new ConcurrentHashMap<>());

  private final CountDownLatch done = new CountDownLatch(1);
  private final Object monitor = new Object();
  private volatile QueueRunner queues;
  private volatile ParkedWorkflows parked;
  private volatile List<Timer> timers = List.of();
  private volatile boolean running;

  /** Whether the LISTEN connection is open: only then may a waiting workflow give up its thread. */
  private volatile boolean listening;

  private volatile boolean started;

  NotificationHub(DataSource dataSource, Executor executor, QueueDatabase queueDb) {
    this.dataSource = dataSource;
    this.executor = executor;
    this.queueDb = queueDb;
  }

  void start(QueueRunner queueRunner, ParkedWorkflows parkedWorkflows, List<Timer> others) {
    this.queues = queueRunner;
    this.parked = parkedWorkflows;
    List<Timer> all = new ArrayList<>(others);
    all.add(parkedWorkflows);
    this.timers = List.copyOf(all);
    running = true;
    try {
      executor.execute(this::listen);
      started = true;
    } catch (RejectedExecutionException e) {
      LOG.log(
          Level.WARNING,
          "The executor refused the notification listener; the engine polls instead: {0}",
          e.toString());
    }
  }

  /** Ends the listener, waiting briefly for it to give its connection back. */
  void stop() {
    running = false;
    wake();
    if (!started) {
      return;
    }
    try {
      if (!done.await(MAX_WAIT_MS + 1000, TimeUnit.MILLISECONDS)) {
        LOG.log(Level.WARNING, "The notification listener did not stop in time; it stops soon.");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Makes the listener look at its state (a sooner timer, a stop) now. */
  void wake() {
    synchronized (monitor) {
      monitor.notifyAll();
    }
    if (started) {
      try {
        queueDb.announce(""); // a listener blocked on its connection wakes at a notification
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, "could not wake the notification listener", e);
      }
    }
  }

  /**
   * A signal completed at the next notification on {@code channel} with {@code payload}. Register
   * it before looking in the database; {@link #unsubscribe} it when done.
   */
  Signal subscribe(String channel, String payload) {
    Signal signal = new Signal();
    subscribe(channel, payload, signal);
    return signal;
  }

  /**
   * Notifies {@code subscriber} at the next notification on {@code channel} with {@code payload}.
   */
  void subscribe(String channel, String payload, Subscriber subscriber) {
    channel(channel).merge(payload, subscriber, NotificationHub::joined);
  }

  void unsubscribe(String channel, String payload, Subscriber subscriber) {
    channel(channel).computeIfPresent(payload, (k, present) -> without(present, subscriber));
  }

  private Map<String, Object> channel(String channel) {
    Map<String, Object> byPayload = subscribers.get(channel);
    if (byPayload == null) {
      throw new IllegalArgumentException("no waiter listens to channel " + channel);
    }
    return byPayload;
  }

  private static Object joined(Object present, Object added) {
    Subscriber[] before =
        present instanceof Subscriber[] many ? many : new Subscriber[] {(Subscriber) present};
    Subscriber[] after = Arrays.copyOf(before, before.length + 1);
    after[before.length] = (Subscriber) added;
    return after;
  }

  /** The subscribers left once {@code gone} leaves; null when none is. */
  private static Object without(Object present, Subscriber gone) {
    if (!(present instanceof Subscriber[] many)) {
      return present == gone ? null : present;
    }
    List<Subscriber> left = new ArrayList<>(many.length);
    for (Subscriber subscriber : many) {
      if (subscriber != gone) {
        left.add(subscriber);
      }
    }
    return switch (left.size()) {
      case 0 -> null;
      case 1 -> left.get(0);
      default -> left.toArray(Subscriber[]::new);
    };
  }

  private void deliver(Notification notification) {
    if (notification.channel().equals(QueueDatabase.CHANNEL)) {
      QueueRunner runner = queues;
      Optional<String> queue = queueDb.queueOf(notification.payload());
      if (runner != null && queue.isPresent()) {
        runner.notified(queue.get());
      }
      return;
    }
    Map<String, Object> byPayload = subscribers.get(notification.channel());
    Object notified = byPayload == null ? null : byPayload.remove(notification.payload());
    if (notified instanceof Subscriber[] many) {
      for (Subscriber subscriber : many) {
        subscriber.notified();
      }
    } else if (notified != null) {
      ((Subscriber) notified).notified();
    }
  }

  /**
   * Whether notifications are being received now. A workflow parked while they are is woken by the
   * next one, or by a catch-up when the connection comes back.
   */
  boolean listening() {
    return listening;
  }

  private long waitMillis() {
    QueueRunner runner = queues;
    long wait = runner == null ? MAX_WAIT_MS : runner.millisUntilTimer();
    for (Timer timer : timers) {
      wait = Math.min(wait, timer.millisUntilDue());
    }
    return Math.max(1, Math.min(wait, MAX_WAIT_MS));
  }

  private boolean active() {
    return running && !Thread.currentThread().isInterrupted();
  }

  private void listen() {
    try {
      long backoff = 100;
      while (active()) {
        Optional<NotificationListener> opened;
        try {
          opened =
              NotificationListener.open(
                  dataSource, List.of(QueueDatabase.CHANNEL, MESSAGES, EVENTS, STREAMS));
        } catch (SQLException e) {
          LOG.log(
              Level.WARNING,
              "The notification listener cannot reach the database ({0}); trying again in {1} ms",
              e.getMessage(),
              backoff);
          backoff = pauseBeforeRetry(backoff);
          continue;
        }
        if (opened.isEmpty()) {
          poll();
          return;
        }
        try (NotificationListener listener = opened.get()) {
          backoff = 100;
          listening = true;
          // What was announced while nothing listened (before the start, during a reconnect)
          // is found by a round now, and parked workflows look again.
          QueueRunner runner = queues;
          if (runner != null) {
            runner.catchUp();
          }
          wakeParked();
          while (active()) {
            for (Notification notification : listener.await(waitMillis())) {
              deliver(notification);
            }
            timer();
          }
        } catch (SQLException e) {
          listening = false;
          LOG.log(
              Level.WARNING,
              "The notification listener lost its connection ({0}); reconnecting in {1} ms",
              e.getMessage(),
              backoff);
          backoff = pauseBeforeRetry(backoff);
        }
      }
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "The notification listener stopped; the engine polls instead", e);
      listening = false;
      wakeParked();
      poll();
    } finally {
      listening = false;
      done.countDown();
    }
  }

  /**
   * Waits {@code backoff} ms before the listener tries its connection again, keeping the timers
   * (parked workflows, the lease) going; returns the next, doubled backoff (at most 5 s).
   */
  private long pauseBeforeRetry(long backoff) {
    pause(backoff);
    timer();
    return Math.min(backoff * 2, 5_000);
  }

  private void wakeParked() {
    ParkedWorkflows sleepers = parked;
    if (sleepers != null) {
      sleepers.wakeAll();
    }
  }

  private void timer() {
    QueueRunner runner = queues;
    if (runner != null) {
      runner.timer();
    }
    for (Timer timer : timers) {
      timer.timer();
    }
  }

  /**
   * Without notifications: the timers only; waiters poll on their own, holding their threads (no
   * workflow parks while nothing listens, and those parked before are woken).
   */
  private void poll() {
    wakeParked();
    while (active()) {
      pause(waitMillis());
      timer();
    }
  }

  private void pause(long millis) {
    synchronized (monitor) {
      try {
        monitor.wait(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
