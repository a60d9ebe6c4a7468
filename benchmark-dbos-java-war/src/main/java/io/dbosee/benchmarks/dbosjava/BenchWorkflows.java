package io.dbosee.benchmarks.dbosjava;

import java.sql.SQLException;

/** The benchmark's workflows as DBOS Java wants them: an interface that it proxies. */
public interface BenchWorkflows {
  /** A workflow of {@code steps} no-op steps. */
  String noopSteps(int steps);

  /** A workflow of one transactional step that inserts the workflow's order row. */
  String order() throws SQLException;
}
