package io.dbosee.benchmarks;

import io.dbosee.Step;
import io.dbosee.Workflow;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The benchmark's workflow as an application writes it: a CDI bean, steps through a proxy. */
@ApplicationScoped
public class CdiWorkflows {
  @Inject CdiWorkflows self;

  @Workflow
  public String noopSteps(int steps, int payloadBytes) {
    for (int i = 0; i < steps; i++) {
      self.noop(payloadBytes);
    }
    return "done";
  }

  @Step
  public String noop(int payloadBytes) {
    return Payloads.of(payloadBytes);
  }
}
