package io.dbosee.internal.engine.db;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * For tests of group commits: a DataSource that counts the connections taken and holds back the
 * next few until {@link #release}, so that a writer can be kept busy while other callers queue.
 */
final class HeldConnections {
  private final AtomicInteger taken = new AtomicInteger();
  private final AtomicInteger toHold = new AtomicInteger();
  private final CountDownLatch release = new CountDownLatch(1);

  /** {@code target}, counted and held back as this says. */
  DataSource wrap(DataSource target) {
    return (DataSource)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {DataSource.class},
            (self, method, args) -> {
              if (method.getName().equals("getConnection")) {
                taken.incrementAndGet();
                if (toHold.getAndDecrement() > 0) {
                  release.await(30, TimeUnit.SECONDS);
                }
              }
              try {
                return method.invoke(target, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  /** Connections taken so far. */
  int taken() {
    return taken.get();
  }

  void resetCount() {
    taken.set(0);
  }

  /** Holds back the next {@code n} connections taken until {@link #release}. */
  void holdNext(int n) {
    toHold.set(n);
  }

  /** Whether every connection to hold back has been asked for. */
  boolean allHeld() {
    return toHold.get() <= 0;
  }

  /** Lets the held connections (and every later one) through. */
  void release() {
    release.countDown();
  }

  /**
   * Threads waiting in {@code type}'s {@code entry} for a writer, not writing ({@code write} of
   * {@code type} not on their stack).
   */
  static long waitingIn(Class<?> type, String entry, String write) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getState() == Thread.State.WAITING)
        .map(t -> Arrays.asList(t.getStackTrace()))
        .filter(
            stack ->
                stack.stream()
                    .anyMatch(
                        e ->
                            e.getClassName().equals(type.getName())
                                && e.getMethodName().equals(entry)))
        .filter(
            stack ->
                stack.stream()
                    .noneMatch(
                        e ->
                            e.getClassName().equals(type.getName())
                                && e.getMethodName().equals(write)))
        .count();
  }
}
