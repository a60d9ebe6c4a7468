/**
 * Internal: the durable-execution engine. Plain Java with no CDI, Interceptors, JTA, JPA or
 * MicroProfile imports (a test enforces it), built from constructor arguments so that it can be
 * tested without a container. Not a public API: it may change in any release.
 */
package io.dbosee.internal.engine;
