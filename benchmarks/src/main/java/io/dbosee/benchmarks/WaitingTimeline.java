package io.dbosee.benchmarks;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a waiting workflow's time went, from what the system database recorded for the workflows of
 * one run (ids starting with a prefix): from its creation to its first step, each sleep's delay
 * past its one second (from the sleep's start to the start of the next operation), from its last
 * step to its completion, and from its creation to its completion; each as p50 / p90 / p99 / max
 * over the run's workflows, in ms.
 */
final class WaitingTimeline {
  private WaitingTimeline() {}

  private static final String PARTS =
      """
      WITH o AS (
        SELECT workflow_uuid, function_id, function_name, started_at_epoch_ms AS s,
               completed_at_epoch_ms AS c,
               lead(started_at_epoch_ms) OVER (PARTITION BY workflow_uuid ORDER BY function_id)
                 AS next_s,
               max(function_id) OVER (PARTITION BY workflow_uuid) AS last_id
        FROM dbos.operation_outputs WHERE workflow_uuid LIKE ?),
      w AS (SELECT workflow_uuid, created_at, completed_at FROM dbos.workflow_status
            WHERE workflow_uuid LIKE ?),
      parts AS (
        SELECT -1 AS k, 'first request sent to created' AS part, w.created_at - ? AS ms FROM w
        UNION ALL
        SELECT 0, 'created to first step', o.s - w.created_at AS ms
          FROM o JOIN w USING (workflow_uuid) WHERE o.function_id = 0
        UNION ALL
        SELECT o.function_id, 'sleep ' || o.function_id || ': late by', o.next_s - o.s - 1000
          FROM o WHERE o.function_name = 'DBOS.sleep'
        UNION ALL
        SELECT 100, 'last step to completed', w.completed_at - o.c
          FROM o JOIN w USING (workflow_uuid) WHERE o.function_id = o.last_id
        UNION ALL
        SELECT 101, 'created to completed', w.completed_at - w.created_at FROM w)
      SELECT part, count(ms),
             percentile_disc(0.5) WITHIN GROUP (ORDER BY ms),
             percentile_disc(0.9) WITHIN GROUP (ORDER BY ms),
             percentile_disc(0.99) WITHIN GROUP (ORDER BY ms), max(ms)
      FROM parts GROUP BY k, part ORDER BY k
      """;

  /**
   * A Markdown table of the parts, for the workflows whose id starts with {@code prefix}, the run's
   * first request sent at {@code sentAtMillis} (epoch ms, the same clock as the server's).
   */
  static String of(BenchPostgres postgres, String database, String prefix, long sentAtMillis)
      throws SQLException {
    StringBuilder s =
        new StringBuilder(
            "| part (ms) | workflows | p50 | p90 | p99 | max |\n|---|---|---|---|---|---|\n");
    try (Connection conn =
            DriverManager.getConnection(
                postgres.jdbcUrl(database), postgres.user(), postgres.password());
        PreparedStatement ps = conn.prepareStatement(PARTS)) {
      String like = prefix.replace("_", "\\_").replace("%", "\\%") + "%";
      ps.setString(1, like);
      ps.setString(2, like);
      ps.setLong(3, sentAtMillis);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          List<String> cells = new ArrayList<>();
          cells.add(rs.getString(1));
          for (int i = 2; i <= 6; i++) {
            cells.add(String.format(Locale.ROOT, "%d", rs.getLong(i)));
          }
          s.append("| ").append(String.join(" | ", cells)).append(" |\n");
        }
      }
    }
    return s.toString();
  }
}
