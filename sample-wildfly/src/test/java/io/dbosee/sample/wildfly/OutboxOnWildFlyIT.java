package io.dbosee.sample.wildfly;

import io.dbosee.servertests.OutboxOnServer;

/** The transactional outbox with WildFly's JTA: {@link OutboxOnServer}'s test. */
class OutboxOnWildFlyIT extends OutboxOnServer {
  OutboxOnWildFlyIT() {
    super(new WildFlyServer());
  }
}
