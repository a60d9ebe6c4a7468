package io.dbosee;

/**
 * How {@link DBOS#forkWorkflow} makes the new workflow: immutable, validated on construction.
 *
 * <pre>{@code
 * dbos.forkWorkflow(id, 2, ForkOptions.DEFAULT.withNewWorkflowId("retry-" + id));
 * }</pre>
 *
 * @param newWorkflowId the new workflow's id; a new UUID when null
 * @param applicationVersion the version the new workflow belongs to (only servers running that
 *     version run it); null: the original workflow's version
 */
public record ForkOptions(String newWorkflowId, String applicationVersion) {

  /** A generated id, the original's application version. */
  public static final ForkOptions DEFAULT = new ForkOptions(null, null);

  public ForkOptions {
    if (newWorkflowId != null && newWorkflowId.isBlank()) {
      throw new IllegalArgumentException(
          "newWorkflowId must be null (a new UUID) or non-blank, got '" + newWorkflowId + "'");
    }
    if (applicationVersion != null && applicationVersion.isBlank()) {
      throw new IllegalArgumentException(
          "applicationVersion must be null (the original's) or non-blank, got '"
              + applicationVersion
              + "'");
    }
  }

  public ForkOptions withNewWorkflowId(String newWorkflowId) {
    return new ForkOptions(newWorkflowId, applicationVersion);
  }

  public ForkOptions withApplicationVersion(String applicationVersion) {
    return new ForkOptions(newWorkflowId, applicationVersion);
  }
}
