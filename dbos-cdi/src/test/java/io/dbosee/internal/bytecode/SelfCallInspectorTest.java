package io.dbosee.internal.bytecode;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbosee.Step;
import io.dbosee.Workflow;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SelfCallInspectorTest {
  private static final Path FIXTURES =
      Path.of("src/test/java/io/dbosee/internal/bytecode/Fixtures.java");

  private final SelfCallInspector inspector = new SelfCallInspector(SelfCallInspectorTest::label);

  static String label(Method method) {
    if (method.isAnnotationPresent(Step.class)) {
      return "@Step";
    }
    return method.isAnnotationPresent(Workflow.class) ? "@Workflow" : null;
  }

  @Test
  void findsADirectCallThroughThisWithItsLine() throws Exception {
    Inspection inspection = inspect(Fixtures.Orders.class, "checkout", String.class);

    assertThat(inspection.diagnostics()).isEmpty();
    assertThat(inspection.selfCalls()).hasSize(1);
    SelfCall call = inspection.selfCalls().get(0);
    assertThat(call.caller()).isEqualTo(Fixtures.Orders.class.getMethod("checkout", String.class));
    assertThat(call.callee()).isEqualTo(Fixtures.Orders.class.getMethod("charge", String.class));
    assertThat(call.calleeLabel()).isEqualTo("@Step");
    assertThat(call.path())
        .containsExactly(
            "checkout(Ljava/lang/String;)Ljava/lang/String;", "charge(Ljava/lang/String;)V");
    assertThat(call.sourceFile()).isEqualTo("Fixtures.java");
    assertThat(call.lineNumber()).isEqualTo(line("direct"));
    assertThat(call.inLambda()).isFalse();
  }

  @Test
  void describesTheCallTheLocationAndTheFix() throws Exception {
    SelfCall call = inspect(Fixtures.Orders.class, "checkout", String.class).selfCalls().get(0);

    assertThat(call.describe())
        .isEqualTo(
            "Orders.checkout(String) calls the @Step method charge(String) through 'this'"
                + " (Fixtures.java:"
                + line("direct")
                + ", via checkout -> charge): CDI does not intercept calls through 'this', so it"
                + " would run as a plain call, without being recorded by the workflow. Call it"
                + " through an injected reference (@Inject Orders self; self.charge(...)) or as an"
                + " inline step (dbos.runStep(\"charge\", () -> ...)).");
  }

  @Test
  void findsAnImplicitCallWithoutThisDot() throws Exception {
    assertThat(inspect(Fixtures.Orders.class, "implicitThis", String.class).selfCalls())
        .singleElement()
        .satisfies(
            call -> {
              assertThat(call.callee().getName()).isEqualTo("charge");
              assertThat(call.lineNumber()).isEqualTo(line("implicit"));
            });
  }

  @Test
  void recognisesThisBelowWideArguments() throws Exception {
    assertThat(inspect(Fixtures.Orders.class, "wideArguments", String.class).selfCalls())
        .singleElement()
        .satisfies(
            call -> {
              assertThat(call.callee())
                  .isEqualTo(
                      Fixtures.Orders.class.getMethod(
                          "pay", String.class, long.class, double.class));
              assertThat(call.lineNumber()).isEqualTo(line("wide"));
            });
  }

  @Test
  void ignoresCallsThroughAnInjectedSelfReference() throws Exception {
    Inspection inspection = inspect(Fixtures.Orders.class, "throughSelf", String.class);

    assertThat(inspection.selfCalls()).isEmpty();
    assertThat(inspection.diagnostics()).isEmpty();
  }

  @Test
  void ignoresCallsThroughAParameterOfTheSameType() throws Exception {
    Inspection inspection =
        inspect(Fixtures.Orders.class, "throughParameter", Fixtures.Orders.class, String.class);

    assertThat(inspection.selfCalls()).isEmpty();
    assertThat(inspection.diagnostics()).isEmpty();
  }

  @Test
  void followsAPrivateHelperAndReportsThePath() throws Exception {
    assertThat(inspect(Fixtures.Orders.class, "throughHelper", String.class).selfCalls())
        .singleElement()
        .satisfies(
            call -> {
              assertThat(call.path())
                  .containsExactly(
                      "throughHelper(Ljava/lang/String;)V",
                      "helper(Ljava/lang/String;)V",
                      "charge(Ljava/lang/String;)V");
              assertThat(call.lineNumber()).isEqualTo(line("helper"));
              assertThat(call.describe()).contains("via throughHelper -> helper -> charge");
            });
  }

  @Test
  void terminatesOnRecursionBetweenHelpers() throws Exception {
    assertThat(inspect(Fixtures.Orders.class, "recursiveHelpers", int.class).selfCalls())
        .singleElement()
        .satisfies(
            call -> {
              assertThat(call.callee().getName()).isEqualTo("reserve");
              assertThat(call.path())
                  .containsExactly(
                      "recursiveHelpers(I)V",
                      "ping(I)V",
                      "pong(I)V",
                      "reserve(Ljava/lang/String;)V");
              assertThat(call.lineNumber()).isEqualTo(line("recursive"));
            });
  }

  @Test
  void findsAStepInheritedFromASuperclass() throws Exception {
    assertThat(inspect(Fixtures.SubOrders.class, "inherited", String.class).selfCalls())
        .singleElement()
        .satisfies(
            call -> {
              assertThat(call.callee())
                  .isEqualTo(Fixtures.BaseOrders.class.getMethod("charge", String.class));
              assertThat(call.lineNumber()).isEqualTo(line("inherited"));
              assertThat(call.describe()).contains("@Inject SubOrders self; self.charge(...)");
            });
  }

  @Test
  void findsACallThroughSuper() throws Exception {
    assertThat(inspect(Fixtures.SubOrders.class, "viaSuper", String.class).selfCalls())
        .singleElement()
        .satisfies(
            call -> {
              assertThat(call.callee())
                  .isEqualTo(Fixtures.BaseOrders.class.getMethod("charge", String.class));
              assertThat(call.lineNumber()).isEqualTo(line("super"));
            });
  }

  @Test
  void resolvesAnOverrideLikeTheJvmAndFollowsItsSuperCall() throws Exception {
    assertThat(inspect(Fixtures.OverridingOrders.class, "checkout", String.class).selfCalls())
        .singleElement()
        .satisfies(
            call -> {
              assertThat(call.callee())
                  .isEqualTo(Fixtures.BaseOrders.class.getMethod("charge", String.class));
              assertThat(call.path())
                  .containsExactly(
                      "checkout(Ljava/lang/String;)V",
                      "charge(Ljava/lang/String;)V",
                      "charge(Ljava/lang/String;)V");
            });
  }

  @Test
  void ignoresAStaticMethodEvenWhenAnnotated() throws Exception {
    Inspection inspection = inspect(Fixtures.Orders.class, "staticStep", String.class);

    assertThat(inspection.selfCalls()).isEmpty();
    assertThat(inspection.diagnostics()).isEmpty();
  }

  @Test
  void ignoresANonDurableOverloadOfAStep() throws Exception {
    assertThat(inspect(Fixtures.Orders.class, "overloads", String.class).selfCalls()).isEmpty();
  }

  @Test
  void matchesTheDurableOverloadByDescriptor() throws Exception {
    assertThat(inspect(Fixtures.Orders.class, "durableOverload", String.class).selfCalls())
        .singleElement()
        .satisfies(
            call -> {
              assertThat(call.callee())
                  .isEqualTo(Fixtures.Orders.class.getMethod("charge", String.class));
              assertThat(call.lineNumber()).isEqualTo(line("overload"));
            });
  }

  @Test
  void findsAnotherWorkflowCalledThroughThis() throws Exception {
    assertThat(inspect(Fixtures.Orders.class, "callsWorkflow", String.class).selfCalls())
        .singleElement()
        .satisfies(
            call -> {
              assertThat(call.callee())
                  .isEqualTo(Fixtures.Orders.class.getMethod("checkout", String.class));
              assertThat(call.calleeLabel()).isEqualTo("@Workflow");
              assertThat(call.lineNumber()).isEqualTo(line("workflow"));
              assertThat(call.describe())
                  .contains("calls the @Workflow method checkout(String)")
                  .doesNotContain("runStep");
            });
  }

  @Test
  void ignoresStepCallsInsideALambdaPassedToRunStep() throws Exception {
    assertThat(inspect(Fixtures.Lambdas.class, "inlineStep", String.class).selfCalls()).isEmpty();
    assertThat(inspect(Fixtures.Lambdas.class, "inlineStepThroughLocal", String.class).selfCalls())
        .isEmpty();
    assertThat(inspect(Fixtures.Lambdas.class, "inlineStepMethodReference").selfCalls()).isEmpty();
    assertThat(inspect(Fixtures.Lambdas.class, "lambdaThenInlineStep", List.class).selfCalls())
        .isEmpty();
  }

  @Test
  void reportsStepCallsInsideOtherLambdasAsInLambda() throws Exception {
    assertThat(inspect(Fixtures.Lambdas.class, "forEachLambda", List.class).selfCalls())
        .singleElement()
        .satisfies(
            call -> {
              assertThat(call.inLambda()).isTrue();
              assertThat(call.callee())
                  .isEqualTo(Fixtures.Lambdas.class.getMethod("charge", String.class));
              assertThat(call.path()).hasSize(3);
              assertThat(call.path().get(1)).startsWith("lambda$forEachLambda$");
              assertThat(call.lineNumber()).isEqualTo(line("lambda"));
              assertThat(call.describe())
                  .contains("inside a lambda")
                  .contains("via forEachLambda -> lambda -> charge");
            });
  }

  @Test
  void reportsAMethodReferenceBoundToThisAsInLambda() throws Exception {
    assertThat(inspect(Fixtures.Lambdas.class, "forEachMethodReference", List.class).selfCalls())
        .singleElement()
        .satisfies(
            call -> {
              assertThat(call.inLambda()).isTrue();
              assertThat(call.path())
                  .containsExactly(
                      "forEachMethodReference(Ljava/util/List;)V", "charge(Ljava/lang/String;)V");
              assertThat(call.lineNumber()).isEqualTo(line("reference"));
            });
  }

  @Test
  void ignoresLambdasAndReferencesThatCallThroughSelf() throws Exception {
    Inspection inspection = inspect(Fixtures.Lambdas.class, "forEachThroughSelf", List.class);

    assertThat(inspection.selfCalls()).isEmpty();
    assertThat(inspection.diagnostics()).isEmpty();
  }

  @Test
  void reportsUnreadableBytecodeAsADiagnosticWithoutThrowing() throws Exception {
    Class<?> hidden = new HidingLoader(null).define(Fixtures.Orders.class);

    Inspection inspection = inspector.inspect(hidden, hidden.getMethod("checkout", String.class));

    assertThat(inspection.selfCalls()).isEmpty();
    assertThat(inspection.diagnostics())
        .singleElement()
        .asString()
        .contains(Fixtures.Orders.class.getName())
        .contains("not checked");
  }

  @Test
  void reportsCorruptBytecodeAsADiagnosticWithoutThrowing() throws Exception {
    Class<?> corrupt =
        new HidingLoader(new byte[] {(byte) 0xCA, (byte) 0xFE, 1, 2, 3})
            .define(Fixtures.Orders.class);

    Inspection inspection = inspector.inspect(corrupt, corrupt.getMethod("checkout", String.class));

    assertThat(inspection.selfCalls()).isEmpty();
    assertThat(inspection.diagnostics()).singleElement().asString().contains("cannot be read");
  }

  @Test
  void readsEachClassOnceForManyInspections() throws Exception {
    CountingLoader loader = new CountingLoader();
    Class<?> orders = loader.define(Fixtures.Orders.class);

    inspector.inspect(orders, orders.getMethod("checkout", String.class));
    Inspection second = inspector.inspect(orders, orders.getMethod("throughHelper", String.class));

    assertThat(loader.reads.get()).isEqualTo(1);
    assertThat(second.selfCalls()).hasSize(1);
  }

  private Inspection inspect(Class<?> bean, String method, Class<?>... parameters)
      throws NoSuchMethodException {
    return inspector.inspect(bean, bean.getMethod(method, parameters));
  }

  /** The line holding the marker comment {@code // LINE:name} in the fixtures' source. */
  private static int line(String name) {
    try {
      List<String> lines = Files.readAllLines(FIXTURES);
      int found = -1;
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).endsWith("// LINE:" + name)) {
          assertThat(found).as("one marker named " + name).isEqualTo(-1);
          found = i + 1;
        }
      }
      assertThat(found).as("marker " + name).isPositive();
      return found;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] bytesOf(Class<?> c) throws IOException {
    try (InputStream in =
        c.getClassLoader().getResourceAsStream(c.getName().replace('.', '/') + ".class")) {
      return in.readAllBytes();
    }
  }

  /** Defines a copy of a class whose bytes it then hides (null) or replaces with others. */
  private static final class HidingLoader extends ClassLoader {
    private final byte[] served;

    HidingLoader(byte[] served) {
      super(SelfCallInspectorTest.class.getClassLoader());
      this.served = served;
    }

    Class<?> define(Class<?> original) throws IOException {
      byte[] bytes = bytesOf(original);
      return defineClass(original.getName(), bytes, 0, bytes.length);
    }

    @Override
    public InputStream getResourceAsStream(String name) {
      return served == null ? null : new ByteArrayInputStream(served);
    }
  }

  /** Defines a copy of a class and counts how often its bytes are read back. */
  private static final class CountingLoader extends ClassLoader {
    final AtomicInteger reads = new AtomicInteger();
    private byte[] bytes;

    CountingLoader() {
      super(SelfCallInspectorTest.class.getClassLoader());
    }

    Class<?> define(Class<?> original) throws IOException {
      bytes = bytesOf(original);
      return defineClass(original.getName(), bytes, 0, bytes.length);
    }

    @Override
    public InputStream getResourceAsStream(String name) {
      reads.incrementAndGet();
      return new ByteArrayInputStream(bytes);
    }
  }
}
