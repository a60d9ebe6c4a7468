package io.dbosee.internal.admin;

import io.dbosee.DBOSConflictingWorkflowException;
import io.dbosee.DBOSNonExistentScheduleException;
import io.dbosee.DBOSNonExistentWorkflowException;
import io.dbosee.internal.admin.AdminJson.BadRequest;
import io.dbosee.internal.errors.ErrorCode;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The admin path: the DBOS SDKs' endpoints ({@link WorkflowEndpoints}, {@link
 * OperationsEndpoints}), the console's own JSON ({@link ConsoleEndpoints}) and the console's files
 * ({@link ConsoleAssets}). The container has already checked the caller's role; the servlet checks
 * it again, so that a server without application security (where constraints are not enforced)
 * refuses every call instead of exposing them.
 */
final class AdminServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final String role;

  AdminServlet(String role) {
    this.role = role;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (request.getUserPrincipal() == null) {
      response.setHeader("WWW-Authenticate", "Basic realm=\"dbos-admin\"");
      AdminCall.error(response, 401, "Authenticate as a user in role '" + role + "'.");
      return;
    }
    if (!request.isUserInRole(role)) {
      AdminCall.error(response, 403, "User is not in role '" + role + "'.");
      return;
    }
    String path = request.getPathInfo() == null ? "/" : request.getPathInfo();
    String method = request.getMethod();
    String type = request.getContentType();
    if (method.equals("POST") && (type == null || !type.startsWith("application/json"))) {
      // Also what keeps another site's plain HTML form from posting with a browser's cached
      // credentials: a cross-site JSON request needs a CORS preflight, which is never granted.
      AdminCall.error(
          response, 415, "POST needs Content-Type: application/json (an empty body is fine).");
      return;
    }
    AdminCall call = new AdminCall(method, path, request, response);
    try {
      boolean served =
          ConsoleAssets.serve(call)
              || WorkflowEndpoints.serve(call)
              || OperationsEndpoints.serve(call)
              || ConsoleEndpoints.serve(call);
      if (!served) {
        AdminCall.error(response, 404, "No DBOS admin endpoint at " + path);
      }
    } catch (RuntimeException e) {
      int status = statusOf(e);
      if (status == 0) {
        throw e;
      }
      AdminCall.error(response, status, e.getMessage());
    }
  }

  /**
   * The HTTP status of a failure the caller can act on, with its message as the body; 0 for any
   * other (the container answers 500).
   */
  static int statusOf(RuntimeException e) {
    if (e instanceof BadRequest || e instanceof IllegalArgumentException) {
      return 400;
    }
    if (e instanceof DBOSNonExistentWorkflowException
        || e instanceof DBOSNonExistentScheduleException) {
      return 404;
    }
    // The workflow's state, not the request, is in the way: a fork to an id in use, or of a
    // workflow whose inputs are gone.
    if (e instanceof DBOSConflictingWorkflowException
        || (e instanceof IllegalStateException && ErrorCode.MISSING_PAYLOAD.marks(e))) {
      return 409;
    }
    return 0;
  }
}
