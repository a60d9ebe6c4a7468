package io.dbosee.sample.wildfly;

import io.dbosee.servertests.SampleOnServer;

/**
 * The sample on WildFly configured by server-config's CLI scripts; the tests are {@link
 * SampleOnServer}'s. Hibernate is the JPA provider; the engine reaches the driver's PGConnection
 * through the global org.postgresql module of dbos-wildfly.cli.
 */
class SampleOnWildFlyIT extends SampleOnServer {
  SampleOnWildFlyIT() {
    super(new WildFlyServer());
  }
}
