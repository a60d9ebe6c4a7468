package io.dbosee.internal.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbosee.DBOSConflictingWorkflowException;
import io.dbosee.DBOSNonExistentWorkflowException;
import io.dbosee.internal.errors.ErrorCode;
import org.junit.jupiter.api.Test;

/** Which failures of an admin call answer with a status and their message, and which are a 500. */
class AdminServletStatusTest {

  @Test
  void whatTheCallerCanActOnHasItsStatusAndAnyOtherFailureIsLeftToTheContainer() {
    assertThat(AdminServlet.statusOf(new IllegalArgumentException("bad filter"))).isEqualTo(400);
    assertThat(AdminServlet.statusOf(new DBOSNonExistentWorkflowException("w"))).isEqualTo(404);
    assertThat(AdminServlet.statusOf(new DBOSConflictingWorkflowException("w", "id in use")))
        .isEqualTo(409);
    assertThat(AdminServlet.statusOf(ErrorCode.MISSING_PAYLOAD.illegalState("inputs gone")))
        .as("a fork of a workflow whose inputs another SDK's retention deleted")
        .isEqualTo(409);
    assertThat(AdminServlet.statusOf(new IllegalStateException("a bug"))).isZero();
    assertThat(AdminServlet.statusOf(ErrorCode.START_OUTAGE.illegalState("other code"))).isZero();
  }
}
