package io.dbosee;

import jakarta.inject.Qualifier;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Qualifies a {@link java.util.concurrent.Executor} bean that runs workflows instead of the
 * server's managed executor. Meant for tests and Java SE, where there is no JNDI:
 *
 * <pre>{@code
 * @Produces @DBOSExecutor @ApplicationScoped
 * ExecutorService workflows() { return Executors.newFixedThreadPool(8); }
 * }</pre>
 *
 * <p>Pitfall: inside an application server do not produce one; the library then uses the managed
 * executor named by {@code dbos.executor.jndi-name}, whose threads the server owns.
 */
@Qualifier
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.FIELD, ElementType.PARAMETER, ElementType.TYPE})
public @interface DBOSExecutor {}
