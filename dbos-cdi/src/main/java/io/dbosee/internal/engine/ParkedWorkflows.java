package io.dbosee.internal.engine;

import java.util.List;
import java.util.function.Consumer;

/**
 * Workflows that gave their thread back during a long durable wait (a sleep, a {@code recv}, a
 * {@code getEvent}), and what wakes each one: the notification it waits for, its wake-up time, or a
 * cancellation. A woken workflow is handed to the engine once, which resumes it by replay.
 *
 * <p>What it keeps per parked workflow is one {@link Parked} (which is also its subscription to the
 * notification hub, and knows its place among the wake-up times) and one slot in {@link
 * WakeUpOrder}: with its entry among the running ones, a few hundred bytes (see the performance
 * page), so that one engine can hold a hundred thousand of them.
 *
 * <p>This class owns no thread: the notification hub's listener calls {@link #timer} after each of
 * its waits, and waits no longer than {@link #millisUntilDue}; notifications wake parked workflows
 * on the listener's thread.
 */
final class ParkedWorkflows implements NotificationHub.Timer {

  private static final byte PREPARED = 0;
  private static final byte PARKED = 1;
  private static final byte RELEASED = 2;

  /**
   * One workflow about to park or parked: what wakes it and what resumes it. Created before the
   * wait looks in the database for the last time, so that a notification in between is kept.
   */
  final class Parked implements NotificationHub.Subscriber {
    final String workflowId;
    final RunningWorkflow running;

    /** When it must run again even if nothing was notified (epoch ms of the engine's clock). */
    final long wakeAt;

    /** The notification that wakes it sooner, or null (a sleep). */
    final String channel;

    final String payload;

    /** Its place in {@link WakeUpOrder}; -1 outside it. Guarded by the parked workflows. */
    int slot = -1;

    /** Guarded by the parked workflows. */
    private byte state = PREPARED;

    /** Its notification came, perhaps before it parked: parking then wakes it at once. */
    private volatile boolean notified;

    private Parked(
        String workflowId, RunningWorkflow running, long wakeAt, String channel, String payload) {
      this.workflowId = workflowId;
      this.running = running;
      this.wakeAt = wakeAt;
      this.channel = channel;
      this.payload = payload;
    }

    @Override
    public void notified() {
      notified = true;
      wake(this);
    }
  }

  private final WakeUpOrder byTime = new WakeUpOrder();
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
   * A workflow about to park until {@code wakeAt}, or until the notification on {@code channel}
   * with {@code payload} (null: none), to which it is subscribed now. Park it with {@link #park},
   * or {@link #forget} it.
   */
  Parked prepare(
      String workflowId, RunningWorkflow running, long wakeAt, String channel, String payload) {
    Parked parked = new Parked(workflowId, running, wakeAt, channel, payload);
    if (channel != null) {
      hub.subscribe(channel, payload, parked);
    }
    return parked;
  }

  /** Drops a prepared workflow that did not park after all. */
  void forget(Parked parked) {
    if (parked.channel != null) {
      hub.unsubscribe(parked.channel, parked.payload, parked);
    }
  }

  /**
   * Parks a workflow whose thread has left it. It is woken at once if it was notified meanwhile,
   * its time has come, or it was cancelled or taken over while its thread unwound.
   */
  void park(Parked parked) {
    boolean first;
    synchronized (this) {
      if (parked.state != PREPARED) {
        // Cannot happen: a workflow parks again only after it was resumed, which removed it.
        throw new IllegalStateException("workflow " + parked.workflowId + " is parked twice");
      }
      parked.state = PARKED;
      parked.running.parked = parked;
      byTime.add(parked);
      first = byTime.first() == parked;
    }
    RunningWorkflow running = parked.running;
    if (parked.notified
        || parked.wakeAt <= time.currentTimeMillis()
        || running.cancelled()
        || running.movedTo != null) {
      wake(parked);
    } else if (first) {
      hub.wake(); // the listener waits for a later time
    }
  }

  /** Wakes {@code running} now if it is parked (cancelled, for example); false if it is not. */
  boolean wake(RunningWorkflow running) {
    Parked parked = running.parked;
    return parked != null && wake(parked);
  }

  /** Wakes every parked workflow: notifications may have been missed. */
  void wakeAll() {
    all().forEach(this::wake);
  }

  /** Wakes the workflows whose time has come. */
  @Override
  public void timer() {
    long now = time.currentTimeMillis();
    while (true) {
      Parked first;
      synchronized (this) {
        first = byTime.first();
      }
      if (first == null || first.wakeAt > now) {
        return;
      }
      wake(first);
    }
  }

  /** How long the listener may wait before the next wake-up time. */
  @Override
  public long millisUntilDue() {
    Parked first;
    synchronized (this) {
      first = byTime.first();
    }
    return first == null ? Long.MAX_VALUE : Math.max(0, first.wakeAt - time.currentTimeMillis());
  }

  synchronized int size() {
    return byTime.size();
  }

  /** The workflows parked now. */
  synchronized List<Parked> all() {
    return byTime.all();
  }

  /** Where the next {@link #nextToCheck} starts, in the heap's slots. */
  private long checkCursor;

  /**
   * The next {@code count} parked workflows to look at in the database, going round all of them in
   * successive calls, so that each look costs at most {@code count} ids however many are parked.
   */
  synchronized List<Parked> nextToCheck(int count) {
    List<Parked> slice = byTime.slice(checkCursor, count);
    checkCursor += slice.size();
    return slice;
  }

  /** Removes every parked workflow without waking it (the engine stops); returns them. */
  List<Parked> drain() {
    List<Parked> drained;
    synchronized (this) {
      drained = byTime.clear();
      drained.forEach(parked -> parked.state = RELEASED);
    }
    drained.forEach(this::released);
    return drained;
  }

  private boolean wake(Parked parked) {
    if (!release(parked)) {
      return false;
    }
    resume.accept(parked);
    return true;
  }

  /** Takes a parked workflow out, once. */
  private boolean release(Parked parked) {
    synchronized (this) {
      if (parked.state != PARKED) {
        return false;
      }
      parked.state = RELEASED;
      byTime.remove(parked);
    }
    released(parked);
    return true;
  }

  private void released(Parked parked) {
    if (parked.running.parked == parked) {
      parked.running.parked = null;
    }
    forget(parked);
  }
}
