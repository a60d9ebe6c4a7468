package io.dbosee.internal.engine.serialization;

import java.lang.reflect.Type;

/**
 * The JSON of the commonest step and workflow values ({@code String}, {@code Integer}, {@code
 * Long}, {@code Boolean}), written and read without JSON-B: the same text the default JSON-B writes
 * (Yasson on Parsson) and the same values it reads, at a fraction of the cost, since a workflow
 * writes one per step and a replay reads one per step. Anything else, and any text that is not in
 * the plain form written here (escapes, exponents, leading zeros, whitespace, out of range), is
 * left to JSON-B, so errors and edge cases stay JSON-B's.
 */
final class ScalarJson {
  /** What {@link #read} returns when JSON-B must read the text. */
  static final Object NOT_SCALAR = new Object();

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private ScalarJson() {}

  /**
   * The JSON of {@code value} if it is a scalar this class writes, declared as its own type (or
   * untyped), else null.
   */
  static String write(Object value, Type declaredType, boolean untyped) {
    Class<?> type = value.getClass();
    if (!untyped && declaredType != type && declaredType != primitive(type)) {
      return null;
    }
    if (type == String.class) {
      return quoted((String) value);
    }
    if (type == Integer.class || type == Long.class || type == Boolean.class) {
      return value.toString();
    }
    return null;
  }

  /**
   * The value of {@code text} read as {@code declaredType} if it is a scalar in the plain form,
   * else {@link #NOT_SCALAR}.
   */
  static Object read(String text, Type declaredType) {
    if (declaredType == String.class) {
      return plainString(text);
    }
    if (declaredType == Integer.class || declaredType == int.class) {
      return plainInteger(text, 9) ? Integer.valueOf(text) : NOT_SCALAR;
    }
    if (declaredType == Long.class || declaredType == long.class) {
      return plainInteger(text, 18) ? Long.valueOf(text) : NOT_SCALAR;
    }
    if (declaredType == Boolean.class || declaredType == boolean.class) {
      return switch (text) {
        case "true" -> Boolean.TRUE;
        case "false" -> Boolean.FALSE;
        default -> NOT_SCALAR;
      };
    }
    return NOT_SCALAR;
  }

  private static Class<?> primitive(Class<?> boxed) {
    if (boxed == Integer.class) {
      return int.class;
    }
    if (boxed == Long.class) {
      return long.class;
    }
    if (boxed == Boolean.class) {
      return boolean.class;
    }
    return null;
  }

  /** As Parsson escapes: quote, backslash and the control characters; nothing else. */
  static String quoted(String s) {
    int length = s.length();
    int i = 0;
    while (i < length && !mustEscape(s.charAt(i))) {
      i++;
    }
    if (i == length) {
      return '"' + s + '"';
    }
    StringBuilder json = new StringBuilder(length + 16).append('"').append(s, 0, i);
    for (; i < length; i++) {
      char c = s.charAt(i);
      if (!mustEscape(c)) {
        json.append(c);
        continue;
      }
      switch (c) {
        case '"', '\\' -> json.append('\\').append(c);
        case '\b' -> json.append("\\b");
        case '\f' -> json.append("\\f");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        default -> json.append("\\u00").append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
      }
    }
    return json.append('"').toString();
  }

  private static boolean mustEscape(char c) {
    return c < 0x20 || c == '"' || c == '\\';
  }

  /** The content of a quoted string without escapes or control characters. */
  private static Object plainString(String text) {
    int last = text.length() - 1;
    if (last < 1 || text.charAt(0) != '"' || text.charAt(last) != '"') {
      return NOT_SCALAR;
    }
    for (int i = 1; i < last; i++) {
      if (mustEscape(text.charAt(i))) {
        return NOT_SCALAR;
      }
    }
    return text.substring(1, last);
  }

  /**
   * An optional minus and 1 to {@code maxDigits} digits without a leading zero: always in range (9
   * digits for an int, 18 for a long); longer numbers are left to JSON-B.
   */
  private static boolean plainInteger(String text, int maxDigits) {
    int start = text.startsWith("-") ? 1 : 0;
    int digits = text.length() - start;
    if (digits < 1 || digits > maxDigits) {
      return false;
    }
    if (text.charAt(start) == '0' && digits > 1) {
      return false;
    }
    for (int i = start; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
