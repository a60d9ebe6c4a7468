package io.dbosee.internal.jpa;

import java.sql.SQLException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/** Reads PostgreSQL's SQLSTATE out of whatever wraps it (JPA, the transaction manager, JDBC). */
final class SqlStates {
  static final String SERIALIZATION_FAILURE = "40001";
  static final String DEADLOCK_DETECTED = "40P01";
  static final String UNIQUE_VIOLATION = "23505";

  private SqlStates() {}

  /** Whether running the transaction again may succeed: a serialization failure or a deadlock. */
  static boolean isRetryable(Throwable failure) {
    return has(failure, SERIALIZATION_FAILURE) || has(failure, DEADLOCK_DETECTED);
  }

  static boolean isUniqueViolation(Throwable failure) {
    return has(failure, UNIQUE_VIOLATION);
  }

  /** Whether {@code state} appears anywhere in the causes (and JDBC's chained exceptions). */
  static boolean has(Throwable failure, String state) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    return has(failure, state, seen);
  }

  private static boolean has(Throwable t, String state, Set<Throwable> seen) {
    if (t == null || !seen.add(t)) {
      return false;
    }
    if (t instanceof SQLException sql) {
      if (state.equals(sql.getSQLState())) {
        return true;
      }
      if (has(sql.getNextException(), state, seen)) {
        return true;
      }
    }
    for (Throwable suppressed : t.getSuppressed()) {
      if (has(suppressed, state, seen)) {
        return true;
      }
    }
    return has(t.getCause(), state, seen);
  }
}
