package io.dbosee.sample;

import io.dbosee.Transaction;
import io.dbosee.Workflow;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.logging.Logger;

/**
 * The DBOS tutorial's transaction example: a workflow of two transaction steps, one that inserts a
 * row into {@code example_table} and one that counts the rows. Each step's writes and its
 * checkpoint commit together, so a crash never inserts a row twice.
 */
@ApplicationScoped
public class TransactionExample {
  private static final Logger LOG = Logger.getLogger(TransactionExample.class.getName());

  @PersistenceContext(unitName = "sample")
  EntityManager em;

  // Steps are called through this injected reference: CDI does not intercept calls through `this`.
  @Inject TransactionExample self;

  @Transaction
  public void insertRow() {
    em.persist(ExampleRow.named("dbos"));
  }

  @Transaction
  public long countRows() {
    long count = em.createQuery("SELECT COUNT(r) FROM ExampleRow r", Long.class).getSingleResult();
    LOG.info("Row count: " + count);
    return count;
  }

  @Workflow
  public long transactionWorkflow() {
    self.insertRow();
    return self.countRows();
  }
}
