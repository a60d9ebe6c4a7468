package io.dbosee.internal.cdi;

import io.dbosee.Queue;
import io.dbosee.Scheduled;
import io.dbosee.Step;
import io.dbosee.Transaction;
import io.dbosee.Workflow;
import io.dbosee.WorkflowQueue;
import io.dbosee.WorkflowSchedule;
import io.dbosee.internal.engine.QueueDefinition;
import io.dbosee.internal.engine.StepDefinition;
import io.dbosee.internal.engine.WorkflowDefinition;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.AfterDeploymentValidation;
import jakarta.enterprise.inject.spi.AnnotatedType;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.DefinitionException;
import jakarta.enterprise.inject.spi.DeploymentException;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessAnnotatedType;
import jakarta.enterprise.inject.spi.ProcessInjectionPoint;
import jakarta.enterprise.inject.spi.ProcessManagedBean;
import jakarta.enterprise.inject.spi.WithAnnotations;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Owns the CDI container events of a deployment: it finds every {@code @Workflow}, {@code @Step},
 * {@code @Transaction}, {@code @Scheduled} and {@code @WorkflowQueue} when the application deploys,
 * and at the end of validation has each concern prepared once: {@link MethodValidation} (the
 * rules), {@link WorkflowPreparation} (definitions by method), {@link QueuePreparation}, {@link
 * SchedulePreparation} and {@link TransactionStepSupport}, with configuration read through {@link
 * GlobalSettings} and its siblings. Any misuse stops the deployment with a coded message that says
 * what is wrong and how to fix it; the runtime and the interceptors then only look up what was
 * prepared.
 */
public class DBOSExtension implements Extension {
  private static final Logger LOG = Logger.getLogger(DBOSExtension.class.getName());

  /** Types that declare or inherit annotated methods, in discovery order. */
  private final Map<Class<?>, AnnotatedType<?>> annotatedTypes = new LinkedHashMap<>();

  private final Map<Class<?>, Bean<?>> beans = new HashMap<>();

  /** Reported at AfterBeanDiscovery: collected across observers, so that all show at once. */
  private final List<String> definitionErrors = new ArrayList<>();

  private final MethodValidation validation = new MethodValidation(definitionErrors);
  private final QueuePreparation queuePreparation = new QueuePreparation(definitionErrors);
  private final SchedulePreparation schedulePreparation = new SchedulePreparation();
  private final WorkflowPreparation workflowPreparation =
      new WorkflowPreparation(schedulePreparation);

  private GlobalSettings settings;
  private Map<String, ApplicationDatasource> datasources = Map.of();
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
    // The health checks are not added here but discovered (META-INF/beans.xml): a server's health
    // extension may look its checks up from a bean archive that sees the application's archives
    // but not the synthetic one these types land in (WildFly's does).
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
    workflowPreparation.prepare(
        annotatedTypes,
        beans,
        manager,
        new MethodOverrides(values),
        settings.selfCallCheck,
        problems);
    Set<String> queueNames = queuePreparation.prepare(new QueueSettings(values), problems);
    datasources =
        DatasourceSettings.read(values, settings, TransactionStepSupport.namedIn(transactions()));
    TransactionStepSupport.check(transactions().values(), manager, datasources, problems);
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
          new Object[] {workflowPreparation.workflowCount(), workflowPreparation.stepCount()});
    }
  }

  private static ClassLoader classLoader() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return loader != null ? loader : DBOSExtension.class.getClassLoader();
  }

  GlobalSettings settings() {
    return settings;
  }

  Map<String, ApplicationDatasource> datasources() {
    return datasources;
  }

  String applicationVersion() {
    return applicationVersion;
  }

  WorkflowDefinition workflow(Method method) {
    return workflowPreparation.workflow(method);
  }

  StepDefinition step(Method method) {
    return workflowPreparation.step(method);
  }

  TransactionDefinition transaction(Method method) {
    return workflowPreparation.transaction(method);
  }

  Map<Method, TransactionDefinition> transactions() {
    return workflowPreparation.transactions();
  }

  Map<Method, WorkflowDefinition> workflows() {
    return workflowPreparation.workflows();
  }

  /** The one-step workflow that runs {@code method} when it is enqueued or started on its own. */
  WorkflowDefinition stepWorkflow(Method method) {
    return workflowPreparation.stepWorkflow(method);
  }

  Map<Method, WorkflowDefinition> stepWorkflows() {
    return workflowPreparation.stepWorkflows();
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
