/**
 * Internal: runs {@link io.dbosee.Transaction} steps in JTA transactions on the server's
 * transactional DataSources, recording each outcome in that application database ({@code
 * datasource_outputs}) in the same transaction as the step's own writes. Not a public API: it may
 * change in any release.
 */
package io.dbosee.internal.jpa;
