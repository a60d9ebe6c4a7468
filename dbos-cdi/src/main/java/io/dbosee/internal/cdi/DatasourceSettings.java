package io.dbosee.internal.cdi;

import io.dbosee.internal.errors.ErrorCode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Owns the keys that declare application databases: the default one ({@code
 * dbos.application-database.*}, read by {@link GlobalSettings}) and each named one, {@code
 * dbos.datasource."<name>".jndi-name} and {@code dbos.datasource."<name>".schema}.
 */
final class DatasourceSettings {
  static final String PREFIX = "dbos.datasource.\"";

  private DatasourceSettings() {}

  /** The key that gives {@code name}'s JNDI name. */
  static String jndiKey(String name) {
    return name.isEmpty() ? GlobalSettings.APPLICATION_DATASOURCE : PREFIX + name + "\".jndi-name";
  }

  static String schemaKey(String name) {
    return name.isEmpty() ? GlobalSettings.APPLICATION_SCHEMA : PREFIX + name + "\".schema";
  }

  /**
   * The configured application databases by name: the default one when set, every name found in the
   * configuration's keys, and every name in {@code used} (so that a key the configuration cannot
   * list, such as an environment variable, still counts for the steps that name it).
   */
  static Map<String, ApplicationDatasource> read(
      ConfigValues values, GlobalSettings settings, Set<String> used) {
    Map<String, ApplicationDatasource> datasources = new LinkedHashMap<>();
    settings.applicationDatasource.ifPresent(
        jndi ->
            datasources.put(
                "",
                new ApplicationDatasource(
                    "", jndi, settings.applicationSchema, GlobalSettings.APPLICATION_DATASOURCE)));
    Map<String, Set<String>> keysByName = new TreeMap<>();
    for (String key : values.config().getPropertyNames()) {
      if (key.startsWith(PREFIX)) {
        int end = key.indexOf('"', PREFIX.length());
        if (end > PREFIX.length()) {
          keysByName
              .computeIfAbsent(key.substring(PREFIX.length(), end), n -> new TreeSet<>())
              .add(key);
        }
      }
    }
    Set<String> names = new TreeSet<>(used);
    names.addAll(keysByName.keySet());
    names.remove("");
    for (String name : names) {
      Optional<String> jndi = values.text(jndiKey(name));
      if (jndi.isEmpty() && keysByName.containsKey(name)) {
        values.problems().add(withoutJndiName(name, keysByName.get(name)));
      }
      if (jndi.isPresent()) {
        String schema =
            values.value(
                schemaKey(name),
                String.class,
                "dbos",
                GlobalSettings::isSchemaName,
                GlobalSettings.SCHEMA_NAME_RULE);
        datasources.put(name, new ApplicationDatasource(name, jndi.get(), schema, jndiKey(name)));
      }
    }
    return datasources;
  }

  /** Keys that mean to declare a datasource, but not the one that does: likely a misspelling. */
  private static String withoutJndiName(String name, Set<String> keys) {
    return ErrorCode.DATASOURCE_WITHOUT_JNDI_NAME.message(
        "The configuration has "
            + String.join(", ", keys)
            + " but no "
            + jndiKey(name)
            + ", so the datasource '"
            + name
            + "' is not declared. Set "
            + jndiKey(name)
            + " to the JNDI name of its JTA DataSource (the other key is "
            + schemaKey(name)
            + "), or remove these keys.");
  }
}
