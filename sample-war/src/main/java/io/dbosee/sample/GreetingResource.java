package io.dbosee.sample;

import io.dbosee.DBOS;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * {@code GET /greeting/{name}} runs the tutorial's greeting-guestbook workflow; {@code GET
 * /greetings} shows the greetings it recorded in the database.
 */
@Path("/")
@RequestScoped
public class GreetingResource {

  @Inject Greetings greetings;
  @Inject DBOS dbos;

  @PersistenceContext(unitName = "sample")
  EntityManager em;

  /**
   * Starts the workflow and answers when it is done, holding no thread meanwhile. With {@code
   * ?id=...} the workflow gets that id: calling again with the id of a finished workflow returns
   * its result without running it.
   */
  @GET
  @Path("greeting/{name}")
  @Produces(MediaType.TEXT_PLAIN)
  public CompletionStage<String> greeting(
      @PathParam("name") String name, @QueryParam("id") String id) {
    if (id == null || id.isBlank()) {
      return greetings.greet(name).thenApply(greeting -> greeting + "\n");
    }
    try (var scope = dbos.withWorkflowId(id)) {
      return greetings.greet(name).thenApply(greeting -> greeting + "\n");
    }
  }

  /** One line per recorded greeting, with the workflow that recorded it. */
  @GET
  @Path("greetings")
  @Produces(MediaType.TEXT_PLAIN)
  public String recorded() {
    return em.createQuery("SELECT g FROM Greeting g ORDER BY g.name, g.workflowId", Greeting.class)
        .getResultStream()
        .map(g -> g.getName() + " (workflow " + g.getWorkflowId() + ")\n")
        .collect(Collectors.joining("", "recorded greetings\n", ""));
  }
}
