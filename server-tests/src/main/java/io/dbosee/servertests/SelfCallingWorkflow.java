package io.dbosee.servertests;

import io.dbosee.Step;
import io.dbosee.Workflow;
import jakarta.enterprise.context.ApplicationScoped;

/** Test-only misuse: a workflow calling its own step through 'this' must not deploy. */
@ApplicationScoped
public class SelfCallingWorkflow {
  @Workflow
  public String checkout(String order) {
    return charge(order);
  }

  @Step
  public String charge(String order) {
    return "charged " + order;
  }
}
