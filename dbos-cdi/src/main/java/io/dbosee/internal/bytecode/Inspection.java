package io.dbosee.internal.bytecode;

import java.util.List;
import java.util.Objects;

/**
 * What {@link SelfCallInspector#inspect} found in one workflow method: the durable methods it calls
 * through {@code this}, and diagnostics about bytecode it could not read or analyze.
 *
 * <p>Pitfall: an empty {@link #selfCalls()} with diagnostics means "not fully checked", not
 * "clean"; the caller should log the diagnostics.
 *
 * @param selfCalls every call path found, in bytecode order
 * @param diagnostics one line per class or method that could not be read or analyzed
 */
public record Inspection(List<SelfCall> selfCalls, List<String> diagnostics) {

  /** Copies both lists, so an inspection never changes after it is returned. */
  public Inspection {
    selfCalls = List.copyOf(Objects.requireNonNull(selfCalls, "selfCalls"));
    diagnostics = List.copyOf(Objects.requireNonNull(diagnostics, "diagnostics"));
  }
}
