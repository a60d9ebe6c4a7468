package io.dbosee;

import jakarta.enterprise.util.Nonbinding;
import jakarta.interceptor.InterceptorBinding;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a public bean method a transaction step: called from a workflow, it runs in its own JTA
 * transaction, and its outcome is recorded in the application database in that same transaction, so
 * its database work happens exactly once, even across crashes. A replay returns the recorded result
 * (or rethrows the recorded exception) without running the body.
 *
 * <pre>{@code
 * @PersistenceContext EntityManager em;
 *
 * @Transaction
 * public long insertRow(String name) {
 *   em.persist(new ExampleRow(name));
 *   return em.createQuery("select count(r) from ExampleRow r", Long.class).getSingleResult();
 * }
 * }</pre>
 *
 * <p>Needs the {@code dbos-jpa-datasource} module in the application and {@code
 * dbos.application-database.datasource} set to the JNDI name of the JTA DataSource the persistence
 * unit uses; a step on another application database names it with {@link #datasource()}, declared
 * by {@code dbos.datasource."<name>".jndi-name}. The isolation level can be overridden through
 * MicroProfile Config, most specific first: {@code dbos.transaction."<class>/<method>".isolation},
 * {@code dbos.transaction."<class>".isolation}, {@code dbos.transaction.isolation}, then the
 * annotation.
 *
 * <p>Pitfalls: inside a workflow the method never joins a transaction its caller holds: it is its
 * own unit of work, committed before the workflow goes on. Any exception, checked or not, rolls
 * back its writes; so does an exception at commit (a constraint violated when the persistence
 * context is flushed), which then counts as the step's failure. Serialization failures and
 * deadlocks are retried. Outside a workflow it is an ordinary JTA transaction (it joins the
 * caller's or starts one); inside another step it is a plain call. Do not also annotate it
 * {@code @Transactional}: the deployment fails.
 */
@InterceptorBinding
@Documented
@Retention(RetentionPolicy.RUNTIME)
// TYPE only so that the library's interceptor can carry the binding; on an application class
// it is a deployment error (annotate the methods).
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Transaction {

  /** The step's name in the checkpoint tables; the method name when empty. */
  @Nonbinding
  String name() default "";

  /**
   * The application database the step writes to and records its outcome in: a name declared by
   * {@code dbos.datasource."<name>".jndi-name}; when empty, the one {@code
   * dbos.application-database.datasource} names.
   */
  @Nonbinding
  String datasource() default "";

  /** The transaction's isolation level; SERIALIZABLE, as in the DBOS SDKs, by default. */
  @Nonbinding
  Isolation isolation() default Isolation.SERIALIZABLE;

  /**
   * The isolation levels PostgreSQL implements. In configuration: {@code read-committed}, {@code
   * repeatable-read} or {@code serializable}.
   */
  enum Isolation {
    READ_COMMITTED("READ COMMITTED"),
    REPEATABLE_READ("REPEATABLE READ"),
    SERIALIZABLE("SERIALIZABLE");

    private final String sql;

    Isolation(String sql) {
      this.sql = sql;
    }

    /** The level as SQL spells it, as in {@code SET TRANSACTION ISOLATION LEVEL ...}. */
    public String sql() {
      return sql;
    }
  }
}
