package io.dbosee.internal.cdi;

import io.dbosee.CheckedRunnable;
import io.dbosee.CheckedSupplier;
import io.dbosee.DBOS;
import io.dbosee.DBOSUnknownQueueException;
import io.dbosee.DebounceOptions;
import io.dbosee.ForkOptions;
import io.dbosee.ListWorkflowsInput;
import io.dbosee.Queue;
import io.dbosee.ScheduleStatus;
import io.dbosee.StepInfo;
import io.dbosee.StepOptions;
import io.dbosee.TransactionOptions;
import io.dbosee.WorkflowHandle;
import io.dbosee.WorkflowSchedule;
import io.dbosee.WorkflowStatus;
import io.dbosee.internal.engine.DebounceSpec;
import io.dbosee.internal.engine.StartSpec;
import io.dbosee.internal.engine.StepDefinition;
import io.dbosee.internal.errors.ErrorCode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/** The injectable {@link DBOS}: a thin adapter from the public API to the engine. */
@ApplicationScoped
@Typed(DBOS.class)
public class DBOSBean implements DBOS {
  @Inject DBOSRuntime runtime;
  @Inject Instance<TransactionRunner> transactionRunner;

  @Override
  public <T, X extends Exception> T runStep(
      String name, Class<T> resultType, CheckedSupplier<? extends T, X> body) throws X {
    return runStep(name, StepOptions.DEFAULT, resultType, body);
  }

  @Override
  public <T, X extends Exception> T runStep(
      String name, StepOptions options, Class<T> resultType, CheckedSupplier<? extends T, X> body)
      throws X {
    Objects.requireNonNull(resultType, "resultType");
    Objects.requireNonNull(body, "body");
    return resultType.cast(inline(name, options, resultType, body::get));
  }

  @Override
  public <X extends Exception> void runStep(String name, CheckedRunnable<X> body) throws X {
    runStep(name, StepOptions.DEFAULT, body);
  }

  @Override
  public <X extends Exception> void runStep(
      String name, StepOptions options, CheckedRunnable<X> body) throws X {
    Objects.requireNonNull(body, "body");
    inline(
        name,
        options,
        Void.class,
        () -> {
          body.run();
          return null;
        });
  }

  @SuppressWarnings("unchecked")
  private <X extends Exception> Object inline(
      String name, StepOptions options, Class<?> resultType, CheckedSupplier<?, X> body) throws X {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(
          "An inline step needs a name (it is recorded and checked on replay), got '" + name + "'");
    }
    Objects.requireNonNull(options, "options");
    Object result;
    try {
      result =
          runtime
              .engine()
              .runStep(new StepDefinition(name, options, resultType, loader(body)), body::get);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw (X) e; // the engine rethrows only what the body threw, or recorded from it
    }
    return result;
  }

  @Override
  public <T, X extends Exception> T runTransaction(
      String name,
      TransactionOptions options,
      Class<T> resultType,
      CheckedSupplier<? extends T, X> body)
      throws X {
    Objects.requireNonNull(resultType, "resultType");
    Objects.requireNonNull(body, "body");
    return resultType.cast(transaction(name, options, resultType, body));
  }

  @Override
  public <X extends Exception> void runTransaction(
      String name, TransactionOptions options, CheckedRunnable<X> body) throws X {
    Objects.requireNonNull(body, "body");
    transaction(
        name,
        options,
        Void.class,
        () -> {
          body.run();
          return null;
        });
  }

  @SuppressWarnings("unchecked")
  private <X extends Exception> Object transaction(
      String name, TransactionOptions options, Class<?> resultType, CheckedSupplier<?, X> body)
      throws X {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(
          "A transaction step needs a name (it is recorded and checked on replay), got '"
              + name
              + "'");
    }
    Objects.requireNonNull(options, "options");
    if (!transactionRunner.isResolvable()) {
      throw ErrorCode.NO_TRANSACTION_SUPPORT.illegalState(
          "runTransaction('"
              + name
              + "') needs the io.dbosee:dbos-jpa-datasource module, which runs transaction steps."
              + " Add that dependency to the application.");
    }
    try {
      return transactionRunner
          .get()
          .runTransaction(name, options, resultType, loader(body), body::get);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw (X) e; // only what the body threw, or recorded from it
    }
  }

  private static ClassLoader loader(Object body) {
    ClassLoader loader = body.getClass().getClassLoader();
    return loader != null ? loader : Thread.currentThread().getContextClassLoader();
  }

  @Override
  public void sleep(Duration duration) {
    runtime.engine().sleep(duration);
  }

  @Override
  public WorkflowIdScope withWorkflowId(String workflowId) {
    return runtime.engine().assignWorkflowId(workflowId)::close;
  }

  @Override
  public <T, X extends Exception> WorkflowHandle<T, X> startWorkflow(CheckedSupplier<T, X> call) {
    Objects.requireNonNull(call, "call");
    return runtime.start(StartSpec.background(), call::get);
  }

  @Override
  public <X extends Exception> WorkflowHandle<Void, X> startWorkflow(CheckedRunnable<X> call) {
    Objects.requireNonNull(call, "call");
    return runtime.start(
        StartSpec.background(),
        () -> {
          call.run();
          return null;
        });
  }

  @Override
  public <T, X extends Exception> WorkflowHandle<T, X> debounce(
      String key, Duration period, CheckedSupplier<T, X> call) {
    return debounce(DebounceOptions.of(key, period), call);
  }

  @Override
  public <X extends Exception> WorkflowHandle<Void, X> debounce(
      String key, Duration period, CheckedRunnable<X> call) {
    return debounce(DebounceOptions.of(key, period), call);
  }

  @Override
  public <T, X extends Exception> WorkflowHandle<T, X> debounce(
      DebounceOptions options, CheckedSupplier<T, X> call) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(call, "call");
    return runtime.debounce(spec(options), call::get);
  }

  @Override
  public <X extends Exception> WorkflowHandle<Void, X> debounce(
      DebounceOptions options, CheckedRunnable<X> call) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(call, "call");
    return runtime.debounce(
        spec(options),
        () -> {
          call.run();
          return null;
        });
  }

  private static DebounceSpec spec(DebounceOptions options) {
    return new DebounceSpec(
        options.key(), options.period(), options.timeout(), options.queueName());
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T, X extends Exception> WorkflowHandle<T, X> retrieveWorkflow(String workflowId) {
    return (WorkflowHandle<T, X>)
        (WorkflowHandle<?, ?>) runtime.engine().retrieveWorkflow(workflowId);
  }

  @Override
  public Queue queue(String name) {
    Objects.requireNonNull(name, "name");
    if (runtime.engine().queue(name).isEmpty()) {
      throw new DBOSUnknownQueueException(name, new TreeSet<>(runtime.engine().queueNames()));
    }
    return new EngineQueue(name, runtime);
  }

  @Override
  public TimeoutScope withTimeout(Duration timeout) {
    return runtime.engine().assignTimeout(timeout)::close;
  }

  @Override
  public void cancelWorkflow(String workflowId) {
    runtime.engine().cancelWorkflow(workflowId);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T, X extends Exception> WorkflowHandle<T, X> resumeWorkflow(String workflowId) {
    return (WorkflowHandle<T, X>)
        (WorkflowHandle<?, ?>) runtime.engine().resumeWorkflow(workflowId);
  }

  @Override
  public void send(String destinationId, Object message, String topic) {
    runtime.engine().send(destinationId, message, topic, null);
  }

  @Override
  public void send(String destinationId, Object message, String topic, String idempotencyKey) {
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    runtime.engine().send(destinationId, message, topic, idempotencyKey);
  }

  @Override
  public <T> Optional<T> recv(String topic, Class<T> type, Duration timeout) {
    return runtime.engine().recv(topic, type, timeout).map(type::cast);
  }

  @Override
  public void setEvent(String key, Object value) {
    runtime.engine().setEvent(key, value);
  }

  @Override
  public <T> Optional<T> getEvent(String workflowId, String key, Class<T> type, Duration timeout) {
    return runtime.engine().getEvent(workflowId, key, type, timeout).map(type::cast);
  }

  @Override
  public void writeStream(String key, Object value) {
    runtime.engine().writeStream(key, value);
  }

  @Override
  public void closeStream(String key) {
    runtime.engine().closeStream(key);
  }

  @Override
  public <T> Iterator<T> readStream(String workflowId, String key, Class<T> type) {
    Iterator<Object> values = runtime.engine().readStream(workflowId, key, type);
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return values.hasNext();
      }

      @Override
      public T next() {
        return type.cast(values.next());
      }
    };
  }

  @Override
  public Optional<String> workflowId() {
    return runtime.engine().currentWorkflowId();
  }

  @Override
  public Optional<WorkflowStatus> getWorkflowStatus(String workflowId) {
    return runtime.engine().workflowStatus(workflowId);
  }

  @Override
  public List<WorkflowStatus> listWorkflows(ListWorkflowsInput input) {
    return runtime.engine().management().listWorkflows(input);
  }

  @Override
  public List<WorkflowStatus> listQueuedWorkflows(ListWorkflowsInput input) {
    return runtime.engine().management().listQueuedWorkflows(input);
  }

  @Override
  public List<StepInfo> listWorkflowSteps(String workflowId) {
    return runtime.engine().management().listWorkflowSteps(workflowId);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T, X extends Exception> WorkflowHandle<T, X> forkWorkflow(
      String workflowId, int startStep, ForkOptions options) {
    return (WorkflowHandle<T, X>)
        (WorkflowHandle<?, ?>)
            runtime.engine().management().forkWorkflow(workflowId, startStep, options);
  }

  @Override
  public List<String> deleteWorkflow(String workflowId, boolean deleteChildren) {
    return runtime.engine().management().deleteWorkflow(workflowId, deleteChildren);
  }

  @Override
  public int garbageCollect(Instant createdBefore, Integer keepRows) {
    return runtime.engine().management().garbageCollect(createdBefore, keepRows);
  }

  @Override
  public List<String> cancelWorkflowsCreatedBefore(Instant createdBefore) {
    return runtime.engine().management().cancelWorkflowsCreatedBefore(createdBefore);
  }

  @Override
  public List<String> recoverPendingWorkflows(List<String> executorIds) {
    return runtime.engine().management().recoverPendingWorkflows(executorIds);
  }

  @Override
  public String executorId() {
    return runtime.engine().config().executorId();
  }

  @Override
  public String applicationVersion() {
    return runtime.engine().config().applicationVersion();
  }

  @Override
  public Optional<String> applicationName() {
    return Optional.ofNullable(runtime.engine().config().applicationName());
  }

  @Override
  public void createSchedule(WorkflowSchedule schedule) {
    runtime.scheduler().create(Objects.requireNonNull(schedule, "schedule"));
  }

  @Override
  public List<ScheduleStatus> listSchedules() {
    return runtime.scheduler().list();
  }

  @Override
  public Optional<ScheduleStatus> getSchedule(String name) {
    return runtime.scheduler().get(name);
  }

  @Override
  public void pauseSchedule(String name) {
    runtime.scheduler().pause(name);
  }

  @Override
  public void resumeSchedule(String name) {
    runtime.scheduler().resume(name);
  }

  @Override
  public void deleteSchedule(String name) {
    runtime.scheduler().delete(name);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T, X extends Exception> WorkflowHandle<T, X> triggerSchedule(String name) {
    return (WorkflowHandle<T, X>) (WorkflowHandle<?, ?>) runtime.scheduler().trigger(name);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T, X extends Exception> List<WorkflowHandle<T, X>> backfillSchedule(
      String name, Instant start, Instant end) {
    return (List<WorkflowHandle<T, X>>) (List<?>) runtime.scheduler().backfill(name, start, end);
  }
}
