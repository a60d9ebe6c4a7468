package io.dbosee.benchmarks.war;

import io.dbosee.benchmarks.floor.FloorRows;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The floor: for each of the contract's requests, the rows a durable workflow of that kind writes
 * ({@link FloorRows}, the same as the floor outside the server), by plain JDBC on one connection of
 * {@code jdbc/benchFloor} (configured as this library's DataSources), in the request. Answers once
 * every row is committed.
 */
@Path("/floor")
@ApplicationScoped
@Produces(MediaType.TEXT_PLAIN)
public class FloorResource {
  private static final FloorRows ROWS = new FloorRows("floor-queue");

  @Resource(lookup = "jdbc/benchFloor")
  DataSource floor;

  @GET
  @Path("workflow")
  public String workflow(@QueryParam("steps") int steps, @QueryParam("id") String id)
      throws SQLException {
    try (Connection c = floor.getConnection()) {
      ROWS.workflow(c, Ids.require(id), steps, 0);
    }
    return "done";
  }

  /** The order and the step's outcome in one transaction, then the checkpoint and the finish. */
  @GET
  @Path("transaction")
  public String transaction(@QueryParam("id") String id) throws SQLException {
    try (Connection c = floor.getConnection()) {
      ROWS.transactionWorkflow(c, Ids.require(id));
    }
    return "ordered";
  }

  /**
   * The enqueue, then a claim of the oldest enqueued workflow (this request's, or another's that
   * this one then runs in its place: the same rows either way), its one step and its finish.
   */
  @GET
  @Path("enqueue")
  public String enqueue(@QueryParam("id") String id) throws SQLException {
    try (Connection c = floor.getConnection()) {
      ROWS.enqueue(c, Ids.require(id), FloorRows.inputs(1, 0));
      Optional<FloorRows.Claimed> claimed = ROWS.claim(c);
      // Another request's claim may hold the only rows left: each request enqueued one, so there
      // is one for every claimer, once the others' locks are gone.
      while (claimed.isEmpty()) {
        claimed = ROWS.claim(c);
      }
      ROWS.run(c, claimed.get());
    }
    return "done";
  }
}
