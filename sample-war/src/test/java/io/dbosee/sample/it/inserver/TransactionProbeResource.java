package io.dbosee.sample.it.inserver;

import io.dbosee.DBOS;
import io.dbosee.internal.cdi.DBOSRuntime;
import io.dbosee.internal.engine.DBOSEngine;
import io.dbosee.internal.engine.ExecutionHooks;
import io.dbosee.internal.engine.StepDefinition;
import io.dbosee.internal.engine.WorkflowDefinition;
import io.dbosee.internal.engine.serialization.PortableJsonSerializer;
import io.dbosee.internal.jpa.TransactionSteps;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.lang.reflect.Type;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/** Test-only endpoints that run the transaction probes; failures are answered as text. */
@Path("/test/tx")
@RequestScoped
public class TransactionProbeResource {
  @Inject TransactionProbes probes;
  @Inject CallerTransactions callers;
  @Inject DBOS dbos;
  @Inject DBOSRuntime runtime;
  @Inject TransactionSteps steps;
  @Resource ManagedExecutorService executor;

  @Resource(lookup = "jdbc/dbosSystem")
  DataSource systemDatabase;

  private String inWorkflow(String id, Callable<String> workflow) {
    try (var scope = dbos.withWorkflowId(id)) {
      return workflow.call();
    } catch (Exception e) {
      return "threw " + e.getClass().getName() + ": " + e.getMessage();
    }
  }

  @GET
  @Path("insert")
  public String insert(@QueryParam("id") String id, @QueryParam("label") String label) {
    return inWorkflow(id, () -> probes.insertWorkflow(label));
  }

  @GET
  @Path("refuse")
  public String refuse(@QueryParam("id") String id) {
    return inWorkflow(id, probes::refusingWorkflow);
  }

  @GET
  @Path("commit-failure")
  public String commitFailure(@QueryParam("id") String id, @QueryParam("row") String row) {
    return inWorkflow(id, () -> probes.commitFailureWorkflow(row));
  }

  @GET
  @Path("bump")
  public String bump(@QueryParam("id") String id) {
    return inWorkflow(id, probes::bumpWorkflow);
  }

  @GET
  @Path("nested")
  public String nested(@QueryParam("id") String id) {
    return inWorkflow(id, probes::nestedWorkflow);
  }

  @GET
  @Path("own-unit")
  public String ownUnit(@QueryParam("id") String id) {
    return inWorkflow(id, probes::ownUnitWorkflow);
  }

  @GET
  @Path("outside")
  public String outside(@QueryParam("key") String key) {
    return probes.outsideInsert(key);
  }

  @GET
  @Path("outside-in-caller-tx")
  public String outsideInCallerTransaction(@QueryParam("key") String key) {
    try {
      return callers.callThenFail(key);
    } catch (IllegalStateException e) {
      return e.getMessage();
    }
  }

  @GET
  @Path("runs")
  public String runs(@QueryParam("key") String key) {
    return String.valueOf(TransactionProbes.runs(key));
  }

  /**
   * Two executions of one workflow at once, as two servers would run them: the application's engine
   * and a second engine on the same system database, each running the same transaction step. Both
   * bodies are inside their transactions before either commits.
   */
  @GET
  @Path("race")
  public String race(@QueryParam("id") String id) throws Exception {
    DBOSEngine first = runtime.engine();
    DBOSEngine second =
        new DBOSEngine(
            first.config(),
            systemDatabase,
            PortableJsonSerializer.create(),
            executor,
            ExecutionHooks.NONE);
    second.launch();
    try {
      StepDefinition step =
          steps.step(TransactionProbes.class.getMethod("insertRow", String.class, String.class));
      WorkflowDefinition workflow =
          new WorkflowDefinition(
              "race",
              TransactionProbeResource.class.getName(),
              new Type[0],
              String.class,
              10,
              TransactionProbeResource.class.getClassLoader(),
              arguments -> null);
      CyclicBarrier bothInside = new CyclicBarrier(2);
      // The callers only wait: plain threads, so that the managed executor's threads all go to
      // the two workflows (a small pool would otherwise starve one of them).
      FutureTask<Object> a =
          new FutureTask<>(() -> runRace(first, workflow, step, id, bothInside, "first"));
      FutureTask<Object> b =
          new FutureTask<>(() -> runRace(second, workflow, step, id, bothInside, "second"));
      new Thread(a, "race-first").start();
      new Thread(b, "race-second").start();
      return a.get(90, TimeUnit.SECONDS) + " | " + b.get(90, TimeUnit.SECONDS);
    } finally {
      second.close();
    }
  }

  private Object runRace(
      DBOSEngine engine,
      WorkflowDefinition workflow,
      StepDefinition step,
      String id,
      CyclicBarrier bothInside,
      String who)
      throws Exception {
    try (AutoCloseable scope = engine.assignWorkflowId(id)) {
      return engine.runWorkflow(
          workflow,
          new Object[0],
          () ->
              engine.runStep(
                  step,
                  () -> {
                    TransactionProbes.ran(id);
                    probes.insertProbeRow(id, who);
                    bothInside.await(30, TimeUnit.SECONDS);
                    return "recorded by " + who;
                  }));
    }
  }
}
