package io.dbosee.internal.engine;

import java.util.Optional;

/**
 * A step whose outcome is recorded outside the system database, atomically with the step's own
 * effects (a transaction step records it in the application database, in the same transaction as
 * the user's writes). The engine still checkpoints the outcome in the system database afterwards;
 * this strategy only decides how the body runs and where a previous execution's outcome is found.
 *
 * <p>Invariant the engine relies on: once {@link #execute} has returned or thrown an outcome, a
 * later {@link #recorded} for the same workflow and position returns that outcome (or the one a
 * concurrent execution recorded first), so a crash between this record and the system checkpoint
 * never runs the body again.
 */
public interface StepExecution {

  /**
   * The outcome a previous execution recorded for this step, or empty. The engine asks only when
   * the workflow ran before (a recovery, a re-run of the same id); a workflow started afresh has
   * none.
   */
  Optional<RecordedOutcome> recorded(StepCall call) throws Exception;

  /**
   * Runs {@code body} so that its outcome is recorded together with its effects, and returns its
   * result or throws its exception. When another execution recorded an outcome first, returns or
   * throws that one instead (see {@link StepCall#replay}). An outcome for which {@link
   * StepCall#mustStayPending} holds must be thrown without being recorded.
   */
  Object execute(StepCall call, Invocation body) throws Exception;

  /**
   * An outcome as stored: exactly one of {@code output} (possibly JSON null) and {@code error} is
   * set, both written in the {@code serialization} format.
   */
  record RecordedOutcome(String output, String error, String serialization) {}
}
