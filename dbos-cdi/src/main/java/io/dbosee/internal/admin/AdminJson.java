package io.dbosee.internal.admin;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonStructure;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** Reading the admin requests' JSON and writing the answers' values. */
final class AdminJson {
  private AdminJson() {}

  /** A request the caller got wrong (400): what is wrong and how to fix it. */
  static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadRequest(String message) {
      super(message);
    }
  }

  static JsonStructure parse(InputStream body) throws IOException {
    String text;
    try (InputStream in = body) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    }
    if (text.isEmpty()) {
      return JsonValue.EMPTY_JSON_OBJECT;
    }
    try (var reader = Json.createReader(new StringReader(text))) {
      return reader.read();
    } catch (JsonException e) {
      throw new BadRequest("Invalid JSON input: " + e.getMessage());
    }
  }

  static JsonObject object(JsonStructure body) {
    if (body instanceof JsonObject o) {
      return o;
    }
    throw new BadRequest("Expected a JSON object, got " + body.getValueType());
  }

  static JsonArray array(JsonStructure body, String ofWhat) {
    if (body instanceof JsonArray a) {
      return a;
    }
    throw new BadRequest("Expected a JSON array of " + ofWhat + ", got " + body.getValueType());
  }

  static String text(JsonValue v, String what) {
    if (v instanceof JsonString s) {
      return s.getString();
    }
    throw new BadRequest("Expected a string " + what + ", got " + v);
  }

  static String string(JsonObject in, String key) {
    JsonValue v = in.get(key);
    return v == null || v == JsonValue.NULL ? null : text(v, key);
  }

  static Long number(JsonObject in, String key) {
    JsonValue v = in.get(key);
    if (v == null || v == JsonValue.NULL) {
      return null;
    }
    if (v instanceof JsonNumber n) {
      return n.longValueExact();
    }
    throw new BadRequest("Expected a number for " + key + ", got " + v);
  }

  static boolean bool(JsonObject in, String key, boolean otherwise) {
    JsonValue v = in.get(key);
    if (v == null || v == JsonValue.NULL) {
      return otherwise;
    }
    if (v == JsonValue.TRUE || v == JsonValue.FALSE) {
      return v == JsonValue.TRUE;
    }
    throw new BadRequest("Expected true or false for " + key + ", got " + v);
  }

  static List<String> stringOrList(JsonObject in, String key) {
    JsonValue v = in.get(key);
    List<String> values = new ArrayList<>();
    if (v == null || v == JsonValue.NULL) {
      return values;
    }
    if (v instanceof JsonArray a) {
      a.forEach(e -> values.add(text(e, key)));
    } else {
      values.add(text(v, key));
    }
    return values;
  }

  /** An ISO-8601 time (as the DBOS SDKs send) or epoch milliseconds. */
  static Instant time(JsonObject in, String key) {
    JsonValue v = in.get(key);
    if (v == null || v == JsonValue.NULL) {
      return null;
    }
    if (v instanceof JsonNumber n) {
      return Instant.ofEpochMilli(n.longValueExact());
    }
    String s = text(v, key);
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      try {
        return OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeParseException e2) {
        throw new BadRequest(
            key + " must be an ISO-8601 time such as 2026-11-01T00:00:00Z, got '" + s + "'");
      }
    }
  }

  /** A value as the SDKs write it: null, epoch milliseconds for a time, a number, or text. */
  static void put(JsonObjectBuilder b, String key, Object value) {
    if (value == null) {
      b.addNull(key);
    } else if (value instanceof Instant i) {
      b.add(key, i.toEpochMilli());
    } else if (value instanceof Long l) {
      b.add(key, l);
    } else {
      b.add(key, value.toString());
    }
  }

  static JsonArray strings(List<String> list) {
    JsonArrayBuilder all = Json.createArrayBuilder();
    list.forEach(all::add);
    return all.build();
  }
}
