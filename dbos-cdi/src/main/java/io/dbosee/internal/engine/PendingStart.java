package io.dbosee.internal.engine;

import io.dbosee.WorkflowHandle;

/** A start request and, once a workflow call took it, the handle to the started workflow. */
final class PendingStart {
  final StartSpec spec;
  WorkflowHandle<Object, Exception> handle;

  PendingStart(StartSpec spec) {
    this.spec = spec;
  }
}
