package io.dbosee.internal.cdi;

import io.dbosee.internal.errors.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.microprofile.config.Config;

/**
 * Owns the strict reading of one MicroProfile Config key: its conversion, its validation and the
 * deployment problem that names the key, the value and what is allowed. Every settings class of the
 * layer reads through one instance, so that all problems of a deployment land in one list.
 */
final class ConfigValues {
  private final Config config;
  private final List<String> problems;

  ConfigValues(Config config, List<String> problems) {
    this.config = config;
    this.problems = problems;
  }

  Config config() {
    return config;
  }

  /** Where invalid values are reported; the extension turns them into deployment problems. */
  List<String> problems() {
    return problems;
  }

  static Duration seconds(double seconds) {
    return Duration.ofNanos((long) (seconds * 1e9));
  }

  Optional<String> text(String key) {
    return config.getOptionalValue(key, String.class).map(String::trim).filter(s -> !s.isEmpty());
  }

  <T> T value(String key, Class<T> type, T fallback, Function<T, Boolean> valid, String allowed) {
    return optional(key, type, valid, allowed).orElse(fallback);
  }

  <T> Optional<T> optional(String key, Class<T> type, Function<T, Boolean> valid, String allowed) {
    if (type == Boolean.class) {
      // MicroProfile Config reads any other word as false: "ture" would quietly switch it off.
      Optional<String> raw = config.getOptionalValue(key, String.class).map(String::trim);
      if (raw.isPresent()
          && !raw.get().equalsIgnoreCase("true")
          && !raw.get().equalsIgnoreCase("false")) {
        problems.add(
            ErrorCode.INVALID_CONFIG.message(
                "The configuration value of "
                    + key
                    + " ('"
                    + raw.get()
                    + "') is invalid: it must be true or false."));
        return Optional.empty();
      }
    }
    Optional<T> value;
    try {
      value = config.getOptionalValue(key, type);
    } catch (IllegalArgumentException e) {
      problems.add(
          ErrorCode.INVALID_CONFIG.message(
              "The configuration value of "
                  + key
                  + " ('"
                  + config.getConfigValue(key).getValue()
                  + "') is not "
                  + allowed
                  + ": "
                  + e.getMessage()));
      return Optional.empty();
    }
    if (value.isPresent() && !valid.apply(value.get())) {
      problems.add(
          ErrorCode.INVALID_CONFIG.message(
              "The configuration value of "
                  + key
                  + " ('"
                  + value.get()
                  + "') is invalid: it must be "
                  + allowed
                  + "."));
      return Optional.empty();
    }
    return value;
  }
}
