package io.dbosee.internal.cdi;

import io.dbosee.Queue;
import io.dbosee.Scheduled;
import io.dbosee.Step;
import io.dbosee.StepOptions;
import io.dbosee.Transaction;
import io.dbosee.Workflow;
import io.dbosee.WorkflowQueue;
import io.dbosee.WorkflowSchedule;
import io.dbosee.internal.engine.QueueDefinition;
import io.dbosee.internal.engine.StepDefinition;
import io.dbosee.internal.engine.WorkflowDefinition;
import io.dbosee.internal.engine.WorkflowInvoker;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.AfterDeploymentValidation;
import jakarta.enterprise.inject.spi.AnnotatedMethod;
import jakarta.enterprise.inject.spi.AnnotatedType;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.DefinitionException;
import jakarta.enterprise.inject.spi.DeploymentException;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.InterceptionType;
import jakarta.enterprise.inject.spi.ProcessAnnotatedType;
import jakarta.enterprise.inject.spi.ProcessInjectionPoint;
import jakarta.enterprise.inject.spi.ProcessManagedBean;
import jakarta.enterprise.inject.spi.WithAnnotations;
import jakarta.enterprise.util.AnnotationLiteral;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Finds every {@code @Workflow}, {@code @Step} and {@code @Transaction} method when the application
 * deploys, validates it, resolves its configuration once, and keeps the prepared definitions the
 * interceptors run. Any misuse stops the deployment with a message that says what is wrong and how
 * to fix it.
 */
public class DBOSExtension implements Extension {
  private static final Logger LOG = Logger.getLogger(DBOSExtension.class.getName());

  /** Types that declare or inherit annotated methods, in discovery order. */
  private final Map<Class<?>, AnnotatedType<?>> annotatedTypes = new LinkedHashMap<>();

  private final Map<Class<?>, Bean<?>> beans = new HashMap<>();
  private final List<String> definitionErrors = new ArrayList<>();
  private final MethodValidation validation = new MethodValidation(definitionErrors);
  private final QueuePreparation queuePreparation = new QueuePreparation(definitionErrors);
  private final SchedulePreparation schedulePreparation = new SchedulePreparation();

  private final Map<Method, WorkflowDefinition> workflows = new HashMap<>();
  private final Map<Method, StepDefinition> steps = new HashMap<>();

  /** One-step workflows that run a step enqueued or started on its own, by step method. */
  private final Map<Method, WorkflowDefinition> stepWorkflows = new HashMap<>();

  /** Steps that cannot run on their own because another step of their class has their name. */
  private final Map<Method, String> unstartableSteps = new HashMap<>();

  private final Map<Method, TransactionDefinition> transactions = new HashMap<>();
  private GlobalSettings settings;
  private String applicationVersion;

  void registerInternalBeans(@Observes BeforeBeanDiscovery event, BeanManager manager) {
    for (Class<?> type :
        List.of(
            DBOSRuntime.class,
            DBOSBean.class,
            QueueProducer.class,
            WorkflowInterceptor.class,
            StepInterceptor.class)) {
      event.addAnnotatedType(manager.createAnnotatedType(type), type.getName());
    }
    if (present("org.eclipse.microprofile.health.HealthCheck")) {
      for (Class<?> type : List.of(DBOSReadiness.class, DBOSLiveness.class)) {
        event.addAnnotatedType(manager.createAnnotatedType(type), type.getName());
      }
    }
  }

  /** Whether the application can see an optional API (a feature the server may not enable). */
  static boolean present(String className) {
    try {
      Class.forName(className, false, DBOSExtension.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  <T> void collect(
      @Observes @WithAnnotations({Workflow.class, Step.class, Transaction.class, Scheduled.class})
          ProcessAnnotatedType<T> event) {
    AnnotatedType<T> type = event.getAnnotatedType();
    if (validation.validate(type)) {
      annotatedTypes.put(type.getJavaClass(), type);
    }
  }

  <T> void declareQueues(
      @Observes @WithAnnotations({WorkflowQueue.class, WorkflowQueue.List.class})
          ProcessAnnotatedType<T> event) {
    queuePreparation.declare(event.getAnnotatedType());
  }

  void queueInjection(@Observes ProcessInjectionPoint<?, Queue> event) {
    queuePreparation.injected(event.getInjectionPoint());
  }

  <T> void bean(@Observes ProcessManagedBean<T> event) {
    Class<?> type = event.getAnnotatedBeanClass().getJavaClass();
    if (!annotatedTypes.containsKey(type)) {
      return;
    }
    Bean<T> bean = event.getBean();
    beans.put(type, bean);
    validation.validateScope(type, bean, annotatedTypes.get(type));
  }

  void reportDefinitionErrors(@Observes AfterBeanDiscovery event) {
    for (String error : definitionErrors) {
      event.addDefinitionError(new DefinitionException(error));
    }
  }

  void prepare(@Observes AfterDeploymentValidation event, BeanManager manager) {
    List<String> problems = new ArrayList<>();
    ConfigValues values = new ConfigValues(ConfigProvider.getConfig(classLoader()), problems);
    settings = new GlobalSettings(values);
    MethodOverrides overrides = new MethodOverrides(values);
    Map<Method, Class<?>> workflowOwners = new HashMap<>();
    for (Map.Entry<Class<?>, AnnotatedType<?>> entry : annotatedTypes.entrySet()) {
      Class<?> beanClass = entry.getKey();
      Bean<?> bean = beans.get(beanClass);
      if (bean == null) {
        continue; // abstract or vetoed: its concrete beans are handled on their own
      }
      Map<String, Method> names = new HashMap<>();
      Map<String, Method> stepNames = new HashMap<>();
      for (AnnotatedMethod<?> annotated : entry.getValue().getMethods()) {
        Method method = annotated.getJavaMember();
        Workflow workflow = annotated.getAnnotation(Workflow.class);
        Step step = annotated.getAnnotation(Step.class);
        Transaction transaction = annotated.getAnnotation(Transaction.class);
        if (transaction != null) {
          transactions.putIfAbsent(
              method,
              new TransactionDefinition(
                  method,
                  new StepDefinition(
                      transaction.name().isBlank() ? method.getName() : transaction.name(),
                      StepOptions.DEFAULT,
                      boxed(method.getGenericReturnType()),
                      beanClass.getClassLoader()),
                  overrides.isolation(method, beanClass, transaction.isolation())));
        }
        if (workflow != null) {
          String name = workflow.name().isBlank() ? method.getName() : workflow.name();
          Method clash = names.putIfAbsent(name, method);
          if (clash != null) {
            problems.add(
                Problems.DUPLICATE_WORKFLOW.message(
                    MethodDescription.of(clash)
                        + " and "
                        + MethodDescription.of(method)
                        + " are both workflow '"
                        + name
                        + "' of "
                        + beanClass.getName()
                        + ". Workflow names must be unique within a class (overloads too): set"
                        + " @Workflow(name = \"...\") on one of them."));
            continue;
          }
          Class<?> owner = workflowOwners.putIfAbsent(method, beanClass);
          if (owner != null) {
            problems.add(
                Problems.SHARED_WORKFLOW_METHOD.message(
                    MethodDescription.of(method)
                        + " is inherited as a workflow by both "
                        + owner.getName()
                        + " and "
                        + beanClass.getName()
                        + ". Declare (override) the workflow method in each concrete bean"
                        + " class so that each has its own address."));
            continue;
          }
          int attempts =
              overrides.maxRecoveryAttempts(method, beanClass, workflow.maxRecoveryAttempts());
          workflows.put(
              method,
              new WorkflowDefinition(
                  name,
                  beanClass.getName(),
                  method.getGenericParameterTypes(),
                  boxed(method.getGenericReturnType()),
                  attempts,
                  beanClass.getClassLoader(),
                  invoker(manager, bean, beanClass, method),
                  false,
                  parameterNames(method)));
          Scheduled scheduled = annotated.getAnnotation(Scheduled.class);
          if (scheduled != null) {
            schedulePreparation.add(method, beanClass, name, scheduled);
          }
        }
        if (step != null) {
          String stepName = step.name().isBlank() ? method.getName() : step.name();
          Method sameName = stepNames.putIfAbsent(stepName, method);
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
                    invoker(manager, bean, beanClass, method),
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
                      method,
                      beanClass,
                      step.maxAttempts(),
                      step.intervalSeconds(),
                      step.backoffRate()),
                  boxed(method.getGenericReturnType()),
                  beanClass.getClassLoader()));
        }
      }
      SelfCalls.check(beanClass, workflowsOf(beanClass), settings.selfCallCheck, problems, LOG);
    }
    Set<String> queueNames = queuePreparation.prepare(new QueueSettings(values), problems);
    checkTransactionSupport(manager, problems);
    schedulePreparation.prepare(new ScheduleSettings(values), queueNames, problems);
    applicationVersion =
        settings.applicationVersion.orElseGet(
            () -> ApplicationVersion.of(new ArrayList<>(beans.keySet())));
    for (String problem : problems) {
      event.addDeploymentProblem(new DeploymentException(problem));
    }
    if (problems.isEmpty()) {
      LOG.log(
          Level.FINE,
          "DBOS prepared {0} workflow(s) and {1} step(s)",
          new Object[] {workflows.size(), steps.size()});
    }
  }

  /** A {@code @Transaction} method needs the module that runs it, and an application database. */
  private void checkTransactionSupport(BeanManager manager, List<String> problems) {
    if (transactions.isEmpty()) {
      return;
    }
    String first = MethodDescription.of(transactions.keySet().iterator().next());
    if (manager
        .resolveInterceptors(InterceptionType.AROUND_INVOKE, new TransactionLiteral())
        .isEmpty()) {
      problems.add(
          Problems.NO_TRANSACTION_SUPPORT.message(
              first
                  + " (and every @Transaction method) needs the io.dbosee:dbos-jpa-datasource"
                  + " module, which runs transaction steps; without it they would run without a"
                  + " transaction or a checkpoint. Add that dependency to the application."));
    }
    if (settings.applicationDatasource.isEmpty()) {
      problems.add(
          Problems.NO_APPLICATION_DATABASE.message(
              first
                  + " is a @Transaction step, but "
                  + GlobalSettings.APPLICATION_DATASOURCE
                  + " is not set. Set it to the JNDI name of the JTA DataSource your persistence"
                  + " unit uses (its <jta-data-source>, such as jdbc/app): transaction steps"
                  + " record their outcome there, in the same transaction as your writes."));
    }
  }

  private static final class TransactionLiteral extends AnnotationLiteral<Transaction>
      implements Transaction {
    private static final long serialVersionUID = 1L;

    @Override
    public String name() {
      return "";
    }

    @Override
    public Isolation isolation() {
      return Isolation.SERIALIZABLE;
    }
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

  private static ClassLoader classLoader() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return loader != null ? loader : DBOSExtension.class.getClassLoader();
  }

  GlobalSettings settings() {
    return settings;
  }

  String applicationVersion() {
    return applicationVersion;
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

  Map<Method, WorkflowDefinition> stepWorkflows() {
    return Collections.unmodifiableMap(stepWorkflows);
  }

  List<QueueDefinition> queues() {
    return queuePreparation.queues();
  }

  /** The schedules the application declares with {@code @Scheduled} and has not switched off. */
  List<WorkflowSchedule> schedules() {
    return schedulePreparation.schedules();
  }

  /** The names of the {@code @Scheduled} schedules switched off by configuration. */
  Set<String> disabledSchedules() {
    return schedulePreparation.disabledSchedules();
  }

  boolean listens(String queueName) {
    return queuePreparation.listens(queueName);
  }
}
