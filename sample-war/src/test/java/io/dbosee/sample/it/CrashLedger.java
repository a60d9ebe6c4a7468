package io.dbosee.sample.it;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the crash workload ({@code inserver.CrashWorkload}) left in the database, read after every
 * kill and at the end, and the checks of the crash trials.
 *
 * <p>What "exactly once" means here. A plain step's effect (a row of {@code crash_effects}) is
 * committed before the step returns, and its checkpoint after: a step killed between the two has
 * run without a checkpoint and legitimately runs again after the restart (steps are at least once).
 * A step whose checkpoint was recorded must never run again. So after each kill (when the killed
 * server's sessions are gone and nothing more can change) the ledger notes each step's executions
 * and whether its checkpoint exists; at the end every step must have run exactly once more than the
 * executions it had at the last kill that found it without a checkpoint (once, if no kill found it
 * running), and a step checkpointed at a kill must have the executions it had then. A
 * {@code @Transaction} step's row commits with its outcome: exactly one per workflow, always.
 */
final class CrashLedger {
  /** A step of a workflow; the workload calls each step at most once per workflow. */
  record StepKey(String workflowId, String step) {}

  /** What one kill left: each step's executions, and which steps had their checkpoint. */
  private record Snapshot(Map<StepKey, Integer> executions, Set<StepKey> checkpointed) {}

  /** The figures of a run; {@link #failures} lists every violation found. */
  record Totals(
      int trials,
      int workflows,
      int lost,
      int duplicated,
      int rerun,
      int stepExecutions,
      int interruptedStepsRunAgain,
      List<String> failures) {
    @Override
    public String toString() {
      return String.format(
          "trials=%d, workflows=%d (every one started, children included), lost=%d,"
              + " duplicated=%d, re-run=%d; step executions=%d, of which %d re-ran a step"
              + " interrupted (killed or cut from its database) before its checkpoint",
          trials, workflows, lost, duplicated, rerun, stepExecutions, interruptedStepsRunAgain);
    }
  }

  interface Database {
    Connection connect() throws SQLException;
  }

  private final Database database;
  private final String prefix;
  private final List<Snapshot> kills = new ArrayList<>();
  private Instant interruptedUntil;

  /**
   * The ledger of the workflows whose ids start with {@code prefix} (their children's ids start
   * with their parent's), so that tests sharing a database each count their own.
   */
  CrashLedger(Database database, String prefix) {
    this.database = database;
    this.prefix = prefix;
  }

  /** Creates the workload's tables (once the database exists). */
  void createTables() throws SQLException {
    try (Connection c = database.connect();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS crash_effects (id BIGSERIAL PRIMARY KEY,"
              + " workflow_id TEXT NOT NULL, step TEXT NOT NULL, executor TEXT NOT NULL,"
              + " pid BIGINT NOT NULL, started_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),"
              + " ended_at TIMESTAMPTZ)");
      // No unique key on purpose: a duplicated transaction would show as a second row.
      s.execute(
          "CREATE TABLE IF NOT EXISTS crash_tx_rows (workflow_id TEXT NOT NULL,"
              + " step TEXT NOT NULL, pid BIGINT NOT NULL,"
              + " created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())");
    }
  }

  /**
   * Notes what a kill left, once the killed server's database sessions have ended (a commit it sent
   * just before dying may still be applied until then).
   */
  void recordKill() throws SQLException, InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (otherSessions() > 0) {
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("the killed server's database sessions did not end");
      }
      Thread.sleep(50);
    }
    kills.add(new Snapshot(executions(), checkpointed()));
  }

  /**
   * Notes an interruption that could not be frozen in a snapshot (the database went away, or one of
   * two servers was killed while the other ran on): a step that ran before {@code end} may run once
   * more after it, but only once.
   */
  void recordInterruption(Instant end) {
    interruptedUntil = end;
  }

  /** The client sessions on the database other than this one: the server's. */
  int otherSessions() throws SQLException {
    return (int)
        number(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
                + " AND datname = current_database() AND pid <> pg_backend_pid()");
  }

  /** The PENDING workflows of executor {@code executorId} whose id starts with {@code prefix}. */
  List<String> pendingOn(String executorId, String prefix) throws SQLException {
    return texts(
        "SELECT workflow_uuid FROM dbos.workflow_status WHERE executor_id = ? AND status ="
            + " 'PENDING' AND starts_with(workflow_uuid, ?) ORDER BY workflow_uuid",
        executorId,
        prefix);
  }

  /** Which of these workflows executor {@code executorId} owns. */
  List<String> ownedBy(String executorId, Collection<String> ids) throws SQLException {
    List<String> owned = new ArrayList<>();
    for (String id : ids) {
      owned.addAll(
          texts(
              "SELECT workflow_uuid FROM dbos.workflow_status WHERE executor_id = ?"
                  + " AND workflow_uuid = ?",
              executorId,
              id));
    }
    return owned;
  }

  /**
   * The most executions of {@code step} that ran at one moment (an execution the kill cut ends at
   * {@code killed}).
   */
  int maxConcurrentExecutions(String step, Instant killed) throws SQLException {
    return rows(
            "SELECT coalesce(max((SELECT count(*) FROM crash_effects b WHERE b.step = a.step"
                + " AND b.started_at <= a.started_at AND coalesce(b.ended_at, ?) >"
                + " a.started_at)), 0) FROM crash_effects a WHERE a.step = ?"
                + " AND starts_with(a.workflow_id, ?)",
            rs -> rs.getInt(1),
            killed,
            step,
            prefix)
        .get(0);
  }

  /**
   * How many workflows had executions on two servers at the same time (an execution the kill cut
   * ends at {@code killed}).
   */
  int executionsOverlappingOnTwoServers(Instant killed) throws SQLException {
    return rows(
            "SELECT count(DISTINCT a.workflow_id) FROM crash_effects a JOIN crash_effects b"
                + " ON a.workflow_id = b.workflow_id AND a.executor < b.executor"
                + " WHERE a.started_at < coalesce(b.ended_at, ?)"
                + " AND b.started_at < coalesce(a.ended_at, ?) AND starts_with(a.workflow_id, ?)",
            rs -> rs.getInt(1),
            killed,
            killed,
            prefix)
        .get(0);
  }

  /** How many workflows are not final yet (all of them, not only the ledger's). */
  long unfinished() throws SQLException {
    return number(
        "SELECT count(*) FROM dbos.workflow_status WHERE status IN ('PENDING', 'ENQUEUED')");
  }

  /** Which of these workflow ids have no row yet (their start did not reach the database). */
  Set<String> missing(Collection<String> ids) throws SQLException {
    Set<String> missing = new HashSet<>(ids);
    missing.removeAll(statuses().keySet());
    return missing;
  }

  /** The checks, once every workflow is final. */
  Totals check(int trials, Collection<String> started) throws SQLException {
    List<String> failures = new ArrayList<>();
    Map<String, String> statuses = statuses();
    Map<String, String> outputs = outputs();
    int lost = 0;
    for (String id : started) {
      if (!"SUCCESS".equals(statuses.get(id))) {
        lost++;
        failures.add("workflow " + id + " started by the test is " + statuses.get(id));
      } else if (!outputs.get(id).contains("received 'ping from " + id + "'")) {
        failures.add("workflow " + id + " answered " + outputs.get(id));
      }
    }
    for (var status : statuses.entrySet()) {
      if (!started.contains(status.getKey()) && !"SUCCESS".equals(status.getValue())) {
        lost++;
        failures.add("child workflow " + status.getKey() + " is " + status.getValue());
      }
    }

    Map<String, Integer> txRows = txRows();
    int duplicated = 0;
    for (String id : started) {
      int rows = txRows.getOrDefault(id, 0);
      if (rows > 1) {
        duplicated++;
      }
      if (rows != 1) {
        failures.add("workflow " + id + " committed its transaction step " + rows + " time(s)");
      }
    }

    Map<StepKey, Integer> executions = executions();
    Map<StepKey, Integer> after =
        interruptedUntil == null ? Map.of() : executionsStartedAfter(interruptedUntil);
    Set<StepKey> rerun = new HashSet<>();
    int runAgain = 0;
    int total = 0;
    for (var e : executions.entrySet()) {
      StepKey step = e.getKey();
      int ran = e.getValue();
      total += ran;
      int expected = 1;
      Integer frozen = null;
      for (Snapshot kill : kills) {
        Integer then = kill.executions().get(step);
        if (then == null) {
          continue;
        }
        if (frozen != null) {
          continue;
        }
        if (kill.checkpointed().contains(step)) {
          frozen = then;
          if (then != expected) {
            if (then > expected) {
              rerun.add(step);
            }
            failures.add(
                step + " had its checkpoint after " + then + " run(s), expected " + expected);
          }
        } else {
          expected = then + 1;
        }
      }
      if (frozen != null && ran != frozen) {
        rerun.add(step);
        failures.add(
            step + " ran " + ran + " time(s), but had its checkpoint after " + frozen + " run(s)");
      } else if (frozen == null && interruptedUntil != null) {
        int afterEnd = after.getOrDefault(step, 0);
        if (afterEnd > 1) {
          rerun.add(step);
          failures.add(
              step + " ran " + afterEnd + " times after the interruption, " + ran + " in all");
        }
      } else if (frozen == null && ran != expected) {
        if (ran > expected) {
          rerun.add(step);
        }
        failures.add(step + " ran " + ran + " time(s), expected " + expected);
      }
      runAgain += ran - 1;
    }
    // Independent of the kills' snapshots: no execution may start after its step's checkpoint.
    for (String late :
        rows(
            "SELECT e.workflow_id, e.step, e.started_at FROM crash_effects e"
                + " JOIN dbos.operation_outputs o ON o.workflow_uuid = e.workflow_id"
                + " AND o.function_name = e.step"
                + " WHERE e.started_at > to_timestamp(o.completed_at_epoch_ms / 1000.0)"
                + " AND starts_with(e.workflow_id, ?)",
            rs -> {
              rerun.add(stepKey(rs));
              return stepKey(rs) + " started at " + rs.getString(3) + ", after its checkpoint";
            },
            prefix)) {
      failures.add(late);
    }
    for (String id : started) {
      for (String step : List.of("first", "last")) {
        if (!executions.containsKey(new StepKey(id, step))) {
          failures.add("workflow " + id + " never ran its step " + step);
        }
      }
    }
    return new Totals(
        trials, statuses.size(), lost, duplicated, rerun.size(), total, runAgain, failures);
  }

  private Map<StepKey, Integer> executions() throws SQLException {
    return executionsStartedAfter(Instant.EPOCH);
  }

  private Map<StepKey, Integer> executionsStartedAfter(Instant start) throws SQLException {
    Map<StepKey, Integer> executions = new HashMap<>();
    rows(
        "SELECT workflow_id, step, count(*) FROM crash_effects WHERE started_at > ?"
            + " AND starts_with(workflow_id, ?) GROUP BY 1, 2",
        rs -> executions.put(stepKey(rs), rs.getInt(3)),
        start,
        prefix);
    return executions;
  }

  /**
   * The steps whose checkpoint exists: a row of operation_outputs with the step's name, or (for a
   * step enqueued on its own, which runs as a one-step workflow) a finished workflow.
   */
  private Set<StepKey> checkpointed() throws SQLException {
    return new HashSet<>(
        rows(
            "SELECT e.workflow_id, e.step FROM (SELECT DISTINCT workflow_id, step FROM"
                + " crash_effects WHERE starts_with(workflow_id, ?)) e WHERE EXISTS (SELECT 1 FROM dbos.operation_outputs o"
                + " WHERE o.workflow_uuid = e.workflow_id AND o.function_name = e.step)"
                + " OR EXISTS (SELECT 1 FROM dbos.workflow_status w"
                + " WHERE w.workflow_uuid = e.workflow_id AND w.status IN ('SUCCESS', 'ERROR'))",
            CrashLedger::stepKey,
            prefix));
  }

  private static StepKey stepKey(ResultSet rs) throws SQLException {
    return new StepKey(rs.getString(1), rs.getString(2));
  }

  private Map<String, String> statuses() throws SQLException {
    return pairs(
        "SELECT workflow_uuid, status FROM dbos.workflow_status WHERE starts_with(workflow_uuid, ?)");
  }

  private Map<String, String> outputs() throws SQLException {
    return pairs(
        "SELECT ws.workflow_uuid, coalesce(wo.output, wo.error, ws.output, ws.error, '')"
            + " FROM dbos.workflow_status ws LEFT JOIN dbos.workflow_output wo"
            + " USING (workflow_uuid) WHERE starts_with(ws.workflow_uuid, ?)");
  }

  private Map<String, Integer> txRows() throws SQLException {
    Map<String, Integer> rows = new HashMap<>();
    pairs(
            "SELECT workflow_id, count(*)::text FROM crash_tx_rows"
                + " WHERE starts_with(workflow_id, ?) GROUP BY 1")
        .forEach((id, n) -> rows.put(id, Integer.parseInt(n)));
    return rows;
  }

  /** The query's pairs of texts, given the ledger's prefix as its one argument. */
  private Map<String, String> pairs(String sql) throws SQLException {
    Map<String, String> pairs = new TreeMap<>();
    rows(sql, rs -> pairs.put(rs.getString(1), rs.getString(2)), prefix);
    return pairs;
  }

  private long number(String sql) throws SQLException {
    return rows(sql, rs -> rs.getLong(1)).get(0);
  }

  private List<String> texts(String sql, Object... args) throws SQLException {
    return rows(sql, rs -> rs.getString(1), args);
  }

  /** Reads one row of a result. */
  private interface Row<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /** Runs the query with {@code args} (an Instant as a timestamp) and reads each row. */
  private <T> List<T> rows(String sql, Row<T> row, Object... args) throws SQLException {
    List<T> rows = new ArrayList<>();
    try (Connection c = database.connect();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(
            i + 1,
            args[i] instanceof Instant instant
                ? OffsetDateTime.ofInstant(instant, ZoneOffset.UTC)
                : args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(row.read(rs));
        }
      }
    }
    return rows;
  }
}
