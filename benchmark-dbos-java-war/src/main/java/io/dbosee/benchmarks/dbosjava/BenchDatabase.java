package io.dbosee.benchmarks.dbosjava;

import java.util.function.UnaryOperator;

/**
 * Where DBOS Java's system database is: the PostgreSQL that the benchmark's driver names in the
 * server's properties {@code bench.db.host}, {@code bench.db.port}, {@code bench.db.user} and
 * {@code bench.db.password}, database {@value #DATABASE} (its system tables and the application's
 * {@code bench_orders} in the one database, so that its statements and commits are counted apart
 * from the other contenders').
 */
record BenchDatabase(String host, int port, String user, String password) {
  static final String DATABASE = "bench_dbos_java";

  /**
   * Reads the four properties through {@code lookup} (null when unset). Host, port and user are
   * required: without them the application would silently reach some other PostgreSQL.
   */
  static BenchDatabase from(UnaryOperator<String> lookup) {
    String host = required(lookup, "bench.db.host");
    String port = required(lookup, "bench.db.port");
    String user = required(lookup, "bench.db.user");
    String password = lookup.apply("bench.db.password");
    int portNumber;
    try {
      portNumber = Integer.parseInt(port.trim());
    } catch (NumberFormatException e) {
      throw new IllegalStateException(
          "bench.db.port is '" + port + "', not a port number: set it to PostgreSQL's port", e);
    }
    return new BenchDatabase(host.trim(), portNumber, user, password == null ? "" : password);
  }

  /** The JDBC URL DBOS Java's configuration takes ({@code DBOSConfig.withDatabaseUrl}). */
  String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + DATABASE;
  }

  private static String required(UnaryOperator<String> lookup, String name) {
    String value = lookup.apply(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          name
              + " is not set: the benchmark's server passes bench.db.host, bench.db.port,"
              + " bench.db.user and bench.db.password (bootstrap.properties or -D in jvm.options)");
    }
    return value;
  }
}
