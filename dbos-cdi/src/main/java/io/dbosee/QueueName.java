package io.dbosee;

import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.enterprise.util.Nonbinding;
import jakarta.inject.Qualifier;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Injects a declared {@link Queue} by name; an unknown name fails the deployment.
 *
 * <pre>{@code
 * @Inject @QueueName("emails") Queue emails;
 * }</pre>
 */
@Qualifier
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD})
public @interface QueueName {

  /** The queue's name, as declared by {@link WorkflowQueue} or configuration. */
  @Nonbinding
  String value();

  /** For programmatic lookups: {@code instance.select(Queue.class, new QueueName.Literal("x"))}. */
  final class Literal extends AnnotationLiteral<QueueName> implements QueueName {
    private static final long serialVersionUID = 1L;
    private final String value;

    public Literal(String value) {
      this.value = value;
    }

    @Override
    public String value() {
      return value;
    }
  }
}
