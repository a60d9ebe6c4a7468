package io.dbosee.sample.wildfly;

import io.dbosee.servertests.WorkflowRecoveryOnServer;

/** The crash-and-resume demo on WildFly: {@link WorkflowRecoveryOnServer}'s test. */
class WorkflowRecoveryOnWildFlyIT extends WorkflowRecoveryOnServer {
  WorkflowRecoveryOnWildFlyIT() {
    super(new WildFlyServer());
  }
}
