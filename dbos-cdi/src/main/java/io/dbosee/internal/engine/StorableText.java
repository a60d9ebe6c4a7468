package io.dbosee.internal.engine;

import io.dbosee.internal.errors.ErrorCode;
import java.util.Objects;

/**
 * Checks a string the caller gives (a workflow id, a queue name, a topic, an event or stream key, a
 * list filter) before it reaches the database: PostgreSQL cannot store the NUL character in a text
 * value and fails the whole statement, which inside a workflow or a batch of checkpoints would look
 * like a database outage. Everything else (quotes, {@code %}, {@code _}, backslashes) is passed as
 * a bound parameter and means itself.
 */
public final class StorableText {
  private StorableText() {}

  /**
   * {@code value}, which must not be null nor contain NUL.
   *
   * @param what what the value is, for the message ("workflowId")
   * @throws IllegalArgumentException {@link ErrorCode#UNSTORABLE_TEXT} if it contains NUL
   */
  public static String require(String value, String what) {
    return optional(Objects.requireNonNull(value, what), what);
  }

  /** {@code value}, which may be null but must not contain NUL. */
  public static String optional(String value, String what) {
    int nul = value == null ? -1 : value.indexOf('\0');
    if (nul >= 0) {
      throw ErrorCode.UNSTORABLE_TEXT.illegalArgument(
          what
              + " contains a NUL character (\\u0000) at index "
              + nul
              + ": PostgreSQL cannot store it in a text value, so no workflow, queue, topic or key"
              + " can have it and nothing was done. Remove the character, or encode the value"
              + " (Base64, hex) before passing it.");
    }
    return value;
  }
}
