package io.dbosee.sample.payara;

import io.dbosee.servertests.HealthOnServer;

/**
 * The library's health checks on Payara's health endpoint, and an undeploy: {@link
 * HealthOnServer}'s test.
 */
class HealthOnPayaraIT extends HealthOnServer {
  HealthOnPayaraIT() {
    super(new PayaraServer());
  }
}
