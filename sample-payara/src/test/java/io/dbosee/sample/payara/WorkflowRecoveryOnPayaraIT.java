package io.dbosee.sample.payara;

import io.dbosee.servertests.WorkflowRecoveryOnServer;

/**
 * The crash-and-resume demo on Payara ({@link WorkflowRecoveryOnServer}'s test), started again
 * after the kill with asadmin (see {@link PayaraServer}).
 */
class WorkflowRecoveryOnPayaraIT extends WorkflowRecoveryOnServer {
  WorkflowRecoveryOnPayaraIT() {
    super(new PayaraServer());
  }
}
