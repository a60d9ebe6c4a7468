package io.dbosee.internal.engine.serialization;

import io.dbosee.DBOSSerializationException;
import java.lang.reflect.Type;

/**
 * Chooses how to read a row from its {@code serialization} column. This engine writes only {@code
 * portable_json}; it also reads {@code java_jackson} values, which are JSON too, on a best-effort
 * basis, and refuses every other format (such as Python's {@code py_pickle}) with a clear error
 * instead of guessing.
 */
public final class Serializers {
  public static final String JAVA_JACKSON = "java_jackson";

  private Serializers() {}

  /**
   * A serializer that reads {@code format}.
   *
   * @param portable the engine's own {@code portable_json} serializer
   * @throws DBOSSerializationException for a format this engine cannot read
   */
  public static Serializer forName(String format, Serializer portable) {
    if (format == null || format.equals(PortableJsonSerializer.NAME)) {
      return portable;
    }
    if (format.equals(JAVA_JACKSON)) {
      return new JacksonReader(portable);
    }
    throw new DBOSSerializationException(
        "This value was written in the '"
            + format
            + "' format by another DBOS SDK; this engine reads only portable_json (and"
            + " java_jackson JSON). Handle this workflow with an application of that SDK, or"
            + " have it use portable_json.",
        null);
  }

  /** Reads Jackson-written JSON with the portable reader; never writes. */
  private record JacksonReader(Serializer portable) implements Serializer {
    @Override
    public String name() {
      return JAVA_JACKSON;
    }

    @Override
    public String serialize(Object value, Type declaredType) {
      throw readOnly();
    }

    @Override
    public Object deserialize(String text, Type declaredType) {
      return portable.deserialize(text, declaredType);
    }

    @Override
    public String serializeArguments(Object[] arguments, Type[] parameterTypes) {
      throw readOnly();
    }

    @Override
    public Object[] deserializeArguments(String text, Type[] parameterTypes) {
      String trimmed = text == null ? "" : text.strip();
      // Jackson-written arguments may be a bare array of positional values.
      String portableShape =
          trimmed.startsWith("[") ? "{\"positionalArgs\":" + trimmed + "}" : text;
      return portable.deserializeArguments(portableShape, parameterTypes);
    }

    @Override
    public String serializeError(Throwable error) {
      throw readOnly();
    }

    @Override
    public Throwable deserializeError(String text, ClassLoader loader) {
      return portable.deserializeError(text, loader);
    }

    private static IllegalStateException readOnly() {
      return new IllegalStateException("this engine writes only portable_json");
    }
  }
}
