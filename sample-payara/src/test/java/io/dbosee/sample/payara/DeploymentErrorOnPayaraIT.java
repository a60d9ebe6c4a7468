package io.dbosee.sample.payara;

import io.dbosee.servertests.DeploymentErrorOnServer;

/** A self-call fails the deployment on Payara: {@link DeploymentErrorOnServer}'s test. */
class DeploymentErrorOnPayaraIT extends DeploymentErrorOnServer {
  DeploymentErrorOnPayaraIT() {
    super(new PayaraServer());
  }
}
