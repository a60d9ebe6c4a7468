package io.dbosee.internal.engine;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import javax.sql.DataSource;

/** Wraps a DataSource to note every statement prepared through it, and on which thread. */
final class StatementLog {
  private record Prepared(String sql, Thread thread) {}

  private final List<Prepared> prepared = new CopyOnWriteArrayList<>();

  DataSource wrap(DataSource target) {
    return proxy(
        DataSource.class,
        (self, method, args) -> {
          Object result = call(method, target, args);
          return result instanceof Connection connection ? noting(connection) : result;
        });
  }

  private Connection noting(Connection connection) {
    return proxy(
        Connection.class,
        (self, method, args) -> {
          if (method.getName().startsWith("prepare") && args[0] instanceof String sql) {
            prepared.add(new Prepared(sql, Thread.currentThread()));
          }
          return call(method, connection, args);
        });
  }

  /** How many statements containing {@code fragment} {@code thread} prepared. */
  long count(String fragment, Thread thread) {
    return prepared.stream().filter(p -> p.thread == thread && p.sql.contains(fragment)).count();
  }

  /** How many statements that {@code matching} accepts any thread prepared. */
  long count(Predicate<String> matching) {
    return prepared.stream().filter(p -> matching.test(p.sql)).count();
  }

  private static Object call(java.lang.reflect.Method method, Object target, Object[] args)
      throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static <T> T proxy(Class<T> type, InvocationHandler handler) {
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
  }
}
