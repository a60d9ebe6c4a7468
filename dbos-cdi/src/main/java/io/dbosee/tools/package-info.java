/**
 * Commands an operator runs from the dbos-cdi jar, without starting a server: {@link
 * io.dbosee.tools.MigrateCommand} migrates the system database. Their command lines are stable;
 * their classes are not an API for applications.
 */
package io.dbosee.tools;
