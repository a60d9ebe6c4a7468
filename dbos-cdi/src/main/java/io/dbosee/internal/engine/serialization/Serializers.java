package io.dbosee.internal.engine.serialization;

import io.dbosee.DBOSSerializationException;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.lang.reflect.Type;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Chooses how to read a row from its {@code serialization} column. This engine writes only {@code
 * portable_json}; it also reads the DBOS Java SDK's {@code java_jackson} values, which are JSON
 * too, and refuses every other format (such as Python's {@code py_pickle}) with a clear error
 * instead of guessing. Nothing is ever read with Java deserialization.
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

  /**
   * Reads what the DBOS Java SDK writes as {@code java_jackson} (Jackson with default typing) with
   * the portable reader; never writes. The SDK's type information (a {@code ["java.util.ArrayList",
   * [...]]} wrapper around a non-final value, an {@code "@class"} property in an object) is
   * dropped, never used to choose a class: values bind to the declared Java types, as portable_json
   * values do. A recorded exception keeps its class name and message; its Java-serialized bytes
   * ({@code base64bytes}) are never read.
   */
  private record JacksonReader(Serializer portable) implements Serializer {
    /**
     * A Java binary class name as Jackson writes it in a type wrapper ({@code
     * [Ljava.lang.Object;}).
     */
    private static final Pattern TYPE_NAME =
        Pattern.compile(
            "\\[*L?[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)+;?|\\[+[ZBCSIJFD]");

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
      if (text == null) {
        return portable.deserialize(null, declaredType);
      }
      return portable.deserialize(untyped(text).toString(), declaredType);
    }

    @Override
    public String serializeArguments(Object[] arguments, Type[] parameterTypes) {
      throw readOnly();
    }

    @Override
    public Object[] deserializeArguments(String text, Type[] parameterTypes) {
      return deserializeArguments(text, parameterTypes, null);
    }

    @Override
    public Object[] deserializeArguments(String text, Type[] parameterTypes, List<String> names) {
      if (text == null) {
        return portable.deserializeArguments(null, parameterTypes, names);
      }
      JsonValue arguments = untyped(text);
      // The SDK records the argument array itself: ["[Ljava.lang.Object;", [...]].
      String portableShape =
          arguments.getValueType() == JsonValue.ValueType.ARRAY
              ? JsonP.PROVIDER
                  .createObjectBuilder()
                  .add("positionalArgs", arguments)
                  .build()
                  .toString()
              : arguments.toString();
      return portable.deserializeArguments(portableShape, parameterTypes, names);
    }

    @Override
    public String serializeError(Throwable error) {
      throw readOnly();
    }

    @Override
    public Throwable deserializeError(String text, ClassLoader loader) {
      JsonValue error;
      try {
        error = untyped(text);
      } catch (DBOSSerializationException e) {
        return portable.deserializeError(text, loader);
      }
      if (error.getValueType() != JsonValue.ValueType.OBJECT
          || !(error.asJsonObject().get("type") instanceof JsonString type)) {
        return portable.deserializeError(error.toString(), loader);
      }
      // The SDK's WireThrowable: rebuilt from its class name and message, as a portable error is.
      String className = type.getString();
      JsonValue message = error.asJsonObject().getOrDefault("message", JsonValue.NULL);
      JsonObject portableShape =
          JsonP.PROVIDER
              .createObjectBuilder()
              .add("name", className.substring(className.lastIndexOf('.') + 1))
              .add("message", message)
              .add("data", JsonP.PROVIDER.createObjectBuilder().add("className", className))
              .build();
      return portable.deserializeError(portableShape.toString(), loader);
    }

    private static JsonValue untyped(String text) {
      try (JsonReader reader = JsonP.PROVIDER.createReader(new StringReader(text))) {
        return value(reader.readValue());
      } catch (JsonException | IllegalStateException e) {
        throw new DBOSSerializationException(
            "A java_jackson value is not JSON: "
                + (text.length() <= 200 ? text : text.substring(0, 200) + "…"),
            e);
      }
    }

    /** A value that may carry a type wrapper. */
    private static JsonValue value(JsonValue value) {
      if (value.getValueType() == JsonValue.ValueType.ARRAY) {
        JsonArray array = value.asJsonArray();
        if (array.size() == 2
            && array.get(0) instanceof JsonString type
            && TYPE_NAME.matcher(type.getString()).matches()) {
          return content(array.get(1));
        }
      }
      return content(value);
    }

    /** The inside of a value: its elements and properties may carry type information. */
    private static JsonValue content(JsonValue value) {
      switch (value.getValueType()) {
        case ARRAY -> {
          JsonArrayBuilder elements = JsonP.PROVIDER.createArrayBuilder();
          value.asJsonArray().forEach(element -> elements.add(value(element)));
          return elements.build();
        }
        case OBJECT -> {
          JsonObjectBuilder properties = JsonP.PROVIDER.createObjectBuilder();
          value
              .asJsonObject()
              .forEach(
                  (key, property) -> {
                    if (!key.equals("@class")) {
                      properties.add(key, value(property));
                    }
                  });
          return properties.build();
        }
        default -> {
          return value;
        }
      }
    }

    private static IllegalStateException readOnly() {
      return new IllegalStateException("this engine writes only portable_json");
    }
  }
}
