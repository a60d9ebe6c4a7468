package io.dbosee.internal.engine;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/**
 * Workflow methods declared to return a {@link CompletionStage} or {@link CompletableFuture}: their
 * recorded result is the stage's value, typed by its type argument.
 */
final class ReturnedStages {
  private ReturnedStages() {}

  static boolean isStage(Type type) {
    Class<?> raw = raw(type);
    return raw == CompletionStage.class || raw == CompletableFuture.class;
  }

  /** The value type of a stage type ({@code Object} when raw), or the type itself otherwise. */
  static Type valueType(Type type) {
    if (!isStage(type)) {
      return type;
    }
    if (type instanceof ParameterizedType p) {
      Type value = p.getActualTypeArguments()[0];
      if (value instanceof WildcardType w) {
        return w.getUpperBounds().length == 0 ? Object.class : w.getUpperBounds()[0];
      }
      return value;
    }
    return Object.class;
  }

  /**
   * The value of the stage a workflow body returned (usually completed already), or the exception
   * it completed with, as itself; a null stage is a null result.
   */
  static Object await(Object returned) throws Exception {
    if (returned == null) {
      return null;
    }
    try {
      return ((CompletionStage<?>) returned).toCompletableFuture().get();
    } catch (ExecutionException e) {
      throw Outcomes.<Exception>sneakyThrow(e.getCause());
    }
  }

  /** The stage a handle of a stage-returning workflow gives as its result. */
  @SuppressWarnings("unchecked")
  static CompletionStage<Object> flatten(Object returned) {
    return (CompletionStage<Object>) returned;
  }

  private static Class<?> raw(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) {
      return c;
    }
    return null;
  }
}
