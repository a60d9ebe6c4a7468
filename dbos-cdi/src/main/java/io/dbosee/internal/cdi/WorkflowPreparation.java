package io.dbosee.internal.cdi;

import io.dbosee.Scheduled;
import io.dbosee.Step;
import io.dbosee.StepOptions;
import io.dbosee.Transaction;
import io.dbosee.Workflow;
import io.dbosee.internal.engine.StepDefinition;
import io.dbosee.internal.engine.WorkflowDefinition;
import io.dbosee.internal.engine.WorkflowInvoker;
import io.dbosee.internal.errors.ErrorCode;
import jakarta.enterprise.inject.spi.AnnotatedMethod;
import jakarta.enterprise.inject.spi.AnnotatedType;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Owns the prepared definitions of the application's workflows, steps and transaction steps, by
 * bean method: built once at deployment (names, overrides, invokers that go through the bean's
 * proxy), then looked up by the interceptors and the runtime on every call.
 */
final class WorkflowPreparation {
  private static final Logger LOG = Logger.getLogger(WorkflowPreparation.class.getName());

  private final SchedulePreparation schedulePreparation;

  private final Map<Method, WorkflowDefinition> workflows = new HashMap<>();
  private final Map<Method, StepDefinition> steps = new HashMap<>();

  /** One-step workflows that run a step enqueued or started on its own, by step method. */
  private final Map<Method, WorkflowDefinition> stepWorkflows = new HashMap<>();

  /** Steps that cannot run on their own because another step of their class has their name. */
  private final Map<Method, String> unstartableSteps = new HashMap<>();

  private final Map<Method, TransactionDefinition> transactions = new HashMap<>();

  /** What preparing every bean class needs from the deployment. */
  private record Deployment(
      BeanManager manager,
      MethodOverrides overrides,
      List<String> problems,
      Map<Method, Class<?>> workflowOwners) {}

  /** One bean class being prepared, with the workflow and step names it has used so far. */
  private record Target(
      Class<?> beanClass, Bean<?> bean, Map<String, Method> names, Map<String, Method> stepNames) {}

  WorkflowPreparation(SchedulePreparation schedulePreparation) {
    this.schedulePreparation = schedulePreparation;
  }

  /**
   * Prepares every durable method of every bean class; scheduled workflows are handed to the
   * schedule preparation, and each class's workflows are checked for calls through {@code this}.
   */
  void prepare(
      Map<Class<?>, AnnotatedType<?>> annotatedTypes,
      Map<Class<?>, Bean<?>> beans,
      BeanManager manager,
      MethodOverrides overrides,
      GlobalSettings.SelfCallCheck selfCallCheck,
      List<String> problems) {
    Deployment deployment = new Deployment(manager, overrides, problems, new HashMap<>());
    for (Map.Entry<Class<?>, AnnotatedType<?>> entry : annotatedTypes.entrySet()) {
      Class<?> beanClass = entry.getKey();
      Bean<?> bean = beans.get(beanClass);
      if (bean == null) {
        continue; // abstract or vetoed: its concrete beans are handled on their own
      }
      Target target = new Target(beanClass, bean, new HashMap<>(), new HashMap<>());
      for (AnnotatedMethod<?> annotated : entry.getValue().getMethods()) {
        Method method = annotated.getJavaMember();
        Workflow workflow = annotated.getAnnotation(Workflow.class);
        Step step = annotated.getAnnotation(Step.class);
        Transaction transaction = annotated.getAnnotation(Transaction.class);
        if (transaction != null) {
          prepareTransaction(deployment, target, method, transaction);
        }
        if (workflow != null && !prepareWorkflow(deployment, target, annotated, workflow)) {
          continue;
        }
        if (step != null) {
          prepareStep(deployment, target, method, step);
        }
      }
      SelfCalls.check(beanClass, workflowsOf(beanClass), selfCallCheck, problems, LOG);
    }
  }

  private void prepareTransaction(
      Deployment deployment, Target target, Method method, Transaction transaction) {
    Class<?> beanClass = target.beanClass();
    MethodOverrides overrides = deployment.overrides();
    transactions.putIfAbsent(
        method,
        new TransactionDefinition(
            method,
            new StepDefinition(
                transaction.name().isBlank() ? method.getName() : transaction.name(),
                StepOptions.DEFAULT,
                boxed(method.getGenericReturnType()),
                beanClass.getClassLoader()),
            overrides.isolation(method, beanClass, transaction.isolation()),
            transaction.datasource().trim()));
  }

  /** False when the workflow cannot be prepared (a problem is recorded); its method is skipped. */
  private boolean prepareWorkflow(
      Deployment deployment, Target target, AnnotatedMethod<?> annotated, Workflow workflow) {
    Method method = annotated.getJavaMember();
    Class<?> beanClass = target.beanClass();
    List<String> problems = deployment.problems();
    String name = workflow.name().isBlank() ? method.getName() : workflow.name();
    Method clash = target.names().putIfAbsent(name, method);
    if (clash != null) {
      problems.add(
          ErrorCode.DUPLICATE_WORKFLOW.message(
              MethodDescription.of(clash)
                  + " and "
                  + MethodDescription.of(method)
                  + " are both workflow '"
                  + name
                  + "' of "
                  + beanClass.getName()
                  + ". Workflow names must be unique within a class (overloads too): set"
                  + " @Workflow(name = \"...\") on one of them."));
      return false;
    }
    Class<?> owner = deployment.workflowOwners().putIfAbsent(method, beanClass);
    if (owner != null) {
      problems.add(
          ErrorCode.SHARED_WORKFLOW_METHOD.message(
              MethodDescription.of(method)
                  + " is inherited as a workflow by both "
                  + owner.getName()
                  + " and "
                  + beanClass.getName()
                  + ". Declare (override) the workflow method in each concrete bean"
                  + " class so that each has its own address."));
      return false;
    }
    int attempts =
        deployment
            .overrides()
            .maxRecoveryAttempts(method, beanClass, workflow.maxRecoveryAttempts());
    workflows.put(
        method,
        new WorkflowDefinition(
            name,
            beanClass.getName(),
            method.getGenericParameterTypes(),
            boxed(method.getGenericReturnType()),
            attempts,
            beanClass.getClassLoader(),
            invoker(deployment.manager(), target.bean(), beanClass, method),
            false,
            parameterNames(method)));
    Scheduled scheduled = annotated.getAnnotation(Scheduled.class);
    if (scheduled != null) {
      schedulePreparation.add(method, beanClass, name, scheduled);
    }
    return true;
  }

  private void prepareStep(Deployment deployment, Target target, Method method, Step step) {
    Class<?> beanClass = target.beanClass();
    BeanManager manager = deployment.manager();
    MethodOverrides overrides = deployment.overrides();
    String stepName = step.name().isBlank() ? method.getName() : step.name();
    Method sameName = target.stepNames().putIfAbsent(stepName, method);
    if (sameName == null) {
      stepWorkflows.put(
          method,
          new WorkflowDefinition(
              WorkflowDefinition.STEP_WRAPPER_PREFIX + stepName,
              beanClass.getName(),
              method.getGenericParameterTypes(),
              boxed(method.getGenericReturnType()),
              Workflow.DEFAULT_MAX_RECOVERY_ATTEMPTS,
              beanClass.getClassLoader(),
              invoker(manager, target.bean(), beanClass, method),
              true));
    } else if (!sameName.equals(method)) {
      unstartableSteps.put(
          method,
          MethodDescription.of(method)
              + " shares the step name '"
              + stepName
              + "' with "
              + MethodDescription.of(sameName)
              + ", so it cannot be enqueued or started on its own (recovery could not tell"
              + " them apart). Give it a unique name: @Step(name = \"...\").");
    }
    steps.putIfAbsent(
        method,
        new StepDefinition(
            stepName,
            overrides.stepOptions(
                method, beanClass, step.maxAttempts(), step.intervalSeconds(), step.backoffRate()),
            boxed(method.getGenericReturnType()),
            beanClass.getClassLoader()));
  }

  private List<Method> workflowsOf(Class<?> beanClass) {
    List<Method> methods = new ArrayList<>();
    for (Map.Entry<Method, WorkflowDefinition> e : workflows.entrySet()) {
      if (e.getValue().className().equals(beanClass.getName())) {
        methods.add(e.getKey());
      }
    }
    return methods;
  }

  /**
   * The method's parameter names, which bind the named arguments of a workflow enqueued by another
   * SDK's client; null when the class was compiled without {@code -parameters}.
   */
  private static List<String> parameterNames(Method method) {
    Parameter[] parameters = method.getParameters();
    List<String> names = new ArrayList<>(parameters.length);
    for (Parameter parameter : parameters) {
      if (!parameter.isNamePresent()) {
        return null;
      }
      names.add(parameter.getName());
    }
    return names;
  }

  private static Type boxed(Type type) {
    return type == void.class ? Void.class : type;
  }

  /** Recovery calls the workflow through the bean's client proxy, so every interceptor applies. */
  private static WorkflowInvoker invoker(
      BeanManager manager, Bean<?> bean, Class<?> beanClass, Method method) {
    method.setAccessible(true);
    Type referenceType = bean.getTypes().contains(beanClass) ? beanClass : Object.class;
    return arguments -> {
      Object reference =
          manager.getReference(bean, referenceType, manager.createCreationalContext(bean));
      try {
        return method.invoke(reference, arguments);
      } catch (InvocationTargetException e) {
        Throwable cause = e.getCause();
        if (cause instanceof Exception exception) {
          throw exception;
        }
        throw (Error) cause;
      }
    };
  }

  WorkflowDefinition workflow(Method method) {
    return workflows.get(method);
  }

  StepDefinition step(Method method) {
    return steps.get(method);
  }

  TransactionDefinition transaction(Method method) {
    return transactions.get(method);
  }

  Map<Method, TransactionDefinition> transactions() {
    return Collections.unmodifiableMap(transactions);
  }

  Map<Method, WorkflowDefinition> workflows() {
    return Collections.unmodifiableMap(workflows);
  }

  /** The one-step workflow that runs {@code method} when it is enqueued or started on its own. */
  WorkflowDefinition stepWorkflow(Method method) {
    String problem = unstartableSteps.get(method);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return stepWorkflows.get(method);
  }

  int workflowCount() {
    return workflows.size();
  }

  int stepCount() {
    return steps.size();
  }

  Map<Method, WorkflowDefinition> stepWorkflows() {
    return Collections.unmodifiableMap(stepWorkflows);
  }
}
