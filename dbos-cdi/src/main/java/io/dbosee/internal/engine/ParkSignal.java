package io.dbosee.internal.engine;

/**
 * Thrown through a workflow's body to unwind it when a long wait parks it: its thread goes back to
 * the executor, and the workflow is resumed by replay when it is woken. An {@link Error}, so that
 * ordinary {@code catch (Exception e)} blocks in workflow code let it pass; a body that catches it
 * anyway is unwound again at its next durable operation, and its result is not recorded.
 */
final class ParkSignal extends Error {
  /** The one instance: it carries no stack trace and no state. */
  static final ParkSignal PARK = new ParkSignal();

  private static final long serialVersionUID = 1L;

  private ParkSignal() {
    super(
        "the workflow released its thread during a long wait; it resumes by replay",
        null,
        false,
        false);
  }
}
