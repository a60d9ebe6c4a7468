package io.dbosee.sample.it.inserver;

import io.dbosee.DBOS;
import io.dbosee.DBOSTransactionRolledBackException;
import io.dbosee.Step;
import io.dbosee.Transaction;
import io.dbosee.Workflow;
import io.dbosee.sample.ExampleRow;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * Test-only transaction steps and workflows. Each body counts its runs (by key, the workflow id)
 * and writes to {@code tx_probe_rows} through the persistence unit, so tests can tell what ran and
 * what was committed.
 */
@ApplicationScoped
public class TransactionProbes {
  private static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();

  @PersistenceContext(unitName = "sample")
  EntityManager em;

  @Inject TransactionProbes self;
  @Inject CallerTransactions callers;
  @Inject DBOS dbos;
  @Resource TransactionSynchronizationRegistry transactions;

  /** Auto-commit connections that never join a JTA transaction: a concurrent writer. */
  @Resource(lookup = "jdbc/dbosSystem")
  DataSource autocommit;

  /** How many times a body ran for {@code key}. */
  public static int runs(String key) {
    AtomicInteger runs = RUNS.get(key);
    return runs == null ? 0 : runs.get();
  }

  static int ran(String key) {
    return RUNS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
  }

  /** Writes a row through the persistence context, in the caller's JTA transaction. */
  public void insertProbeRow(String key, String label) {
    em.createNativeQuery("INSERT INTO tx_probe_rows (workflow_id, label) VALUES (?1, ?2)")
        .setParameter(1, key)
        .setParameter(2, label)
        .executeUpdate();
  }

  private String workflowId() {
    return dbos.workflowId().orElse("none");
  }

  @Transaction
  public String insertRow(String key, String label) {
    ran(key);
    insertProbeRow(key, label);
    Object isolation = em.createNativeQuery("SHOW transaction_isolation").getSingleResult();
    return label + " inserted (" + isolation + ")";
  }

  @Workflow
  public String insertWorkflow(String label) {
    return self.insertRow(workflowId(), label);
  }

  @Transaction
  public String insertThenRefuse(String key) throws ProbeRefusedException {
    ran(key);
    insertProbeRow(key, "refused");
    throw new ProbeRefusedException("refused after inserting, in " + key);
  }

  @Workflow
  public String refusingWorkflow() throws ProbeRefusedException {
    return self.insertThenRefuse(workflowId());
  }

  /** The entity is flushed at commit: a duplicate id fails the commit, not the body. */
  @Transaction
  public String persistExample(String key, String rowId) {
    ran(key);
    insertProbeRow(key, "before the duplicate");
    em.persist(new ExampleRow(rowId, "probe"));
    return "persisted " + rowId;
  }

  @Workflow
  public String commitFailureWorkflow(String rowId) {
    try {
      return self.persistExample(workflowId(), rowId);
    } catch (DBOSTransactionRolledBackException e) {
      return "rolled back: " + e.getMessage();
    }
  }

  /**
   * Reads a counter, then (first attempt only) lets a concurrent writer change it, then updates it:
   * under SERIALIZABLE the update fails with a serialization failure (40001).
   */
  @Transaction
  public String bumpCounter(String key) throws SQLException {
    int attempt = ran(key);
    Object before =
        em.createNativeQuery("SELECT n FROM tx_probe_counter WHERE id = ?1")
            .setParameter(1, key)
            .getSingleResult();
    if (attempt == 1) {
      try (Connection c = autocommit.getConnection();
          PreparedStatement ps =
              c.prepareStatement("UPDATE tx_probe_counter SET n = n + 100 WHERE id = ?")) {
        ps.setString(1, key);
        ps.executeUpdate();
      }
    }
    em.createNativeQuery("UPDATE tx_probe_counter SET n = n + 1 WHERE id = ?1")
        .setParameter(1, key)
        .executeUpdate();
    return "attempt " + attempt + " read " + before;
  }

  @Workflow
  public String bumpWorkflow() throws SQLException {
    return self.bumpCounter(workflowId());
  }

  /** Whether the body runs in a JTA transaction. */
  @Transaction
  public String report(String key) {
    ran(key);
    return "tx=" + (transactions.getTransactionKey() != null);
  }

  @Step
  public String stepCallingTransaction(String key) {
    return self.report(key);
  }

  @Workflow
  public String nestedWorkflow() {
    return self.stepCallingTransaction(workflowId());
  }

  @Transaction
  public String outsideInsert(String key) {
    ran(key);
    insertProbeRow(key, "outside");
    return "tx=" + (transactions.getTransactionKey() != null);
  }

  /** Calls a transaction step from inside a JTA transaction that then rolls back. */
  @Workflow
  public String ownUnitWorkflow() {
    try {
      return callers.insertThenFail(workflowId());
    } catch (IllegalStateException e) {
      return e.getMessage();
    }
  }
}
