package io.dbosee.sample.wildfly;

import io.dbosee.servertests.QueueOnServer;

/** The queue example on WildFly's default managed executor: {@link QueueOnServer}'s test. */
class QueueOnWildFlyIT extends QueueOnServer {
  QueueOnWildFlyIT() {
    super(new WildFlyServer());
  }
}
