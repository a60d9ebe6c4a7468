package io.dbosee.internal.engine;

/** Rethrowing a recorded or caught exception as itself, checked or not. */
final class Outcomes {
  private Outcomes() {}

  /**
   * Throws {@code t} without wrapping. Sound because every exception an intercepted method or step
   * body can throw was thrown by that same body (or recorded from it) in the first place.
   */
  @SuppressWarnings("unchecked")
  static <X extends Throwable> RuntimeException sneakyThrow(Throwable t) throws X {
    throw (X) t;
  }
}
