package io.dbosee.internal.engine;

import io.dbosee.WorkflowHandle;

/** A start request and, once a workflow call took it, the handle to the started workflow. */
final class PendingStart {
  final StartSpec spec;

  /** Null, or how the call is debounced instead of started at once. */
  final DebounceSpec debounce;

  WorkflowHandle<Object, Exception> handle;

  PendingStart(StartSpec spec) {
    this(spec, null);
  }

  PendingStart(StartSpec spec, DebounceSpec debounce) {
    this.spec = spec;
    this.debounce = debounce;
  }
}
