package io.dbosee.internal.engine.serialization;

import io.dbosee.DBOSSerializationException;
import io.dbosee.internal.errors.ErrorCode;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Objects;

/**
 * Refuses to record a value whose JSON is longer than a limit: a workflow's arguments or result, a
 * step's result, a message, an event or a stream value. PostgreSQL would take up to 1 GB in a text
 * column, but every such value is also held in the server's memory several times over (the object,
 * its JSON, the driver's bytes) and read back by every replay, every listing with inputs and every
 * dashboard view: large data belongs in a table or an object store, and the workflow should carry a
 * reference to it. Reading is never limited, so values that other SDKs recorded stay readable.
 */
public final class PayloadLimit implements Serializer {
  /** 16 Mi characters of JSON, about 16 MB for ASCII text. */
  public static final int DEFAULT_MAX_CHARS = 16 * 1024 * 1024;

  private final Serializer serializer;
  private final int maxChars;

  public PayloadLimit(Serializer serializer, int maxChars) {
    this.serializer = Objects.requireNonNull(serializer, "serializer");
    if (maxChars < 1) {
      throw new IllegalArgumentException("the payload limit must be positive, got " + maxChars);
    }
    this.maxChars = maxChars;
  }

  @Override
  public String name() {
    return serializer.name();
  }

  @Override
  public String serialize(Object value, Type declaredType) {
    String json = serializer.serialize(value, declaredType);
    if (json.length() > maxChars) {
      throw refused(json, "A " + describe(value));
    }
    return json;
  }

  @Override
  public Object deserialize(String text, Type declaredType) {
    return serializer.deserialize(text, declaredType);
  }

  @Override
  public String serializeArguments(Object[] arguments, Type[] parameterTypes) {
    String json = serializer.serializeArguments(arguments, parameterTypes);
    if (json.length() > maxChars) {
      throw refused(json, "The arguments");
    }
    return json;
  }

  @Override
  public Object[] deserializeArguments(String text, Type[] parameterTypes) {
    return serializer.deserializeArguments(text, parameterTypes);
  }

  @Override
  public Object[] deserializeArguments(
      String text, Type[] parameterTypes, List<String> parameterNames) {
    return serializer.deserializeArguments(text, parameterTypes, parameterNames);
  }

  /** An error is recorded whatever its size: a message that long is cut, never refused. */
  @Override
  public String serializeError(Throwable error) {
    String text = serializer.serializeError(error);
    if (text.length() <= maxChars) {
      return text;
    }
    String message = String.valueOf(error.getMessage());
    Throwable shortened =
        new DBOSSerializationException(
            error.getClass().getName()
                + " with a message of "
                + message.length()
                + " characters, cut to its first 1000: "
                + message.substring(0, Math.min(1000, message.length())),
            null);
    return serializer.serializeError(shortened);
  }

  @Override
  public Throwable deserializeError(String text, ClassLoader loader) {
    return serializer.deserializeError(text, loader);
  }

  /** The refusal, built only when a value is too long: the check itself allocates nothing. */
  private DBOSSerializationException refused(String json, String what) {
    return ErrorCode.PAYLOAD_TOO_LARGE.exception(
        DBOSSerializationException::new,
        what
            + " would be recorded as "
            + json.length()
            + " characters of JSON, more than the limit of "
            + maxChars
            + " ("
            + maxChars / (1024 * 1024)
            + " Mi): nothing was recorded. Keep large data in a table or an object store and"
            + " pass the workflow a reference to it (an id, a key, a URL).",
        null);
  }

  private static String describe(Object value) {
    return value == null ? "value" : value.getClass().getSimpleName() + " value";
  }
}
