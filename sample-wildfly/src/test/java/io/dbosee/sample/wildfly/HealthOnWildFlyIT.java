package io.dbosee.sample.wildfly;

import io.dbosee.servertests.HealthOnServer;

/**
 * The library's health checks on WildFly's health endpoint, and an undeploy: {@link
 * HealthOnServer}'s test.
 */
class HealthOnWildFlyIT extends HealthOnServer {
  HealthOnWildFlyIT() {
    super(new WildFlyServer());
  }
}
