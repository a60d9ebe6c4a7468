package io.dbosee.internal.cdi;

import java.util.Objects;

/**
 * An application database that transaction steps write to and record their outcomes in, as
 * configured: a logical name, the JNDI name of its JTA DataSource, and the schema of its outcome
 * table.
 *
 * @param name the name steps use ({@code @Transaction(datasource = ...)}); empty for the default
 *     one, {@code dbos.application-database.datasource}
 * @param jndiName the JNDI name of its transactional DataSource
 * @param schema the schema of {@code datasource_outputs} in that database
 * @param jndiKey the configuration key that set {@code jndiName}, for messages
 */
public record ApplicationDatasource(String name, String jndiName, String schema, String jndiKey) {
  public ApplicationDatasource {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(jndiName, "jndiName");
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(jndiKey, "jndiKey");
  }

  /** How messages name it: "datasource 'orders'" or "the default application database". */
  public String describe() {
    return name.isEmpty() ? "the default application database" : "datasource '" + name + "'";
  }
}
