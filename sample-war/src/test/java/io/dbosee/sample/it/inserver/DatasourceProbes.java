package io.dbosee.sample.it.inserver;

import io.dbosee.DBOS;
import io.dbosee.Transaction;
import io.dbosee.TransactionOptions;
import io.dbosee.Workflow;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test-only transaction steps on two databases: the sample's persistence unit (the default
 * datasource, {@code jdbc/app}) and the {@code orders} unit ({@code jdbc/orders}, the datasource
 * {@code orders}). Bodies count their runs by workflow id and write {@code ds_probe_rows} in their
 * own database.
 */
@ApplicationScoped
public class DatasourceProbes {
  @PersistenceContext(unitName = "sample")
  EntityManager main;

  @PersistenceContext(unitName = "orders")
  EntityManager orders;

  private static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();

  @Inject DatasourceProbes self;
  @Inject DBOS dbos;

  /** How many times the body {@code <workflow id>/<step>} ran. */
  public static int runs(String key) {
    AtomicInteger runs = RUNS.get(key);
    return runs == null ? 0 : runs.get();
  }

  private static void ran(String key) {
    RUNS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
  }

  private static void insert(EntityManager em, String key, String label) {
    em.createNativeQuery("INSERT INTO ds_probe_rows (workflow_id, label) VALUES (?1, ?2)")
        .setParameter(1, key)
        .setParameter(2, label)
        .executeUpdate();
  }

  @Transaction
  public String pay(String key) {
    ran(key + "/pay");
    insert(main, key, "paid");
    return "paid";
  }

  @Transaction(datasource = "orders")
  public String ship(String key) {
    ran(key + "/ship");
    insert(orders, key, "shipped");
    return "shipped";
  }

  @Workflow
  public String order(String key) {
    return self.pay(key) + "+" + self.ship(key);
  }

  /** A programmatic step on {@code orders} at READ COMMITTED. */
  @Workflow
  public String count(String key) {
    return dbos.runTransaction(
        "count",
        TransactionOptions.DEFAULT
            .withDatasource("orders")
            .withIsolation(Transaction.Isolation.READ_COMMITTED),
        String.class,
        () -> {
          ran(key + "/count");
          insert(orders, key, "counted");
          Object rows =
              orders
                  .createNativeQuery("SELECT count(*) FROM ds_probe_rows WHERE workflow_id = ?1")
                  .setParameter(1, key)
                  .getSingleResult();
          Object isolation =
              orders.createNativeQuery("SHOW transaction_isolation").getSingleResult();
          return rows + " row(s) at " + isolation;
        });
  }
}
