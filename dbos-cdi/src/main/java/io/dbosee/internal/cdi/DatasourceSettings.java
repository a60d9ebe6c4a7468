package io.dbosee.internal.cdi;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    Set<String> names = new TreeSet<>(used);
    for (String key : values.config().getPropertyNames()) {
      if (key.startsWith(PREFIX)) {
        int end = key.indexOf('"', PREFIX.length());
        if (end > PREFIX.length()) {
          names.add(key.substring(PREFIX.length(), end));
        }
      }
    }
    names.remove("");
    for (String name : names) {
      Optional<String> jndi = values.text(jndiKey(name));
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
}
