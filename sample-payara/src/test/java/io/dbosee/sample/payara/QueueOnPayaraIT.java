package io.dbosee.sample.payara;

import io.dbosee.servertests.QueueOnServer;

/** The queue example on Payara's default managed executor: {@link QueueOnServer}'s test. */
class QueueOnPayaraIT extends QueueOnServer {
  QueueOnPayaraIT() {
    super(new PayaraServer());
  }
}
