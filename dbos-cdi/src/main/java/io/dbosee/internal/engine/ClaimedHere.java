package io.dbosee.internal.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Queued workflows this server has claimed but not yet registered as running (on their way to the
 * executor), and the lock that makes a claim and that hand-over one step as recovery sees it.
 * Recovery puts this server's PENDING queued rows back on their queue; without this it could put
 * back a row claimed a moment before, which would then be claimed and run a second time.
 */
final class ClaimedHere {
  private final ReentrantLock lock = new ReentrantLock();
  private final Set<String> handedOver = ConcurrentHashMap.newKeySet();

  /** Runs a claim and hands its rows over ({@link #handedOver}) with no requeue in between. */
  <T> T claim(Supplier<T> claimAndHandOver) {
    lock.lock();
    try {
      return claimAndHandOver.get();
    } finally {
      lock.unlock();
    }
  }

  /** A claimed workflow is on its way to the executor. */
  void handedOver(String workflowId) {
    handedOver.add(workflowId);
  }

  /** A claimed workflow ran (or is registered as running, or was refused by the executor). */
  void started(String workflowId) {
    handedOver.remove(workflowId);
  }

  /**
   * Runs {@code requeue} with the ids it must leave alone: those in {@code running} and those
   * claimed here on their way to run; no claim runs meanwhile.
   */
  List<String> requeue(Set<String> running, Function<List<String>, List<String>> requeue) {
    lock.lock();
    try {
      List<String> spared = new ArrayList<>(running);
      spared.addAll(handedOver);
      return requeue.apply(spared);
    } finally {
      lock.unlock();
    }
  }
}
