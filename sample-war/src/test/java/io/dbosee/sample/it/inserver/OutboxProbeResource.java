package io.dbosee.sample.it.inserver;

import io.dbosee.DBOS;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.util.concurrent.Callable;

/**
 * Test-only endpoints of the outbox probes. They hold no transaction themselves; failures are
 * answered as text.
 */
@Path("/test/outbox")
@RequestScoped
public class OutboxProbeResource {
  @Inject OutboxProbes probes;
  @Inject OutboxWorkflows workflows;
  @Inject DBOS dbos;

  private static String answer(Callable<String> call) {
    try {
      return call.call();
    } catch (Exception e) {
      return "threw " + e.getClass().getName() + ": " + e.getMessage();
    }
  }

  /** Starts the inbox workflow (outside any transaction), then {@code placeAndDispatch}. */
  @GET
  @Path("place")
  public String place(@QueryParam("key") String key, @QueryParam("fail") boolean fail) {
    try (var scope = dbos.withWorkflowId(OutboxProbes.inboxId(key))) {
      dbos.startWorkflow(() -> workflows.inbox());
    }
    return answer(() -> probes.placeAndDispatch(key, fail));
  }

  @GET
  @Path("crash")
  public String crash(@QueryParam("key") String key) {
    return answer(() -> probes.placeThenCrash(key));
  }

  @GET
  @Path("result-inside")
  public String resultInside(@QueryParam("key") String key) {
    return answer(() -> probes.resultInside(key));
  }

  @GET
  @Path("duplicate")
  public String duplicate(@QueryParam("key") String key) {
    return answer(() -> probes.duplicate(key));
  }
}
