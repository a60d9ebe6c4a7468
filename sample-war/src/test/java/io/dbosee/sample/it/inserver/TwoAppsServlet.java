package io.dbosee.sample.it.inserver;

import io.dbosee.DBOS;
import io.dbosee.EnqueueOptions;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Test-only: {@code GET /two-apps?id=...&hold=...} starts {@link TwoAppsWorkload#work} in the
 * background, {@code &queue=true} enqueues it on this application's queue ({@code <name>-work});
 * the answer names the application. A servlet: the WAR has no JAX-RS application.
 */
@WebServlet("/two-apps")
public class TwoAppsServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @Inject transient DBOS dbos;
  @Inject transient TwoAppsWorkload workload;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String id = request.getParameter("id");
    boolean hold = Boolean.parseBoolean(request.getParameter("hold"));
    String application = dbos.applicationName().orElseThrow();
    if (Boolean.parseBoolean(request.getParameter("queue"))) {
      dbos.queue(application + "-work")
          .enqueue(() -> workload.work(hold), EnqueueOptions.DEFAULT.withWorkflowId(id));
    } else {
      try (var scope = dbos.withWorkflowId(id)) {
        dbos.startWorkflow(() -> workload.work(hold));
      }
    }
    response.setContentType("text/plain");
    response.getWriter().write(application);
  }
}
