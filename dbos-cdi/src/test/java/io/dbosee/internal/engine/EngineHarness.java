package io.dbosee.internal.engine;

import io.dbosee.StepOptions;
import io.dbosee.internal.engine.serialization.PortableJsonSerializer;
import io.dbosee.testing.TestPostgres;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.sql.DataSource;

/**
 * Engines on one test database, as separate servers would be: each with its own executor. An engine
 * can be abandoned (left running, never closed) to stand for a server that died.
 */
final class EngineHarness implements AutoCloseable {
  final TestPostgres.Database database = TestPostgres.newDatabase();
  private final List<ExecutorService> executors = new ArrayList<>();

  DBOSEngine engine(String executorId, WorkflowSpec... workflows) {
    return engine(executorId, TimeSource.SYSTEM, workflows);
  }

  DBOSEngine engine(String executorId, TimeSource time, WorkflowSpec... workflows) {
    ExecutorService executor = Executors.newCachedThreadPool();
    executors.add(executor);
    DBOSEngine engine =
        new DBOSEngine(
            new EngineConfig(executorId, "v1", "dbos"),
            database.dataSource(),
            PortableJsonSerializer.create(),
            executor,
            ExecutionHooks.NONE,
            time);
    for (WorkflowSpec workflow : workflows) {
      workflow.bind(engine);
    }
    engine.launch();
    return engine;
  }

  DataSource dataSource() {
    return database.dataSource();
  }

  /** One column of one row, or null. */
  String query(String sql, Object... parameters) {
    return database.query(sql, parameters);
  }

  List<String> queryColumn(String sql, Object... parameters) {
    return database.column(sql, parameters);
  }

  String status(String workflowId) {
    return query("SELECT status FROM dbos.workflow_status WHERE workflow_uuid = ?", workflowId);
  }

  /** Stops every engine's threads at the end of a test, abandoned ones included. */
  @Override
  public void close() {
    executors.forEach(ExecutorService::shutdownNow);
  }

  /** A workflow defined as a lambda, called the way an interceptor would call it. */
  interface Body {
    Object run(DBOSEngine engine, Object[] arguments) throws Exception;
  }

  static final class WorkflowSpec {
    final String name;
    final Type[] parameterTypes;
    final Type returnType;
    final int maxRecoveryAttempts;
    final Body body;
    private DBOSEngine engine;
    private WorkflowDefinition definition;

    WorkflowSpec(String name, Type returnType, Type[] parameterTypes, Body body) {
      this(name, returnType, parameterTypes, 100, body);
    }

    WorkflowSpec(
        String name, Type returnType, Type[] parameterTypes, int maxRecoveryAttempts, Body body) {
      this.name = name;
      this.returnType = returnType;
      this.parameterTypes = parameterTypes;
      this.maxRecoveryAttempts = maxRecoveryAttempts;
      this.body = body;
    }

    /** A spec with the same address and body, for a second engine. */
    WorkflowSpec copy() {
      return new WorkflowSpec(name, returnType, parameterTypes, maxRecoveryAttempts, body);
    }

    void bind(DBOSEngine engine) {
      this.engine = engine;
      this.definition =
          new WorkflowDefinition(
              name,
              "test.Workflows",
              parameterTypes,
              returnType,
              maxRecoveryAttempts,
              EngineHarness.class.getClassLoader(),
              this::call);
      engine.register(definition);
    }

    Object call(Object... arguments) throws Exception {
      return engine.runWorkflow(definition, arguments, () -> body.run(engine, arguments));
    }

    Object callWithId(String workflowId, Object... arguments) throws Exception {
      try (AutoCloseable scope = engine.assignWorkflowId(workflowId)) {
        return call(arguments);
      }
    }
  }

  static Object step(DBOSEngine engine, String name, Invocation body) throws Exception {
    return step(engine, name, StepOptions.DEFAULT, Object.class, body);
  }

  static Object step(
      DBOSEngine engine, String name, StepOptions options, Type returnType, Invocation body)
      throws Exception {
    return engine.runStep(
        new StepDefinition(name, options, returnType, EngineHarness.class.getClassLoader()), body);
  }
}
