package io.dbosee.internal.engine;

/**
 * A per-thread setting for the next workflow started on this thread (its id, its timeout); closing
 * it restores the previous one.
 */
@FunctionalInterface
public interface ThreadScope extends AutoCloseable {
  @Override
  void close();
}
