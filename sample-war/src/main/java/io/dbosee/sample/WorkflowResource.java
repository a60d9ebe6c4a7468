package io.dbosee.sample;

import io.dbosee.DBOS;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * {@code GET /workflow} runs the tutorial's workflow, {@code GET /queue} its queue example and
 * {@code GET /transaction} its transaction example, {@code GET /order} the orders example on two
 * databases, {@code GET /checkout} the checkout example (the transactional outbox); {@code GET
 * /steps} shows what really ran.
 */
@Path("/")
@RequestScoped
public class WorkflowResource {

  @Inject Workflows workflows;
  @Inject QueueWorkflows queueWorkflows;
  @Inject StepExecutions executions;
  @Inject DBOS dbos;
  @Inject TransactionExample transactions;
  @Inject OrdersExample ordersExample;
  @Inject CheckoutExample checkoutExample;

  /**
   * Starts the workflow and answers when it is done, holding no thread meanwhile. With {@code
   * ?id=...} the workflow gets that id: calling again with the id of a finished workflow returns
   * its result without running it.
   */
  @GET
  @Path("workflow")
  @Produces(MediaType.TEXT_PLAIN)
  public CompletionStage<String> workflow(@QueryParam("id") String id) {
    if (id == null || id.isBlank()) {
      return workflows.workflow().thenApply(result -> result + "\n");
    }
    try (var scope = dbos.withWorkflowId(id)) {
      return workflows.workflow().thenApply(result -> result + "\n");
    }
  }

  /**
   * Runs the queue workflow (ten steps enqueued on {@code example-queue}) and answers when all have
   * finished. {@code ?id=...} gives it an id, as for {@code /workflow}.
   */
  @GET
  @Path("queue")
  @Produces(MediaType.TEXT_PLAIN)
  public String queue(@QueryParam("id") String id) throws InterruptedException {
    if (id == null || id.isBlank()) {
      return queueWorkflows.queueWorkflow() + "\n";
    }
    try (var scope = dbos.withWorkflowId(id)) {
      return queueWorkflows.queueWorkflow() + "\n";
    }
  }

  /** Runs the tutorial's transaction workflow: inserts one row, then counts the rows. */
  @GET
  @Path("transaction")
  @Produces(MediaType.TEXT_PLAIN)
  public String transaction() {
    return "Row count: " + transactions.transactionWorkflow() + "\n";
  }

  /**
   * Runs the orders example: places an order for {@code ?item=...} (default {@code book}) in the
   * orders database and records the sale in the sample's database. {@code ?id=...} gives the
   * workflow an id, as for {@code /workflow}.
   */
  @GET
  @Path("order")
  @Produces(MediaType.TEXT_PLAIN)
  public String order(@QueryParam("item") String item, @QueryParam("id") String id) {
    String what = item == null || item.isBlank() ? "book" : item;
    if (id == null || id.isBlank()) {
      return ordersExample.orderWorkflow(what) + "\n";
    }
    try (var scope = dbos.withWorkflowId(id)) {
      return ordersExample.orderWorkflow(what) + "\n";
    }
  }

  /**
   * Runs the checkout example: places a purchase of {@code ?item=...} (default {@code book}) and
   * enqueues its shipment in one transaction; the shipment runs once it commits. With {@code
   * ?decline=true} the payment fails after the enqueue: 402, and neither the purchase nor the
   * shipment exists.
   */
  @GET
  @Path("checkout")
  @Produces(MediaType.TEXT_PLAIN)
  public Response checkout(
      @QueryParam("item") String item, @QueryParam("decline") boolean decline) {
    String what = item == null || item.isBlank() ? "book" : item;
    try {
      String purchaseId = checkoutExample.checkout(what, decline);
      return Response.ok(
              "Purchase "
                  + purchaseId
                  + " placed for "
                  + what
                  + "; shipment "
                  + CheckoutExample.shipmentOf(purchaseId)
                  + " enqueued\n")
          .build();
    } catch (CheckoutExample.PaymentDeclinedException e) {
      return Response.status(Response.Status.PAYMENT_REQUIRED)
          .entity(
              e.getMessage()
                  + ": rolled back, with its shipment "
                  + CheckoutExample.shipmentOf(e.purchaseId())
                  + "\n")
          .build();
    }
  }

  /** How many times each step of each workflow ran: one line per workflow and step. */
  @GET
  @Path("steps")
  @Produces(MediaType.TEXT_PLAIN)
  public String steps() {
    return executions.all().stream()
        .map(e -> e.workflowId() + " " + e.step() + " ran " + e.executions() + " time(s)\n")
        .collect(Collectors.joining("", "workflow step executions\n", ""));
  }
}
