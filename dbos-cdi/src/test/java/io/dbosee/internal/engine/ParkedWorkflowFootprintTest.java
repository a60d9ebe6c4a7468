package io.dbosee.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbosee.WorkflowHandle;
import io.dbosee.internal.engine.EngineHarness.WorkflowSpec;
import io.dbosee.internal.engine.serialization.PortableJsonSerializer;
import io.dbosee.internal.engine.serialization.Serializer;
import java.lang.ref.WeakReference;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A parked workflow keeps only what wakes and resumes it: neither its arguments nor its recorded
 * inputs stay in memory (its resumption reads them back from its row), so that one engine can hold
 * a hundred thousand parked workflows. Each wait that parks (recv, getEvent, a sleep) still resumes
 * with the arguments it was started with, and callers on this engine awaiting the result get it.
 */
class ParkedWorkflowFootprintTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final EngineHarness harness = new EngineHarness();
  private final CapturingSerializer serializer = new CapturingSerializer();

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void aWorkflowParkedInRecvKeepsNeitherItsArgumentsNorItsInputs() throws Exception {
    Parked parked = parkWith("recv");

    parked.engine.send("waiter", "hi", "t", null);

    parked.assertEveryCallerGets("100000 hi");
  }

  @Test
  void aWorkflowParkedInGetEventKeepsNeitherItsArgumentsNorItsInputs() throws Exception {
    Parked parked = parkWith("event");

    parked.setter.callWithId("setter");

    parked.assertEveryCallerGets("100000 set");
  }

  @Test
  void aWorkflowParkedInASleepKeepsNeitherItsArgumentsNorItsInputs() throws Exception {
    Parked parked = parkWith("sleep");

    // The sleep ends by itself.
    parked.assertEveryCallerGets("100000 slept");
  }

  /** A started workflow parked in {@code how}, checked to hold neither arguments nor inputs. */
  private Parked parkWith(String how) throws Exception {
    harness.serializer = serializer.serializer();
    WorkflowSpec setter =
        new WorkflowSpec(
            "setter",
            String.class,
            new Class<?>[] {},
            (engine, args) -> {
              engine.setEvent("k", "set");
              return "done";
            });
    WorkflowSpec waiter =
        new WorkflowSpec(
            "waiter",
            String.class,
            new Class<?>[] {String.class, String.class},
            (engine, args) -> {
              Duration patience = Duration.ofMinutes(10);
              Object got =
                  switch ((String) args[1]) {
                    case "recv" -> engine.recv("t", String.class, patience).orElse("none");
                    case "event" ->
                        engine.getEvent("setter", "k", String.class, patience).orElse("none");
                    default -> {
                      engine.sleep(Duration.ofSeconds(5));
                      yield "slept";
                    }
                  };
              return ((String) args[0]).length() + " " + got;
            });
    DBOSEngine engine =
        harness.engine(
            new EngineConfig("local", "v1", "dbos").withThreadHold(Duration.ZERO),
            Executors.newFixedThreadPool(4),
            List.of(),
            waiter,
            setter);
    await().atMost(WAIT).until(engine::receivingNotifications);

    Started started = start(engine, waiter, how);
    WorkflowHandle<Object, Exception> handle = started.handle();
    WeakReference<Object> argument = started.argument();
    CompletableFuture<Object> blocked =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return handle.getResult(WAIT);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    CompletableFuture<Object> async = handle.getResultAsync().toCompletableFuture();
    await().atMost(WAIT).until(() -> engine.parkedWorkflows() == 1);

    WeakReference<String> inputs = serializer.lastInputs;
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              System.gc();
              return inputs.get() == null && argument.get() == null;
            });
    assertThat(engine.parkedWorkflows()).as("still parked when they were collected").isEqualTo(1);
    Parked parked = new Parked();
    parked.engine = engine;
    parked.setter = setter;
    parked.handle = handle;
    parked.blocked = blocked;
    parked.async = async;
    return parked;
  }

  private record Started(
      WorkflowHandle<Object, Exception> handle, WeakReference<Object> argument) {}

  /** Starts the waiter with a large argument, of which the caller keeps no strong reference. */
  private static Started start(DBOSEngine engine, WorkflowSpec waiter, String how)
      throws Exception {
    Object large = "x".repeat(100_000);
    try (AutoCloseable id = engine.assignWorkflowId("waiter")) {
      return new Started(
          engine.start(StartSpec.background(), () -> waiter.call(large, how)),
          new WeakReference<>(large));
    }
  }

  /** A parked workflow and the callers awaiting its result on this engine. */
  private static final class Parked {
    DBOSEngine engine;
    WorkflowSpec setter;
    WorkflowHandle<Object, Exception> handle;
    CompletableFuture<Object> blocked;
    CompletableFuture<Object> async;

    void assertEveryCallerGets(String result) throws Exception {
      assertThat(handle.getResult(WAIT)).isEqualTo(result);
      assertThat(blocked.get(60, TimeUnit.SECONDS)).isEqualTo(result);
      assertThat(async.get(60, TimeUnit.SECONDS)).isEqualTo(result);
      assertThat(engine.parkedWorkflows()).isZero();
    }
  }

  /** Portable JSON, remembering the last inputs it wrote without keeping them. */
  private static final class CapturingSerializer {
    volatile WeakReference<String> lastInputs = new WeakReference<>(null);

    Serializer serializer() {
      Serializer json = PortableJsonSerializer.create();
      return (Serializer)
          Proxy.newProxyInstance(
              Serializer.class.getClassLoader(),
              new Class<?>[] {Serializer.class},
              (proxy, method, arguments) -> {
                Object result;
                try {
                  result = method.invoke(json, arguments);
                } catch (InvocationTargetException e) {
                  throw e.getCause();
                }
                if (method.getName().equals("serializeArguments")) {
                  lastInputs = new WeakReference<>((String) result);
                }
                return result;
              });
    }
  }
}
