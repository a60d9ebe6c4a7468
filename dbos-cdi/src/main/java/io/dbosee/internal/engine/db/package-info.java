/**
 * Internal: the system database layer, the PostgreSQL schema the DBOS SDKs share (its migrations)
 * and a thread-free connection pool. Plain JDK and JDBC only: no CDI, JTA, JPA or MicroProfile, and
 * no reference to the PostgreSQL driver's classes. Not a public API: it may change in any release.
 */
package io.dbosee.internal.engine.db;
