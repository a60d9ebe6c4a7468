package io.dbosee.internal.engine.serialization;

import io.dbosee.DBOSRecordedErrorException;
import io.dbosee.DBOSSerializationException;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.io.StringReader;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The {@code portable_json} format, readable by every DBOS SDK: values are plain JSON bound to
 * their declared Java types through JSON-B; arguments are {@code {"positionalArgs": [...],
 * "namedArgs": {}}}; exceptions are {@code {"name", "message", "code", "data"}} with the Java class
 * name in {@code data.className} so that a replay rethrows the original type.
 *
 * <p>Pitfalls: a value is read back as its declared type, not its runtime type: a parameter
 * declared as an interface or {@code Object} comes back as whatever JSON-B makes of the JSON (a
 * map, a list, a number). Declare concrete types. Java object serialization is never used, and a
 * payload that looks like it is refused.
 */
public final class PortableJsonSerializer implements Serializer {
  public static final String NAME = "portable_json";

  /** How Java serialization streams start once base64-encoded; such payloads are refused. */
  private static final String JAVA_SERIALIZED_BASE64 = "rO0AB";

  private static final int SNIPPET = 200;

  private final Jsonb jsonb;

  /**
   * Whether strings, ints, longs and booleans skip JSON-B ({@link ScalarJson}): only on the default
   * JSON-B, whose text for them is known; a configured one may write them otherwise.
   */
  private final boolean scalarsDirect;

  public PortableJsonSerializer(Jsonb jsonb) {
    this(jsonb, false);
  }

  private PortableJsonSerializer(Jsonb jsonb, boolean scalarsDirect) {
    this.jsonb = Objects.requireNonNull(jsonb, "jsonb");
    this.scalarsDirect = scalarsDirect;
  }

  /** A serializer on a default JSON-B instance (ISO-8601 dates, public properties). */
  public static PortableJsonSerializer create() {
    return new PortableJsonSerializer(JsonbBuilder.create(), true);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String serialize(Object value, Type declaredType) {
    if (value == null) {
      return "null";
    }
    try {
      // Declared as Object (or Void), the value is written as what it is: JSON-B would write a
      // String declared as Object as {}.
      boolean untyped = declaredType == Void.class || declaredType == Object.class;
      if (scalarsDirect) {
        String scalar = ScalarJson.write(value, declaredType, untyped);
        if (scalar != null) {
          return scalar;
        }
      }
      return jsonb.toJson(value, untyped ? value.getClass() : declaredType);
    } catch (RuntimeException e) {
      throw new DBOSSerializationException(
          "Cannot write a "
              + value.getClass().getName()
              + " (declared as "
              + declaredType.getTypeName()
              + ") as JSON: "
              + rootMessage(e)
              + ". Use a type JSON-B can write and read back: a record, a class with a public"
              + " no-argument constructor and public properties, a collection, an enum or a"
              + " java.time type.",
          e);
    }
  }

  @Override
  public Object deserialize(String text, Type declaredType) {
    if (text == null || text.equals("null") || declaredType == Void.class) {
      return absent(declaredType);
    }
    refuseJavaSerialization(text);
    if (scalarsDirect) {
      Object scalar = ScalarJson.read(text, declaredType);
      if (scalar != ScalarJson.NOT_SCALAR) {
        return scalar;
      }
    }
    try {
      return jsonb.fromJson(text, declaredType);
    } catch (RuntimeException e) {
      throw unreadable(text, declaredType, e);
    }
  }

  /** What JSON null means for a declared type: an empty Optional for the Optional types. */
  private static Object absent(Type declaredType) {
    Type raw = declaredType instanceof ParameterizedType p ? p.getRawType() : declaredType;
    if (raw == Optional.class) {
      return Optional.empty();
    }
    if (raw == OptionalInt.class) {
      return OptionalInt.empty();
    }
    if (raw == OptionalLong.class) {
      return OptionalLong.empty();
    }
    if (raw == OptionalDouble.class) {
      return OptionalDouble.empty();
    }
    return null;
  }

  @Override
  public String serializeArguments(Object[] arguments, Type[] parameterTypes) {
    if (arguments.length != parameterTypes.length) {
      throw new IllegalArgumentException(
          arguments.length + " arguments for " + parameterTypes.length + " parameters");
    }
    StringBuilder json = new StringBuilder("{\"positionalArgs\":[");
    for (int i = 0; i < arguments.length; i++) {
      if (i > 0) {
        json.append(',');
      }
      try {
        json.append(serialize(arguments[i], parameterTypes[i]));
      } catch (DBOSSerializationException e) {
        throw new DBOSSerializationException(
            "Argument " + (i + 1) + " cannot be recorded: " + e.getMessage(), e.getCause());
      }
    }
    return json.append("],\"namedArgs\":{}}").toString();
  }

  @Override
  public Object[] deserializeArguments(String text, Type[] parameterTypes) {
    return deserializeArguments(text, parameterTypes, null);
  }

  @Override
  public Object[] deserializeArguments(
      String text, Type[] parameterTypes, List<String> parameterNames) {
    if (text == null) {
      throw new DBOSSerializationException(
          "The workflow's inputs are missing (NULL); it cannot be started again.", null);
    }
    refuseJavaSerialization(text);
    JsonObject inputs;
    try (JsonReader reader = JsonP.PROVIDER.createReader(new StringReader(text))) {
      inputs = reader.readObject();
    } catch (JsonException | IllegalStateException | ClassCastException e) {
      throw new DBOSSerializationException(
          "The workflow's inputs are not a portable_json object"
              + " {\"positionalArgs\": [...], \"namedArgs\": {...}}: "
              + snippet(text),
          e);
    }
    JsonValue positional = inputs.getOrDefault("positionalArgs", JsonValue.EMPTY_JSON_ARRAY);
    if (positional.getValueType() == JsonValue.ValueType.NULL) {
      positional = JsonValue.EMPTY_JSON_ARRAY;
    }
    JsonValue named = inputs.getOrDefault("namedArgs", JsonValue.EMPTY_JSON_OBJECT);
    if (positional.getValueType() != JsonValue.ValueType.ARRAY) {
      throw new DBOSSerializationException(
          "positionalArgs of the workflow's inputs is not a JSON array: " + snippet(text), null);
    }
    JsonArray values = positional.asJsonArray();
    if (named.getValueType() == JsonValue.ValueType.OBJECT && !named.asJsonObject().isEmpty()) {
      values = bindNamed(values, named.asJsonObject(), parameterTypes.length, parameterNames);
    } else if (named.getValueType() != JsonValue.ValueType.OBJECT
        && named.getValueType() != JsonValue.ValueType.NULL) {
      throw new DBOSSerializationException(
          "namedArgs of the workflow's inputs is not a JSON object: " + snippet(text), null);
    }
    if (values.size() != parameterTypes.length) {
      throw new DBOSSerializationException(
          "The workflow's inputs have "
              + values.size()
              + " positional argument(s) but the method has "
              + parameterTypes.length
              + " parameter(s): "
              + snippet(text),
          null);
    }
    Object[] arguments = new Object[parameterTypes.length];
    for (int i = 0; i < arguments.length; i++) {
      JsonValue value = values.get(i);
      arguments[i] =
          value.getValueType() == JsonValue.ValueType.NULL
              ? absent(parameterTypes[i])
              : deserialize(value.toString(), parameterTypes[i]);
    }
    return arguments;
  }

  /**
   * The positional values followed by the named ones in parameter order, as Python binds keyword
   * arguments: each name must be a parameter's, not one already given by position, and every
   * parameter must end up with a value (Java parameters have no defaults).
   */
  private static JsonArray bindNamed(
      JsonArray positional, JsonObject named, int parameterCount, List<String> parameterNames) {
    if (parameterNames == null) {
      throw new DBOSSerializationException(
          "The workflow's inputs have named arguments "
              + named.keySet()
              + ", but the names of the workflow method's parameters are not known: compile the"
              + " application with -parameters (Maven: maven.compiler.parameters=true), or"
              + " enqueue it with positionalArgs in parameter order.",
          null);
    }
    if (positional.size() > parameterCount) {
      throw new DBOSSerializationException(
          "The workflow's inputs have "
              + positional.size()
              + " positional argument(s) but the method has "
              + parameterCount
              + " parameter(s) "
              + parameterNames,
          null);
    }
    JsonValue[] bound = new JsonValue[parameterCount];
    for (int i = 0; i < positional.size(); i++) {
      bound[i] = positional.get(i);
    }
    for (var entry : named.entrySet()) {
      int index = parameterNames.indexOf(entry.getKey());
      if (index < 0) {
        throw new DBOSSerializationException(
            "The workflow's inputs name the argument '"
                + entry.getKey()
                + "', but the method's parameters are "
                + parameterNames
                + ".",
            null);
      }
      if (bound[index] != null) {
        throw new DBOSSerializationException(
            "The workflow's inputs give parameter '"
                + entry.getKey()
                + "' both by position and by name.",
            null);
      }
      bound[index] = entry.getValue();
    }
    JsonArrayBuilder values = JsonP.PROVIDER.createArrayBuilder();
    for (int i = 0; i < parameterCount; i++) {
      if (bound[i] == null) {
        throw new DBOSSerializationException(
            "The workflow's inputs give no value for parameter '"
                + parameterNames.get(i)
                + "' (parameters: "
                + parameterNames
                + "); Java workflow parameters have no defaults.",
            null);
      }
      values.add(bound[i]);
    }
    return values.build();
  }

  @Override
  public String serializeError(Throwable error) {
    JsonObjectBuilder data =
        JsonP.PROVIDER.createObjectBuilder().add("className", error.getClass().getName());
    if (error.getCause() != null) {
      data.add("cause", String.valueOf(error.getCause()));
    }
    JsonObjectBuilder json =
        JsonP.PROVIDER.createObjectBuilder().add("name", error.getClass().getSimpleName());
    if (error.getMessage() == null) {
      json.addNull("message");
    } else {
      json.add("message", error.getMessage());
    }
    return json.addNull("code").add("data", data).build().toString();
  }

  @Override
  public Throwable deserializeError(String text, ClassLoader loader) {
    JsonObject error;
    try (JsonReader reader = JsonP.PROVIDER.createReader(new StringReader(String.valueOf(text)))) {
      error = reader.readObject();
    } catch (RuntimeException e) {
      return new DBOSRecordedErrorException("unreadable error", snippet(String.valueOf(text)));
    }
    String name = string(error, "name", "error");
    String message = string(error, "message", null);
    String className = null;
    JsonValue data = error.get("data");
    if (data != null && data.getValueType() == JsonValue.ValueType.OBJECT) {
      className = string(data.asJsonObject(), "className", null);
    }
    Throwable rebuilt = className == null ? null : rebuild(className, message, loader);
    return rebuilt != null ? rebuilt : new DBOSRecordedErrorException(name, message);
  }

  /** The recorded exception as its own type, or null when that is not possible here. */
  private static Throwable rebuild(String className, String message, ClassLoader loader) {
    Class<?> type;
    try {
      type = Class.forName(className, false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      return null;
    }
    // Only Throwable subclasses are ever instantiated from recorded data.
    if (!Throwable.class.isAssignableFrom(type) || Modifier.isAbstract(type.getModifiers())) {
      return null;
    }
    try {
      Constructor<?> withMessage = type.getConstructor(String.class);
      return (Throwable) withMessage.newInstance(message);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      // try the next constructor
    }
    try {
      Constructor<?> withCause = type.getConstructor(String.class, Throwable.class);
      return (Throwable) withCause.newInstance(message, null);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      // try the next constructor
    }
    try {
      Throwable t = (Throwable) type.getConstructor().newInstance();
      return message == null || message.equals(t.getMessage()) ? t : null;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }

  private static String string(JsonObject object, String key, String fallback) {
    JsonValue value = object.get(key);
    return value instanceof JsonString s ? s.getString() : fallback;
  }

  private static void refuseJavaSerialization(String text) {
    String trimmed = text.strip();
    if (trimmed.startsWith(JAVA_SERIALIZED_BASE64)
        || trimmed.startsWith("\"" + JAVA_SERIALIZED_BASE64)) {
      throw new DBOSSerializationException(
          "The recorded value is a Java-serialized object, which this engine never reads (it"
              + " would let the database run code). Handle this workflow with the SDK that wrote"
              + " it.",
          null);
    }
  }

  private static DBOSSerializationException unreadable(String text, Type type, Exception cause) {
    return new DBOSSerializationException(
        "Cannot read the recorded JSON as "
            + type.getTypeName()
            + ": "
            + rootMessage(cause)
            + ". Recorded: "
            + snippet(text)
            + ". Was the type changed since it was recorded?",
        cause);
  }

  private static String snippet(String text) {
    return text.length() <= SNIPPET ? text : text.substring(0, SNIPPET) + "…";
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == t ? String.valueOf(t.getMessage()) : t.getMessage() + " (" + root + ")";
  }
}
