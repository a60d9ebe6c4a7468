package io.dbosee.internal.jpa;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.Extension;
import java.util.List;

/** Registers the module's beans and interceptor, whatever the application's bean discovery. */
public class TransactionExtension implements Extension {

  void registerBeans(@Observes BeforeBeanDiscovery event, BeanManager manager) {
    for (Class<?> type :
        List.of(TransactionSteps.class, NewTransactions.class, TransactionInterceptor.class)) {
      event.addAnnotatedType(manager.createAnnotatedType(type), type.getName());
    }
  }
}
