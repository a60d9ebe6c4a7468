package io.dbosee.internal.cdi;

import io.dbosee.Queue;
import io.dbosee.QueueName;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.spi.InjectionPoint;
import jakarta.inject.Inject;

/** Produces {@code @QueueName("...") Queue}; the extension checks the names at deployment. */
@ApplicationScoped
public class QueueProducer {
  @Inject DBOSRuntime runtime;

  @Produces
  @QueueName("")
  Queue queue(InjectionPoint point) {
    for (var qualifier : point.getQualifiers()) {
      if (qualifier instanceof QueueName name) {
        return new EngineQueue(name.value(), runtime);
      }
    }
    throw new IllegalStateException("a Queue injection point without @QueueName: " + point);
  }
}
