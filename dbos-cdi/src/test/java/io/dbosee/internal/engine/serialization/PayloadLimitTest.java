package io.dbosee.internal.engine.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbosee.DBOSSerializationException;
import java.util.List;
import org.junit.jupiter.api.Test;

class PayloadLimitTest {
  private final PayloadLimit limited = new PayloadLimit(PortableJsonSerializer.create(), 100);

  @Test
  void valuesAndArgumentsUpToTheLimitAreWrittenLongerOnesRefusedWithTheSizes() {
    assertThat(limited.serialize("x".repeat(98), String.class)).hasSize(100);
    assertThatThrownBy(() -> limited.serialize("x".repeat(99), String.class))
        .isInstanceOf(DBOSSerializationException.class)
        .hasMessageContaining("[DBOS-CDI-071] A String value would be recorded as 101 characters")
        .hasMessageContaining("limit of 100");
    assertThatThrownBy(
            () ->
                limited.serializeArguments(
                    new Object[] {List.of("x".repeat(60), "y".repeat(60))},
                    new java.lang.reflect.Type[] {List.class}))
        .hasMessageContaining("[DBOS-CDI-071] The arguments");
  }

  @Test
  void readingIsNeverLimitedAndAHugeErrorIsCutNotRefused() {
    String recorded = "\"" + "x".repeat(500) + "\"";
    assertThat(limited.deserialize(recorded, String.class)).isEqualTo("x".repeat(500));

    String error = limited.serializeError(new IllegalStateException("e".repeat(5000)));

    assertThat(error).contains("java.lang.IllegalStateException with a message of 5000");
    assertThat(limited.deserializeError(error, getClass().getClassLoader()))
        .hasMessageContaining("cut to its first 1000");
  }
}
