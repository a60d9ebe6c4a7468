package io.dbosee.internal.bytecode;

import io.dbosee.CheckedRunnable;
import io.dbosee.DBOS;
import io.dbosee.Step;
import io.dbosee.Workflow;
import java.util.List;

/**
 * Beans whose bytecode {@link SelfCallInspectorTest} reads; they are never run. A {@code // LINE:x}
 * comment marks the line a finding must point at.
 */
final class Fixtures {
  private Fixtures() {}

  static class Orders {
    Orders self;

    @Workflow
    public String checkout(String id) {
      this.charge(id); // LINE:direct
      return "done";
    }

    @Workflow
    public String implicitThis(String id) {
      charge(id); // LINE:implicit
      return id;
    }

    @Workflow
    public void wideArguments(String id) {
      pay(id, 10L, 2.5); // LINE:wide
    }

    @Workflow
    public void throughSelf(String id) {
      self.charge(id);
      self.pay(id, 1L, 1.0);
    }

    @Workflow
    public void throughParameter(Orders other, String id) {
      other.charge(id);
    }

    @Workflow
    public void throughHelper(String id) {
      validate(id);
      helper(id);
    }

    @Workflow
    public void recursiveHelpers(int n) {
      ping(n);
    }

    @Workflow
    public void staticStep(String id) {
      stamp(id);
    }

    @Workflow
    public void overloads(String id) {
      charge(id, 5); // not durable: same name, other descriptor
      self.charge(id);
    }

    @Workflow
    public void durableOverload(String id) {
      charge(id, 5);
      charge(id); // LINE:overload
    }

    @Workflow
    public void callsWorkflow(String id) {
      checkout(id); // LINE:workflow
    }

    private void validate(String id) {
      id.length();
    }

    private void helper(String id) {
      charge(id); // LINE:helper
    }

    private void ping(int n) {
      if (n > 0) {
        pong(n - 1);
      }
    }

    void pong(int n) {
      if (n > 0) {
        ping(n - 1);
      } else {
        reserve("x"); // LINE:recursive
      }
    }

    @Step
    public void charge(String id) {}

    public void charge(String id, int cents) {}

    @Step
    public void reserve(String id) {}

    @Step
    public void pay(String id, long cents, double rate) {}

    @Step
    public static void stamp(String id) {}
  }

  static class BaseOrders {
    @Step
    public void charge(String id) {}
  }

  static class SubOrders extends BaseOrders {
    @Workflow
    public void inherited(String id) {
      charge(id); // LINE:inherited
    }

    @Workflow
    public void viaSuper(String id) {
      super.charge(id); // LINE:super
    }
  }

  /**
   * Overrides the step without the annotation: this.charge() runs the plain override, whose
   * super.charge() is the unintercepted step.
   */
  static class OverridingOrders extends BaseOrders {
    @Override
    public void charge(String id) {
      audit(id);
      super.charge(id);
    }

    @Workflow
    public void checkout(String id) {
      charge(id);
    }

    private void audit(String id) {}
  }

  static class Lambdas {
    DBOS dbos;
    Lambdas self;

    @Workflow
    public String inlineStep(String id) throws Exception {
      return dbos.runStep(
          "charge",
          String.class,
          () -> {
            charge(id);
            return "ok";
          });
    }

    @Workflow
    public void inlineStepThroughLocal(String id) throws Exception {
      CheckedRunnable<RuntimeException> body = () -> charge(id);
      dbos.runStep("charge", body);
    }

    @Workflow
    public void inlineStepMethodReference() throws Exception {
      dbos.runStep("chargeAll", this::chargeAll);
    }

    @Workflow
    public void forEachLambda(List<String> ids) {
      ids.forEach(id -> charge(id)); // LINE:lambda
    }

    @Workflow
    public void forEachMethodReference(List<String> ids) {
      ids.forEach(this::charge); // LINE:reference
    }

    @Workflow
    public void forEachThroughSelf(List<String> ids) {
      ids.forEach(self::charge);
      ids.forEach(id -> self.charge(id));
    }

    @Workflow
    public void lambdaThenInlineStep(List<String> ids) {
      ids.forEach(id -> dbos.runStep("charge", () -> charge(id)));
    }

    @Step
    public void charge(String id) {}

    @Step
    public void chargeAll() {}
  }
}
