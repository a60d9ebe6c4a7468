package io.dbosee.internal.cdi;

import java.lang.reflect.Method;

/**
 * Owns how deployment messages name a method: {@code com.acme.Orders.place(String, int)}, the
 * declaring class and the simple parameter types, so that overloads are told apart and the user
 * finds the method without reading a descriptor.
 */
final class MethodDescription {
  private MethodDescription() {}

  static String of(Method method) {
    StringBuilder b =
        new StringBuilder(method.getDeclaringClass().getName())
            .append('.')
            .append(method.getName())
            .append('(');
    Class<?>[] types = method.getParameterTypes();
    for (int i = 0; i < types.length; i++) {
      b.append(i == 0 ? "" : ", ").append(types[i].getSimpleName());
    }
    return b.append(')').toString();
  }
}
