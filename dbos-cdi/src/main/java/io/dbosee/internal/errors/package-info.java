/**
 * Internal: the registry of the library's error codes ({@code DBOS-CDI-nnn}, {@code DBOS-JPA-nnn}),
 * shared by the engine, the Jakarta layer and the {@code dbos-jpa-datasource} module. Plain Java
 * with no CDI, JTA, JPA or MicroProfile imports, so that the engine may use it. Not a public API:
 * it may change in any release (the codes themselves are stable and documented in {@code
 * docs/reference/errors.md}).
 */
package io.dbosee.internal.errors;
