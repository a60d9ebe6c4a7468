package io.dbosee.sample;

import io.dbosee.EnqueueOptions;
import io.dbosee.Queue;
import io.dbosee.QueueName;
import io.dbosee.Transaction;
import io.dbosee.Workflow;
import io.dbosee.WorkflowQueue;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * The checkout example: the transactional outbox. A {@code @Transactional} checkout persists the
 * purchase and enqueues its fulfilment workflow in one JTA transaction, so the shipment exists if
 * and only if the purchase commits: a declined payment, after the enqueue, rolls back both. The
 * enqueue goes through {@code dbos.outbox.datasource=jdbc/app}, the persistence unit's DataSource,
 * whose database holds the system schema (see microprofile-config.properties).
 */
@WorkflowQueue(name = CheckoutExample.FULFILMENT)
@ApplicationScoped
public class CheckoutExample {
  static final String FULFILMENT = "fulfilment";

  private static final Logger LOG = Logger.getLogger(CheckoutExample.class.getName());

  @PersistenceContext(unitName = "sample")
  EntityManager sample;

  @Inject
  @QueueName(FULFILMENT)
  Queue fulfilment;

  // Workflows and steps are called through this injected reference, never through `this`.
  @Inject CheckoutExample self;

  /** The id of the fulfilment workflow of a purchase. */
  public static String shipmentOf(String purchaseId) {
    return "ship-" + purchaseId;
  }

  /**
   * Places a purchase of {@code item} and enqueues its shipment; both commit when this method
   * returns. With {@code decline}, the payment fails after the enqueue: both roll back.
   *
   * @return the purchase's id
   * @throws PaymentDeclinedException when {@code decline}: nothing was placed or enqueued
   */
  @Transactional
  public String checkout(String item, boolean decline) {
    Purchase purchase = new Purchase(UUID.randomUUID().toString(), item);
    sample.persist(purchase);
    // Written in this transaction: no ENQUEUED row unless the purchase commits too.
    fulfilment.enqueue(
        () -> self.ship(purchase.getId()),
        EnqueueOptions.DEFAULT.withWorkflowId(shipmentOf(purchase.getId())));
    if (decline) {
      throw new PaymentDeclinedException(purchase.getId());
    }
    return purchase.getId();
  }

  /** The fulfilment workflow: runs once the checkout's transaction has committed. */
  @Workflow
  public String ship(String purchaseId) {
    self.markShipped(purchaseId);
    LOG.info("Shipped purchase " + purchaseId);
    return "shipped " + purchaseId;
  }

  @Transaction
  public void markShipped(String purchaseId) {
    sample.find(Purchase.class, purchaseId).ship();
  }

  /** The payment of a purchase was declined: its transaction rolls back. */
  public static class PaymentDeclinedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String purchaseId;

    public PaymentDeclinedException(String purchaseId) {
      super("Payment declined for purchase " + purchaseId);
      this.purchaseId = purchaseId;
    }

    public String purchaseId() {
      return purchaseId;
    }
  }
}
