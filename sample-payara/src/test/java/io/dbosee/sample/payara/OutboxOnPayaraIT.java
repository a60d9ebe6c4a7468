package io.dbosee.sample.payara;

import io.dbosee.servertests.OutboxOnServer;

/** The transactional outbox with Payara's JTA: {@link OutboxOnServer}'s test. */
class OutboxOnPayaraIT extends OutboxOnServer {
  OutboxOnPayaraIT() {
    super(new PayaraServer());
  }
}
