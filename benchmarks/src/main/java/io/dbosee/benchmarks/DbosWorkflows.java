package io.dbosee.benchmarks;

/** The benchmark's workflows as the DBOS Java SDK wants them: an interface to proxy. */
public interface DbosWorkflows {
  String noopSteps(int steps, int payloadBytes);

  String parked() throws InterruptedException;

  String order() throws java.sql.SQLException;
}
