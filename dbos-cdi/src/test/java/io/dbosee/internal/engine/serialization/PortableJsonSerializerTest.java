package io.dbosee.internal.engine.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbosee.DBOSRecordedErrorException;
import io.dbosee.DBOSSerializationException;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PortableJsonSerializerTest {
  private final PortableJsonSerializer serializer = PortableJsonSerializer.create();
  private final ClassLoader loader = getClass().getClassLoader();

  public record Line(String sku, int quantity) {}

  /** Its generic type is the declared type of a test. */
  @SuppressWarnings("unused")
  private static List<Line> lines;

  public enum Priority {
    LOW,
    HIGH
  }

  /** Declared types, as a workflow method would declare them. */
  @SuppressWarnings("unused")
  public List<Line> order(
      List<Line> lines, Map<String, Integer> stock, Optional<String> note, Priority priority) {
    return lines;
  }

  private static Method orderMethod() throws NoSuchMethodException {
    return PortableJsonSerializerTest.class.getMethod(
        "order", List.class, Map.class, Optional.class, Priority.class);
  }

  private Object roundTrip(Object value, Type type) {
    return serializer.deserialize(serializer.serialize(value, type), type);
  }

  @Test
  void valuesComeBackAsTheirDeclaredGenericTypes() throws Exception {
    Type[] types = orderMethod().getGenericParameterTypes();
    List<Line> lines = List.of(new Line("a-1", 2), new Line("b-2", 1));

    assertThat(roundTrip(lines, types[0])).isEqualTo(lines);
    assertThat(roundTrip(Map.of("a-1", 5), types[1])).isEqualTo(Map.of("a-1", 5));
    assertThat(roundTrip(Optional.of("fragile"), types[2])).isEqualTo(Optional.of("fragile"));
    assertThat(roundTrip(Priority.HIGH, types[3])).isEqualTo(Priority.HIGH);
    assertThat(roundTrip(lines, orderMethod().getGenericReturnType())).isEqualTo(lines);
  }

  @Test
  void scalarsDatesAndBytesRoundTripAndDatesAreIsoStrings() {
    Instant instant = Instant.parse("2026-11-23T10:15:30Z");
    LocalDate date = LocalDate.of(2026, 11, 23);

    assertThat(serializer.serialize(instant, Instant.class)).isEqualTo("\"2026-11-23T10:15:30Z\"");
    assertThat(serializer.serialize(date, LocalDate.class)).isEqualTo("\"2026-11-23\"");
    assertThat(roundTrip(instant, Instant.class)).isEqualTo(instant);
    assertThat(roundTrip(date, LocalDate.class)).isEqualTo(date);
    assertThat(roundTrip(42, int.class)).isEqualTo(42);
    assertThat(roundTrip(42L, Long.class)).isEqualTo(42L);
    assertThat(roundTrip(true, boolean.class)).isEqualTo(true);
    assertThat(roundTrip("text \"quoted\"", String.class)).isEqualTo("text \"quoted\"");
    assertThat((byte[]) roundTrip(new byte[] {1, 2, 3}, byte[].class)).containsExactly(1, 2, 3);
  }

  /** Regression: JSON-B writes an empty Optional as null, which must read back as empty. */
  @Test
  void anEmptyOptionalComesBackEmptyNotNull() throws Exception {
    Type optional = orderMethod().getGenericParameterTypes()[2];

    assertThat(roundTrip(Optional.empty(), optional)).isEqualTo(Optional.empty());
    assertThat(
            serializer.deserializeArguments(
                "{\"positionalArgs\":[null],\"namedArgs\":{}}", new Type[] {optional}))
        .containsExactly(Optional.empty());
  }

  @Test
  void nullIsJsonNullAndVoidReadsAsNull() {
    assertThat(serializer.serialize(null, String.class)).isEqualTo("null");
    assertThat(serializer.deserialize("null", String.class)).isNull();
    assertThat(serializer.deserialize(null, String.class)).isNull();
    assertThat(serializer.deserialize("null", Void.class)).isNull();
  }

  @Test
  void argumentsArePositionalArgsAndNamedArgs() throws Exception {
    Type[] types = orderMethod().getGenericParameterTypes();
    Object[] arguments = {
      List.of(new Line("a-1", 2)), Map.of("a-1", 5), Optional.empty(), Priority.LOW
    };

    String json = serializer.serializeArguments(arguments, types);

    JsonObject parsed = Json.createReader(new StringReader(json)).readObject();
    assertThat(parsed.keySet()).containsExactly("positionalArgs", "namedArgs");
    assertThat(parsed.getJsonArray("positionalArgs")).hasSize(4);
    assertThat(
            parsed.getJsonArray("positionalArgs").getJsonArray(0).getJsonObject(0).getString("sku"))
        .isEqualTo("a-1");
    assertThat(parsed.getJsonObject("namedArgs")).isEmpty();
    assertThat(serializer.deserializeArguments(json, types)).containsExactly(arguments);
  }

  @Test
  void argumentsWithoutNamedArgsAreAcceptedAndJsonNullIsNull() {
    Object[] read =
        serializer.deserializeArguments(
            "{\"positionalArgs\": [\"x\", null]}", new Type[] {String.class, Integer.class});

    assertThat(read).containsExactly("x", null);
  }

  @Test
  void argumentsThatDoNotFitTheMethodAreRefusedClearly() {
    Type[] one = {String.class};

    assertThatThrownBy(
            () -> serializer.deserializeArguments("{\"positionalArgs\": [\"a\", \"b\"]}", one))
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageContaining("2 positional argument(s)")
        .hasMessageContaining("1 parameter(s)");
    assertThatThrownBy(
            () ->
                serializer.deserializeArguments(
                    "{\"positionalArgs\": [], \"namedArgs\": {\"name\": \"a\"}}", one))
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageContaining("named arguments")
        .hasMessageContaining("-parameters");
    assertThatThrownBy(() -> serializer.deserializeArguments("[1,", one))
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageContaining("positionalArgs");
  }

  @Test
  void unreadableJsonNamesTheTargetTypeAndShowsTheText() {
    assertThatThrownBy(() -> serializer.deserialize("\"not a number\"", Integer.class))
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageContaining("java.lang.Integer")
        .hasMessageContaining("\"not a number\"");
  }

  public static final class Unreadable {
    public String getSecret() {
      throw new IllegalStateException("locked");
    }
  }

  @Test
  void aValueThatCannotBeWrittenFailsNamingItsClass() {
    assertThatThrownBy(() -> serializer.serialize(new Unreadable(), Unreadable.class))
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageContaining(Unreadable.class.getName())
        .hasMessageContaining("JSON-B");
    assertThatThrownBy(
            () ->
                serializer.serializeArguments(
                    new Object[] {"ok", new Unreadable()},
                    new Type[] {String.class, Unreadable.class}))
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageStartingWith("Argument 2 cannot be recorded");
  }

  @Test
  void anErrorIsNameMessageCodeAndDataWithTheJavaClass() {
    String json = serializer.serializeError(new IllegalStateException("out of stock"));

    JsonObject parsed = Json.createReader(new StringReader(json)).readObject();
    assertThat(parsed.getString("name")).isEqualTo("IllegalStateException");
    assertThat(parsed.getString("message")).isEqualTo("out of stock");
    assertThat(parsed.isNull("code")).isTrue();
    assertThat(parsed.getJsonObject("data").getString("className"))
        .isEqualTo("java.lang.IllegalStateException");
  }

  public static class CauseOnly extends Exception {
    private static final long serialVersionUID = 1L;

    public CauseOnly(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public static class NoArgs extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NoArgs() {
      super();
    }
  }

  @Test
  void recordedErrorsAreRebuiltAsTheirOriginalTypeWithTheirMessage() {
    for (Throwable original :
        List.of(
            new IllegalStateException("state"),
            new IOException("disk"),
            new CauseOnly("only with a cause", null),
            new NoArgs())) {
      Throwable rebuilt = serializer.deserializeError(serializer.serializeError(original), loader);

      assertThat(rebuilt).isExactlyInstanceOf(original.getClass());
      assertThat(rebuilt.getMessage()).isEqualTo(original.getMessage());
    }
  }

  @Test
  void anErrorThatCannotBeRebuiltBecomesARecordedErrorAndNothingElseIsInstantiated() {
    String unknownClass =
        "{\"name\":\"Gone\",\"message\":\"m\",\"code\":null,\"data\":{\"className\":\"com.example.Gone\"}}";
    String notThrowable =
        "{\"name\":\"String\",\"message\":\"m\",\"code\":null,\"data\":{\"className\":\"java.lang.String\"}}";
    String python =
        "{\"name\":\"ValueError\",\"message\":\"bad value\",\"code\":null,\"data\":null}";

    assertThat(serializer.deserializeError(unknownClass, loader))
        .isExactlyInstanceOf(DBOSRecordedErrorException.class)
        .hasMessage("Gone: m");
    assertThat(serializer.deserializeError(notThrowable, loader))
        .isExactlyInstanceOf(DBOSRecordedErrorException.class);
    assertThat(serializer.deserializeError(python, loader))
        .isExactlyInstanceOf(DBOSRecordedErrorException.class)
        .hasMessage("ValueError: bad value")
        .extracting(e -> ((DBOSRecordedErrorException) e).recordedType())
        .isEqualTo("ValueError");
    assertThat(serializer.deserializeError("{not json", loader))
        .isExactlyInstanceOf(DBOSRecordedErrorException.class);
  }

  @Test
  void javaSerializedPayloadsAreRefused() {
    assertThatThrownBy(() -> serializer.deserialize("\"rO0ABXNyABFqYXZh\"", String.class))
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageContaining("Java-serialized");
    assertThatThrownBy(
            () -> serializer.deserializeArguments("rO0ABXNyABFqYXZh", new Type[] {String.class}))
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageContaining("never reads");
  }

  @Test
  void otherSdksFormatsAreReadWherePossibleAndRefusedClearlyOtherwise() {
    assertThat(Serializers.forName(null, serializer)).isSameAs(serializer);
    assertThat(Serializers.forName("portable_json", serializer)).isSameAs(serializer);

    Serializer jackson = Serializers.forName("java_jackson", serializer);
    assertThat(jackson.deserialize("{\"sku\":\"a\",\"quantity\":3}", Line.class))
        .isEqualTo(new Line("a", 3));
    assertThat(jackson.deserializeArguments("[\"a\", 3]", new Type[] {String.class, int.class}))
        .containsExactly("a", 3);
    assertThat(
            jackson.deserializeArguments(
                "[\"[Ljava.lang.Object;\",[\"a\",3]]", new Type[] {String.class, int.class}))
        .as("the Java SDK's typed argument array")
        .containsExactly("a", 3);
    assertThatThrownBy(() -> jackson.serialize("x", String.class))
        .isInstanceOf(IllegalStateException.class);

    assertThatThrownBy(() -> Serializers.forName("py_pickle", serializer))
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageContaining("'py_pickle'")
        .hasMessageContaining("portable_json");
    assertThatThrownBy(() -> Serializers.forName("mystery", serializer))
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageContaining("'mystery'");
  }

  @Test
  void javaJacksonTypeInformationIsDroppedNeverUsedToChooseAClass() throws Exception {
    Serializer jackson = Serializers.forName("java_jackson", serializer);
    Type listOfLines = PortableJsonSerializerTest.class.getDeclaredField("lines").getGenericType();
    assertThat(
            jackson.deserialize(
                "[\"java.util.ArrayList\",[{\"@class\":\"com.evil.Gadget\",\"sku\":\"a\","
                    + "\"quantity\":3},[\"java.util.ArrayList\",[]]]]",
                Object.class))
        .as("wrappers and @class dropped; com.evil.Gadget is never loaded")
        .isEqualTo(
            List.of(Map.of("sku", "a", "quantity", java.math.BigDecimal.valueOf(3)), List.of()));
    assertThat(
            jackson.deserialize(
                "[\"java.util.ImmutableCollections$ListN\",[{\"sku\":\"a\",\"quantity\":3}]]",
                listOfLines))
        .isEqualTo(List.of(new Line("a", 3)));
    assertThat(
            jackson.deserialize(
                "{\"@class\":\"java.util.HashMap\",\"k\":[\"[I\",[1,2]]}", Object.class))
        .isEqualTo(Map.of("k", List.of(java.math.BigDecimal.ONE, java.math.BigDecimal.valueOf(2))));
    assertThat(jackson.deserialize("\"plain\"", String.class)).isEqualTo("plain");
  }

  @Test
  void javaJacksonErrorsKeepTheirTypeAndMessageAndTheirJavaSerializedBytesAreNeverRead() {
    Serializer jackson = Serializers.forName("java_jackson", serializer);
    String wire =
        "{\"v\":1,\"type\":\"java.lang.IllegalStateException\",\"message\":\"out of stock\","
            + "\"base64bytes\":\"rO0ABXNyAA5qYXZhLmxhbmcuT2JqZWN0\",\"stackPreview\":[]}";
    assertThat(jackson.deserializeError(wire, getClass().getClassLoader()))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("out of stock");
    String unknown =
        "{\"v\":1,\"type\":\"com.acme.OutOfStock\",\"message\":\"sku a\","
            + "\"base64bytes\":\"rO0ABQ==\"}";
    assertThat(jackson.deserializeError(unknown, getClass().getClassLoader()))
        .isInstanceOfSatisfying(
            DBOSRecordedErrorException.class, e -> assertThat(e).hasMessage("OutOfStock: sku a"));
  }

  @Test
  void namedArgumentsBindToTheParametersOfThoseNames() {
    Type[] types = {String.class, int.class, Line.class};
    List<String> names = List.of("customer", "count", "line");
    assertThat(
            serializer.deserializeArguments(
                "{\"positionalArgs\":[\"ann\"],\"namedArgs\":{\"line\":{\"sku\":\"a\","
                    + "\"quantity\":1},\"count\":2}}",
                types,
                names))
        .containsExactly("ann", 2, new Line("a", 1));
    assertThat(
            serializer.deserializeArguments(
                "{\"positionalArgs\":null,\"namedArgs\":{\"customer\":\"bo\",\"count\":1,"
                    + "\"line\":null}}",
                types,
                names))
        .containsExactly("bo", 1, null);

    assertThatThrownBy(
            () ->
                serializer.deserializeArguments(
                    "{\"positionalArgs\":[\"ann\"],\"namedArgs\":{\"colour\":1}}", types, names))
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageContaining("'colour'")
        .hasMessageContaining("[customer, count, line]");
    assertThatThrownBy(
            () ->
                serializer.deserializeArguments(
                    "{\"positionalArgs\":[\"ann\"],\"namedArgs\":{\"customer\":\"bo\"}}",
                    types,
                    names))
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageContaining("both by position and by name");
    assertThatThrownBy(
            () ->
                serializer.deserializeArguments(
                    "{\"positionalArgs\":[\"ann\"],\"namedArgs\":{\"count\":2}}", types, names))
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageContaining("no value for parameter 'line'");
    assertThatThrownBy(
            () ->
                serializer.deserializeArguments(
                    "{\"positionalArgs\":[],\"namedArgs\":{\"count\":2}}", types, null))
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageContaining("-parameters");
  }

  @Test
  void aValueDeclaredAsObjectIsWrittenAsWhatItIs() {
    assertThat(serializer.serialize("fetched", Object.class)).isEqualTo("\"fetched\"");
    assertThat(serializer.serialize(List.of(1, 2), Object.class)).isEqualTo("[1,2]");
    assertThat(serializer.serialize(new Line("a", 1), Object.class))
        .isEqualTo("{\"quantity\":1,\"sku\":\"a\"}");
  }
}
