package io.dbosee.internal.jpa;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.transaction.Status;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.UserTransaction;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * A transaction step's own JTA transaction: through the UserTransaction, or through the container's
 * {@code @Transactional(REQUIRES_NEW)} when the container refuses the UserTransaction to the thread
 * (Payara does on a task submitted from a {@code @Transactional} method: issue 28).
 */
class JtaTransactionControlTest {
  private final List<String> calls = new ArrayList<>();

  /** A UserTransaction that records its calls, or refuses them as Payara does. */
  private UserTransaction userTransaction(boolean refused) {
    return (UserTransaction)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {UserTransaction.class},
            (proxy, method, args) -> {
              if (refused) {
                throw new IllegalStateException("Operation not allowed.");
              }
              calls.add("ut." + method.getName());
              return method.getName().equals("getStatus") ? Status.STATUS_NO_TRANSACTION : null;
            });
  }

  /** A registry that says the thread holds no transaction. */
  private static TransactionSynchronizationRegistry noTransaction() {
    return (TransactionSynchronizationRegistry)
        Proxy.newProxyInstance(
            JtaTransactionControlTest.class.getClassLoader(),
            new Class<?>[] {TransactionSynchronizationRegistry.class},
            (proxy, method, args) -> null);
  }

  /** The container's REQUIRES_NEW, recorded. */
  private final NewTransactions newTransactions =
      new NewTransactions() {
        @Override
        public <T> T requiresNew(Callable<T> work) throws Exception {
          calls.add("requiresNew");
          return work.call();
        }
      };

  @Test
  void aStepBeginsAndCommitsThroughTheUserTransaction() throws Exception {
    JtaTransactionControl control =
        new JtaTransactionControl(userTransaction(false), noTransaction(), null, newTransactions);

    assertThat(control.inNewTransaction(() -> "done")).isEqualTo("done");
    assertThat(calls).containsExactly("ut.begin", "ut.commit");
  }

  @Test
  void whereTheContainerRefusesTheUserTransactionTheStepRunsInARequiresNewTransaction()
      throws Exception {
    JtaTransactionControl control =
        new JtaTransactionControl(userTransaction(true), noTransaction(), null, newTransactions);

    assertThat(control.inNewTransaction(() -> "done")).isEqualTo("done");
    assertThat(calls).containsExactly("requiresNew");
  }
}
