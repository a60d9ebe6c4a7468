/**
 * Internal: the system database layer, the PostgreSQL schema the DBOS SDKs share (its migrations)
 * and the URL mode's connection pool ({@link io.dbosee.internal.engine.db.SystemDataSources}, over
 * HikariCP). Plain JDK and JDBC otherwise: no CDI, JTA, JPA or MicroProfile, and no reference to
 * the PostgreSQL driver's classes. Not a public API: it may change in any release.
 */
package io.dbosee.internal.engine.db;
