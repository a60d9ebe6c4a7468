package io.dbosee.internal.engine.serialization;

import jakarta.json.spi.JsonProvider;

/**
 * The one JSON-P provider the serializers use. {@code Json.createReader} and the other {@code Json}
 * factory methods look the provider up through the ServiceLoader on every call; a resumed workflow
 * reads its arguments and every recorded step, so that lookup showed in profiles of Liberty.
 */
final class JsonP {
  static final JsonProvider PROVIDER = JsonProvider.provider();

  private JsonP() {}
}
