package io.dbosee;

/**
 * A computation that returns a value and may throw a checked exception, used by inline steps.
 *
 * @param <T> the result type
 * @param <X> the exception type it may throw
 */
@FunctionalInterface
public interface CheckedSupplier<T, X extends Exception> {
  T get() throws X;
}
