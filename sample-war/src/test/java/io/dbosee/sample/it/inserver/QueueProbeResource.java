package io.dbosee.sample.it.inserver;

import io.dbosee.Queue;
import io.dbosee.QueueName;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.time.Duration;

/** Test-only endpoint: runs {@link QueueProbes#lookUp} as a queued step and returns its answer. */
@Path("/test/queued-lookup")
@RequestScoped
public class QueueProbeResource {
  @Inject QueueProbes probes;

  @Inject
  @QueueName("example-queue")
  Queue queue;

  @GET
  public String lookUp(@QueryParam("name") String name) throws Exception {
    return queue.enqueue(() -> probes.lookUp(name)).getResult(Duration.ofSeconds(60));
  }
}
