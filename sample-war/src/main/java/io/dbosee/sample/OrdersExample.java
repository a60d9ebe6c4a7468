package io.dbosee.sample;

import io.dbosee.DBOS;
import io.dbosee.Transaction;
import io.dbosee.TransactionOptions;
import io.dbosee.Workflow;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * The orders example: transaction steps on two databases. The order is placed in the sample's
 * second application database (the datasource {@code orders}, declared in
 * microprofile-config.properties), then the sale is recorded in the sample's own database by a
 * programmatic transaction step at READ COMMITTED. Each step's outcome is recorded in the {@code
 * datasource_outputs} of its own database, in the step's transaction, so neither runs twice.
 */
@ApplicationScoped
public class OrdersExample {
  private static final Logger LOG = Logger.getLogger(OrdersExample.class.getName());

  @PersistenceContext(unitName = "orders")
  EntityManager orders;

  @PersistenceContext(unitName = "sample")
  EntityManager sample;

  @Inject DBOS dbos;

  // Steps are called through this injected reference: CDI does not intercept calls through `this`.
  @Inject OrdersExample self;

  /**
   * Places the order in the orders database; its id, recorded with the step, is the same on replay.
   */
  @Transaction(datasource = "orders")
  public String placeOrder(String item) {
    CustomerOrder order = new CustomerOrder(UUID.randomUUID().toString(), item);
    orders.persist(order);
    LOG.info("Order " + order.getId() + " placed for " + item);
    return order.getId();
  }

  @Workflow
  public String orderWorkflow(String item) {
    String orderId = self.placeOrder(item);
    // Reading the count needs no more than READ COMMITTED: a concurrent sale may or may not be
    // counted, and the row inserted here is, either way.
    long sales =
        dbos.runTransaction(
            "recordSale",
            TransactionOptions.DEFAULT.withIsolation(Transaction.Isolation.READ_COMMITTED),
            Long.class,
            () -> {
              sample.persist(new Sale(orderId, item));
              sample.flush();
              return sample
                  .createQuery("SELECT COUNT(s) FROM Sale s", Long.class)
                  .getSingleResult();
            });
    return "Order " + orderId + " placed for " + item + "; sales recorded: " + sales;
  }
}
