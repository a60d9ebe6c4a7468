/**
 * Internal: the Jakarta layer. Turns annotations and MicroProfile Config into engine calls,
 * validates the application at deployment, and binds the engine to the server's managed executor
 * and DataSource. Not a public API: it may change in any release.
 */
package io.dbosee.internal.cdi;
