package io.dbosee.sample.wildfly;

import io.dbosee.servertests.DeploymentErrorOnServer;

/** A self-call fails the deployment on WildFly: {@link DeploymentErrorOnServer}'s test. */
class DeploymentErrorOnWildFlyIT extends DeploymentErrorOnServer {
  DeploymentErrorOnWildFlyIT() {
    super(new WildFlyServer());
  }
}
