package io.dbosee.benchmarks.dbosjava;

import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Collections;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The PostgreSQL driver in this WAR, as DBOS Java's URL configuration needs it in a server.
 *
 * <p>DBOS Java opens its system database by URL (HikariCP, then {@link DriverManager}), and
 * DriverManager looks for drivers on the classpath only once per JVM: on a redeploy (or when
 * another application used JDBC first) it finds none that this WAR's class loader may use, and
 * launch fails with "Failed to get driver instance". Loading the driver class here registers it
 * first; deregistering this WAR's drivers when it stops lets its class loader go.
 */
final class JdbcDrivers {
  private static final Logger LOG = Logger.getLogger(JdbcDrivers.class.getName());
  private static final String POSTGRESQL = "org.postgresql.Driver";

  private JdbcDrivers() {}

  /** Registers PostgreSQL's driver (its static initializer does) as seen from this WAR. */
  static void registerPostgresql() {
    try {
      Class.forName(POSTGRESQL, true, JdbcDrivers.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(
          POSTGRESQL
              + " is not on the application's class path: package org.postgresql:postgresql in"
              + " WEB-INF/lib (dev.dbos:transact brings it) or give the server a library with it",
          e);
    }
  }

  /** Deregisters the drivers that this WAR's class loader loaded (not a shared library's). */
  static void deregisterOwn() {
    ClassLoader own = JdbcDrivers.class.getClassLoader();
    for (Driver driver : Collections.list(DriverManager.getDrivers())) {
      if (driver.getClass().getClassLoader() == own) {
        try {
          DriverManager.deregisterDriver(driver);
        } catch (SQLException e) {
          LOG.log(Level.WARNING, "could not deregister " + driver, e);
        }
      }
    }
  }
}
