package io.dbosee.internal.engine.serialization;

import java.lang.reflect.Type;
import java.util.List;

/**
 * Converts workflow arguments, results and errors to and from the text stored in the system
 * database. Implementations are thread-safe. Every method that writes throws {@link
 * io.dbosee.DBOSSerializationException} with a message naming the value's type and the reason when
 * a value cannot be written; every method that reads throws it when the text cannot be bound to the
 * requested type.
 */
public interface Serializer {

  /** The name stored in the {@code serialization} column next to every value it writes. */
  String name();

  /** A single value (a result, a step output) as text; {@code null} is written as JSON null. */
  String serialize(Object value, Type declaredType);

  /** A value read back as the declared type; SQL NULL and JSON null both give {@code null}. */
  Object deserialize(String text, Type declaredType);

  /**
   * Workflow arguments, bound by position to the method's declared parameter types. For {@code
   * portable_json}: {@code {"positionalArgs": [...], "namedArgs": {}}}.
   */
  String serializeArguments(Object[] arguments, Type[] parameterTypes);

  /** Arguments read back, one per declared parameter type. */
  Object[] deserializeArguments(String text, Type[] parameterTypes);

  /**
   * Arguments read back, one per declared parameter type, with the named arguments another SDK's
   * client may give ({@code namedArgs} of portable_json) bound to the parameters of those names.
   *
   * @param parameterNames the parameters' names in order, or null when they are not known (the
   *     class was compiled without {@code -parameters}): named arguments are then refused
   */
  default Object[] deserializeArguments(
      String text, Type[] parameterTypes, List<String> parameterNames) {
    return deserializeArguments(text, parameterTypes);
  }

  /**
   * An exception as text. For {@code portable_json}: {@code {"name": <simple class name>,
   * "message": ..., "code": ..., "data": ...}} with enough in {@code data} to rebuild the type.
   */
  String serializeError(Throwable error);

  /**
   * The recorded exception rebuilt as its original type with its message when that type is visible
   * from {@code loader} and constructible; a {@link io.dbosee.DBOSRecordedErrorException} carrying
   * the recorded name and message otherwise. Never throws for unreadable input: the caller rethrows
   * what this returns.
   */
  Throwable deserializeError(String text, ClassLoader loader);
}
