package io.dbosee.internal.engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Workflows that gave their thread back during a long durable wait (a sleep, a {@code recv}, a
 * {@code getEvent}), and what wakes each one: the notification it waits for, its wake-up time, or a
 * cancellation. A woken workflow is handed to the engine once, which resumes it by replay.
 *
 * <p>This class owns no thread: the notification hub's listener calls {@link #timer} after each of
 * its waits, and waits no longer than {@link #millisUntilDue}; notifications complete the parked
 * workflows' signals on the listener's thread.
 */
final class ParkedWorkflows implements NotificationHub.Timer {

  /** One parked workflow. */
  static final class Parked implements Comparable<Parked> {
    private static final AtomicLong SEQUENCE = new AtomicLong();

    final String workflowId;
    final RunningWorkflow running;

    /** When it must run again even if nothing was notified (epoch ms of the engine's clock). */
    final long wakeAt;

    /** The notification that wakes it sooner, or null (a sleep). */
    final String channel;

    final String payload;
    final CompletableFuture<Void> signal;
    private final long sequence = SEQUENCE.incrementAndGet();
    private final AtomicBoolean woken = new AtomicBoolean();

    Parked(
        String workflowId,
        RunningWorkflow running,
        long wakeAt,
        String channel,
        String payload,
        CompletableFuture<Void> signal) {
      this.workflowId = workflowId;
      this.running = running;
      this.wakeAt = wakeAt;
      this.channel = channel;
      this.payload = payload;
      this.signal = signal;
    }

    @Override
    public int compareTo(Parked other) {
      int byTime = Long.compare(wakeAt, other.wakeAt);
      return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
    }
  }

  private final Map<String, Parked> byId = new ConcurrentHashMap<>();
  private final ConcurrentSkipListSet<Parked> byTime = new ConcurrentSkipListSet<>();
  private final NotificationHub hub;
  private final TimeSource time;
  private final Consumer<Parked> resume;

  /**
   * @param resume called once per parked workflow when it is woken; it must hand the workflow to an
   *     executor and return at once
   */
  ParkedWorkflows(NotificationHub hub, TimeSource time, Consumer<Parked> resume) {
    this.hub = hub;
    this.time = time;
    this.resume = resume;
  }

  /**
   * Parks a workflow whose thread has left it. It is woken at once if its signal already fired or
   * its time has come.
   */
  void park(Parked parked) {
    Parked previous = byId.put(parked.workflowId, parked);
    if (previous != null) {
      // Cannot happen: a workflow parks again only after it was resumed, which removed it.
      throw new IllegalStateException("workflow " + parked.workflowId + " is parked twice");
    }
    byTime.add(parked);
    if (parked.signal != null) {
      parked.signal.thenRun(() -> wake(parked));
    }
    if (parked.wakeAt <= time.currentTimeMillis()) {
      wake(parked);
    } else if (first() == parked) {
      hub.wake(); // the listener waits for a later time
    }
  }

  /** Wakes the workflow now (cancelled, for example); false if it is not parked here. */
  boolean wake(String workflowId) {
    Parked parked = byId.get(workflowId);
    if (parked == null) {
      return false;
    }
    wake(parked);
    return true;
  }

  /** Wakes every parked workflow: notifications may have been missed. */
  void wakeAll() {
    List.copyOf(byId.values()).forEach(this::wake);
  }

  /** Wakes the workflows whose time has come. */
  @Override
  public void timer() {
    long now = time.currentTimeMillis();
    while (true) {
      Parked first = first();
      if (first == null || first.wakeAt > now) {
        return;
      }
      wake(first);
    }
  }

  /** How long the listener may wait before the next wake-up time. */
  @Override
  public long millisUntilDue() {
    Parked first = first();
    return first == null ? Long.MAX_VALUE : Math.max(0, first.wakeAt - time.currentTimeMillis());
  }

  private Parked first() {
    try {
      return byTime.first();
    } catch (NoSuchElementException e) {
      return null;
    }
  }

  int size() {
    return byId.size();
  }

  /** The ids of the workflows parked now. */
  List<String> ids() {
    return List.copyOf(byId.keySet());
  }

  /** Removes every parked workflow without waking it (the engine stops); returns them. */
  Collection<Parked> drain() {
    List<Parked> drained = new ArrayList<>();
    for (Parked parked : List.copyOf(byId.values())) {
      if (release(parked)) {
        drained.add(parked);
      }
    }
    return drained;
  }

  private void wake(Parked parked) {
    if (release(parked)) {
      resume.accept(parked);
    }
  }

  /** Takes a parked workflow out, once. */
  private boolean release(Parked parked) {
    if (!parked.woken.compareAndSet(false, true)) {
      return false;
    }
    byTime.remove(parked);
    byId.remove(parked.workflowId, parked);
    if (parked.signal != null) {
      hub.unsubscribe(parked.channel, parked.payload, parked.signal);
    }
    return true;
  }
}
