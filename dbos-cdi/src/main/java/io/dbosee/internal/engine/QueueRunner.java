package io.dbosee.internal.engine;

import io.dbosee.internal.engine.db.QueueDatabase;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Starts the workflows of the queues this server listens to, as their limits allow, on the
 * executor. Nothing here owns a thread: a dispatch round is a task submitted to the executor when
 * there may be work (a local enqueue, a finished queued workflow, a notification from another
 * server through the {@link NotificationHub}, a timer), and rounds requested while one runs are
 * coalesced into one more round. Polling (every polling interval) is only the fallback for work
 * nobody announced; delays and rate-limit windows set timers.
 *
 * <p>A round claims only on the queues that may have work: those a request named (an enqueue, a
 * freed slot, an announcement), or all of them after a poll or a timer. A server that declares
 * several queues but is busy on one does not pay a claim on each of the others per round.
 */
final class QueueRunner {
  private static final System.Logger LOG = System.getLogger(QueueRunner.class.getName());

  private final QueueDatabase db;
  private final ClaimedHere claimed;
  private final Executor executor;
  private final TimeSource time;
  private final String executorId;
  private final String applicationVersion;
  private final List<QueueDefinition> queues;
  private final List<String> queueNames;
  private final long pollIntervalMs;
  private final Consumer<QueueDatabase.Claimed> dispatch;
  private final Supplier<List<String>> runnableKeys;

  /** This server's limit over the queues without a worker concurrency, or null. */
  private final QueueDatabase.ServerCap serverCap;

  /** Queues whose last claim this server's cap held back: a finish here may let them go on. */
  private final Set<String> capped = ConcurrentHashMap.newKeySet();

  /** Finishes here of workflows the cap counts: one during a claim may free the room it lacked. */
  private final AtomicLong cappedFinishes = new AtomicLong();

  private final AtomicBoolean roundScheduled = new AtomicBoolean();
  private final AtomicBoolean again = new AtomicBoolean();

  /** The queues the next round claims on. */
  private final Set<String> wanted = ConcurrentHashMap.newKeySet();

  /** Whether the next round also promotes delayed workflows and looks for the next due one. */
  private final AtomicBoolean checkDelays = new AtomicBoolean(true);

  /** When a delay or rate-limit window ends, in epoch ms; Long.MAX_VALUE when none. */
  private final AtomicLong nextDue = new AtomicLong(Long.MAX_VALUE);

  private final NotificationHub hub;
  private volatile boolean running;
  private volatile long lastPoll;

  QueueRunner(
      EngineServices services,
      QueueDatabase db,
      List<QueueDefinition> queues,
      Consumer<QueueDatabase.Claimed> dispatch,
      NotificationHub hub) {
    this.db = db;
    this.executor = services.executor;
    this.claimed = services.claimed;
    this.time = services.time;
    this.executorId = services.config.executorId();
    this.applicationVersion = services.config.applicationVersion();
    int serverLimit = services.config.queueServerConcurrency();
    this.queues = List.copyOf(queues);
    this.queueNames = queues.stream().map(QueueDefinition::name).toList();
    this.pollIntervalMs =
        queues.stream()
            .map(QueueDefinition::pollingInterval)
            .map(Duration::toMillis)
            .min(Long::compare)
            .orElse(1000L);
    this.runnableKeys = services.registry::keys;
    List<String> uncapped =
        queues.stream().filter(q -> q.workerConcurrency() <= 0).map(QueueDefinition::name).toList();
    this.serverCap =
        serverLimit > 0 && !uncapped.isEmpty()
            ? new QueueDatabase.ServerCap(serverLimit, uncapped)
            : null;
    this.dispatch = dispatch;
    this.hub = hub;
    this.lastPoll = time.currentTimeMillis();
  }

  /** Runs a first round (work left by stopped servers, or enqueued before this start). */
  void start() {
    running = true;
    requestRound();
  }

  /** Stops starting workflows. */
  void stop() {
    running = false;
  }

  List<String> queueNames() {
    return queueNames;
  }

  /** A workflow was enqueued here on {@code queueName}: maybe it can start now. */
  void enqueued(String queueName, boolean delayed) {
    if (delayed) {
      checkDelays.set(true);
      requestRound();
    } else {
      requestRound(queueName);
    }
  }

  /**
   * A workflow of {@code queue} finished here: if the queue limits concurrency, or this server's
   * cap held queues back, its slot is free.
   */
  void finished(QueueDefinition queue) {
    if (queue == null) {
      return;
    }
    if (queue.workerConcurrency() <= 0) {
      cappedFinishes.incrementAndGet();
    }
    if (queue.workerConcurrency() <= 0 && !capped.isEmpty()) {
      for (String name : capped) {
        capped.remove(name);
        wanted.add(name);
      }
      scheduleRound();
    }
    if (!queue.limitsConcurrency()) {
      return; // no one else waits for this slot
    }
    requestRound(queue.name());
    if (queue.sharesSlots()) {
      try {
        db.announce(queue.name()); // other servers may be waiting for the global slot
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, "could not announce a free slot on " + queue.name(), e);
      }
    }
  }

  /**
   * Asks for a dispatch round on every queue; at most one round runs at a time, and requests made
   * meanwhile add one.
   */
  void requestRound() {
    wanted.addAll(queueNames);
    scheduleRound();
  }

  /** Asks for a dispatch round on one queue. */
  private void requestRound(String queueName) {
    wanted.add(queueName);
    scheduleRound();
  }

  private void scheduleRound() {
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
              Level.WARNING,
              "A queue round failed; it is tried again at the next poll: {0}",
              e.toString());
          return;
        }
      }
    } finally {
      roundScheduled.set(false);
      if (running && again.get()) {
        scheduleRound();
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
      // Taken before the claim: a request arriving during it asks for one more round.
      if (!wanted.remove(queue.name()) && !delays) {
        continue;
      }
      if (delays) {
        db.promoteDelayed(queue.name(), now);
      }
      List<String> partitions = Collections.singletonList(null);
      if (queue.partitioned()) {
        // In a new order each round: a queue-wide limit must not always favour the same keys.
        partitions = new ArrayList<>(db.partitions(queue.name()));
        Collections.shuffle(partitions);
      }
      QueueDatabase.QueueLimits limits = queue.claimLimits();
      for (String partition : partitions) {
        long finishesBefore = cappedFinishes.get();
        String key = partition;
        QueueDatabase.Claim claim =
            claimed.claim(
                () -> {
                  QueueDatabase.Claim taken =
                      db.claim(
                          limits,
                          key,
                          new QueueDatabase.Claimant(
                              executorId,
                              applicationVersion,
                              runnable,
                              serverCap,
                              time::currentTimeMillis));
                  taken.claimed().forEach(dispatch);
                  return taken;
                });
        if (claim.capped()) {
          capped.add(queue.name());
          if (cappedFinishes.get() != finishesBefore) {
            wanted.add(queue.name()); // a finish during the claim found nothing to wake
            again.set(true);
          }
        }
        if (claim.claimed().size() == QueueDatabase.MAX_CLAIM) {
          wanted.add(queue.name()); // there may be more
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
      hub.wake(); // its listener waits for the old, later time
    }
  }

  /** The hub's listener waits at most this long before calling {@link #timer()}. */
  long millisUntilTimer() {
    long now = time.currentTimeMillis();
    long untilPoll = lastPoll + pollIntervalMs - now;
    long due = nextDue.get();
    long untilDue = due == Long.MAX_VALUE ? Long.MAX_VALUE : due - now;
    return Math.max(0, Math.min(untilPoll, untilDue));
  }

  /** Called by the hub's listener after each wait: polls when the interval or a due time came. */
  void timer() {
    long now = time.currentTimeMillis();
    if (now - lastPoll >= pollIntervalMs || now >= nextDue.get()) {
      lastPoll = now;
      checkDelays.set(true);
      requestRound();
    }
  }

  /** Looks for work now, delayed work included: announcements may have been missed. */
  void catchUp() {
    checkDelays.set(true);
    requestRound();
  }

  /** Another server announced work or a free slot on {@code queueName}. */
  void notified(String queueName) {
    if (queueNames.contains(queueName)) {
      requestRound(queueName);
    }
  }
}
