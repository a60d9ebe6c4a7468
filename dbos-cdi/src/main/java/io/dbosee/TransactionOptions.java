package io.dbosee;

import java.util.Objects;

/**
 * Where and how a programmatic transaction step runs ({@link DBOS#runTransaction}): immutable.
 *
 * <pre>{@code
 * TransactionOptions orders =
 *     TransactionOptions.DEFAULT.withDatasource("orders").withIsolation(Isolation.READ_COMMITTED);
 * }</pre>
 *
 * @param datasource the application database, as {@link Transaction#datasource()}: a name declared
 *     by {@code dbos.datasource."<name>".jndi-name}, or empty for the one {@code
 *     dbos.application-database.datasource} names
 * @param isolation the transaction's isolation level
 */
public record TransactionOptions(String datasource, Transaction.Isolation isolation) {

  /** The default application database, SERIALIZABLE: what {@code @Transaction} means alone. */
  public static final TransactionOptions DEFAULT =
      new TransactionOptions("", Transaction.Isolation.SERIALIZABLE);

  public TransactionOptions {
    Objects.requireNonNull(
        datasource, "datasource (use \"\" for the default application database)");
    Objects.requireNonNull(isolation, "isolation");
    datasource = datasource.trim();
  }

  public TransactionOptions withDatasource(String datasource) {
    return new TransactionOptions(datasource, isolation);
  }

  public TransactionOptions withIsolation(Transaction.Isolation isolation) {
    return new TransactionOptions(datasource, isolation);
  }
}
