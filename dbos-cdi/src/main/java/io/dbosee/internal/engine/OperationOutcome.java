package io.dbosee.internal.engine;

/**
 * What a durable operation recorded: an output, an error, the id of a child workflow it started, or
 * nothing (a wait that ended empty), with the format the text is in.
 */
record OperationOutcome(String output, String error, String childWorkflowId, String serialization) {

  static OperationOutcome output(String output, String serialization) {
    return new OperationOutcome(output, null, null, serialization);
  }

  static OperationOutcome error(String error, String serialization) {
    return new OperationOutcome(null, error, null, serialization);
  }

  static OperationOutcome child(String childWorkflowId, String serialization) {
    return new OperationOutcome(null, null, childWorkflowId, serialization);
  }

  static OperationOutcome nothing(String serialization) {
    return new OperationOutcome(null, null, null, serialization);
  }
}
