package io.dbosee;

/**
 * A computation without a result that may throw a checked exception, used by inline steps.
 *
 * @param <X> the exception type it may throw
 */
@FunctionalInterface
public interface CheckedRunnable<X extends Exception> {
  void run() throws X;
}
