package io.dbosee.internal.engine.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbosee.DBOSSerializationException;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The serializer's direct path for strings, ints, longs and booleans must be indistinguishable from
 * JSON-B: the same text written (other SDKs and earlier versions read it), the same values read,
 * and JSON-B's own handling of everything else.
 */
class ScalarJsonTest {
  private final Jsonb yasson = JsonbBuilder.create();
  private final PortableJsonSerializer direct = PortableJsonSerializer.create();

  /** The same serializer without the direct path: JSON-B for everything. */
  private final PortableJsonSerializer viaJsonb = new PortableJsonSerializer(JsonbBuilder.create());

  @Test
  void everyCharacterIsWrittenAsJsonbWritesIt() {
    StringBuilder all = new StringBuilder();
    for (char c = 0; c < 0xFFFF; c++) {
      String one = String.valueOf(c);
      assertThat(ScalarJson.quoted(one)).as("char %04x", (int) c).isEqualTo(yasson.toJson(one));
      all.append(c);
    }
    assertThat(direct.serialize(all.toString(), String.class))
        .isEqualTo(yasson.toJson(all.toString()));
  }

  @Test
  void stringsIntsLongsAndBooleansAreWrittenAndReadAsJsonbDoes() {
    Random random = new Random(42);
    List<Object> values =
        new ArrayList<>(
            List.of(
                "",
                "plain",
                "quote \" and \\ and \n\t\u0001",
                "é ünïcödé 😀 \ud800",
                "rO0 not serialized",
                Integer.MIN_VALUE,
                Integer.MAX_VALUE,
                0,
                -1,
                Long.MIN_VALUE,
                Long.MAX_VALUE,
                0L,
                true,
                false));
    for (int i = 0; i < 200; i++) {
      values.add(random.nextInt());
      values.add(random.nextLong());
      values.add(randomString(random));
    }
    for (Object value : values) {
      Class<?> type = value.getClass();
      String json = direct.serialize(value, type);
      assertThat(json).as("%s", value).isEqualTo(viaJsonb.serialize(value, type));
      assertThat(direct.serialize(value, Object.class)).isEqualTo(json);
      assertThat(direct.deserialize(json, type)).as("%s", json).isEqualTo(value);
    }
    assertThat(direct.serialize(7, int.class)).isEqualTo("7");
    assertThat(direct.deserialize("7", int.class)).isEqualTo(7);
    assertThat(direct.deserialize("-9007199254740993", long.class)).isEqualTo(-9007199254740993L);
    assertThat(direct.deserialize("true", boolean.class)).isEqualTo(true);
  }

  /**
   * Texts the direct path does not read are JSON-B's: the same value, or a failure where JSON-B
   * fails.
   */
  @Test
  void textsOutsideThePlainFormAreLeftToJsonb() {
    Object[][] cases = {
      {"\"with \\u0041 escape\"", String.class},
      {"\"tab \\t\"", String.class},
      {" \"spaced\" ", String.class},
      {"1e3", Integer.class},
      {"2147483647", Integer.class},
      {"9223372036854775807", Long.class},
      {"-0", Integer.class},
      {"12.0", Long.class},
      {"2147483648", Integer.class},
      {"\"unterminated", String.class},
      {"01", Integer.class},
      {"TRUE", Boolean.class},
      {"\"a\" \"b\"", String.class},
    };
    for (Object[] c : cases) {
      String text = (String) c[0];
      Type type = (Type) c[1];
      Object expected;
      try {
        expected = viaJsonb.deserialize(text, type);
      } catch (DBOSSerializationException e) {
        assertThatThrownBy(() -> direct.deserialize(text, type))
            .as(text)
            .isInstanceOf(DBOSSerializationException.class);
        continue;
      }
      assertThat(direct.deserialize(text, type)).as(text).isEqualTo(expected);
    }
  }

  /** Declared as another type than its own (an interface, a supertype), JSON-B decides. */
  @Test
  void aScalarDeclaredAsAnotherTypeIsLeftToJsonb() {
    assertThat(ScalarJson.write("text", CharSequence.class, false)).isNull();
    assertThat(ScalarJson.write(5, Number.class, false)).isNull();
    assertThat(ScalarJson.write(5, Long.class, false)).isNull();
    assertThat(ScalarJson.read("5", Number.class)).isSameAs(ScalarJson.NOT_SCALAR);
    assertThat(direct.serialize(5, Number.class)).isEqualTo(viaJsonb.serialize(5, Number.class));
  }

  @Test
  void aJavaSerializedStringIsStillRefused() {
    assertThatThrownBy(() -> direct.deserialize("\"rO0ABXNyABF\"", String.class))
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageContaining("Java-serialized");
  }

  private static String randomString(Random random) {
    char[] chars = new char[random.nextInt(40)];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = (char) (random.nextBoolean() ? 0x20 + random.nextInt(0x60) : random.nextInt());
    }
    return new String(chars);
  }
}
