/**
 * Internal: the durable-execution engine. Plain Java with no CDI, Interceptors, JTA, JPA or
 * MicroProfile imports (a test enforces it), built from constructor arguments so that it can be
 * tested without a container. Not a public API: it may change in any release.
 *
 * <p>Where to start: {@link io.dbosee.internal.engine.DBOSEngine} is the facade the Jakarta layer
 * calls, and names the part each call goes to. A step's checkpoint is taken and written in {@link
 * io.dbosee.internal.engine.DurableOperations}, which lists every write to {@code
 * operation_outputs}; a workflow's own row in {@link io.dbosee.internal.engine.WorkflowExecution}.
 * docs/internals/architecture.md has the class map and the path of a workflow id.
 */
package io.dbosee.internal.engine;
