package io.dbosee.internal.admin;

import io.dbosee.DBOS;
import io.dbosee.DBOSConflictingWorkflowException;
import io.dbosee.DBOSNonExistentWorkflowException;
import io.dbosee.ForkOptions;
import io.dbosee.ListWorkflowsInput;
import io.dbosee.StepInfo;
import io.dbosee.WorkflowState;
import io.dbosee.WorkflowStatus;
import io.dbosee.internal.cdi.DBOSRuntime;
import io.dbosee.internal.engine.DBOSEngine;
import io.dbosee.internal.engine.PartitionLimits;
import io.dbosee.internal.engine.QueueDefinition;
import io.dbosee.internal.errors.ErrorCode;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonStructure;
import jakarta.json.JsonValue;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The DBOS admin endpoints, with the DBOS SDKs' paths and JSON shapes (snake case, epoch
 * milliseconds), and the dashboard page. The container has already checked the caller's role; the
 * servlet checks it again, so that a server without application security (where constraints are not
 * enforced) refuses every call instead of exposing them.
 */
final class AdminServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Pattern WORKFLOW =
      Pattern.compile("/workflows/([^/]+)(/(steps|cancel|resume|fork))?");

  private final String role;

  AdminServlet(String role) {
    this.role = role;
  }

  /** A request the caller got wrong: the status and what to fix. */
  private static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadRequest(String message) {
      super(message);
    }
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (request.getUserPrincipal() == null) {
      response.setHeader("WWW-Authenticate", "Basic realm=\"dbos-admin\"");
      error(response, 401, "Authenticate as a user in role '" + role + "'.");
      return;
    }
    if (!request.isUserInRole(role)) {
      error(response, 403, "User is not in role '" + role + "'.");
      return;
    }
    String path = request.getPathInfo() == null ? "/" : request.getPathInfo();
    String method = request.getMethod();
    String type = request.getContentType();
    if (method.equals("POST") && (type == null || !type.startsWith("application/json"))) {
      // Also what keeps another site's plain HTML form from posting with a browser's cached
      // credentials: a cross-site JSON request needs a CORS preflight, which is never granted.
      error(response, 415, "POST needs Content-Type: application/json (an empty body is fine).");
      return;
    }
    try {
      route(method, path, request, response);
    } catch (RuntimeException e) {
      int status = statusOf(e);
      if (status == 0) {
        throw e;
      }
      error(response, status, e.getMessage());
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
    if (e instanceof DBOSNonExistentWorkflowException) {
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

  private void route(
      String method, String path, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    boolean get = method.equals("GET");
    boolean post = method.equals("POST");
    switch (path) {
      case "/", "/dashboard" -> {
        if (get) {
          Dashboard.write(request, response);
          return;
        }
      }
      case "/dbos-healthz" -> {
        if (get) {
          json(response, 200, Json.createObjectBuilder().add("status", "healthy").build());
          return;
        }
      }
      case "/dbos-workflow-queues-metadata" -> {
        if (get) {
          json(response, 200, queues());
          return;
        }
      }
      case "/dbos-workflow-recovery" -> {
        if (post) {
          List<String> executors = new ArrayList<>();
          for (JsonValue v : array(body(request))) {
            executors.add(text(v, "executor id"));
          }
          json(response, 200, strings(dbos().recoverPendingWorkflows(executors)));
          return;
        }
      }
      case "/dbos-garbage-collect" -> {
        if (post) {
          JsonObject in = object(body(request));
          Long cutoff = number(in, "cutoff_epoch_timestamp_ms");
          Long rows = number(in, "rows_threshold");
          dbos()
              .garbageCollect(
                  cutoff == null ? null : Instant.ofEpochMilli(cutoff),
                  rows == null ? null : Math.toIntExact(rows));
          response.setStatus(204);
          return;
        }
      }
      case "/dbos-global-timeout" -> {
        if (post) {
          JsonObject in = object(body(request));
          Long cutoff = number(in, "cutoff_epoch_timestamp_ms");
          Long timeout = number(in, "timeout_ms");
          if (cutoff == null && timeout == null) {
            throw new BadRequest(
                "Give cutoff_epoch_timestamp_ms (cancel what was created before it) or"
                    + " timeout_ms (cancel what is older than that).");
          }
          Instant before =
              cutoff != null ? Instant.ofEpochMilli(cutoff) : Instant.now().minusMillis(timeout);
          dbos().cancelWorkflowsCreatedBefore(before);
          response.setStatus(204);
          return;
        }
      }
      case "/workflows" -> {
        if (post) {
          json(response, 200, statuses(dbos().listWorkflows(filters(request, false))));
          return;
        }
      }
      case "/queues" -> {
        if (post) {
          json(response, 200, statuses(dbos().listQueuedWorkflows(filters(request, true))));
          return;
        }
      }
      default -> {
        Matcher m = WORKFLOW.matcher(path);
        if (m.matches()) {
          workflow(method, m.group(1), m.group(3), request, response);
          return;
        }
        error(response, 404, "No DBOS admin endpoint at " + path);
        return;
      }
    }
    response.setHeader("Allow", get ? "POST" : "GET");
    error(response, 405, method + " is not allowed on " + path);
  }

  private void workflow(
      String method,
      String workflowId,
      String action,
      HttpServletRequest request,
      HttpServletResponse response)
      throws IOException {
    DBOS dbos = dbos();
    if (action == null || action.equals("steps")) {
      if (!method.equals("GET")) {
        response.setHeader("Allow", "GET");
        error(response, 405, method + " is not allowed here; use GET");
        return;
      }
      if (action == null) {
        WorkflowStatus status =
            dbos.getWorkflowStatus(workflowId)
                .orElseThrow(() -> new DBOSNonExistentWorkflowException(workflowId));
        json(response, 200, status(status));
      } else {
        JsonArrayBuilder steps = Json.createArrayBuilder();
        for (StepInfo step : dbos.listWorkflowSteps(workflowId)) {
          steps.add(step(step));
        }
        json(response, 200, steps.build());
      }
      return;
    }
    if (!method.equals("POST")) {
      response.setHeader("Allow", "POST");
      error(response, 405, method + " is not allowed here; use POST");
      return;
    }
    switch (action) {
      case "cancel" -> {
        dbos.cancelWorkflow(workflowId);
        response.setStatus(204);
      }
      case "resume" -> {
        dbos.resumeWorkflow(workflowId);
        response.setStatus(204);
      }
      default -> {
        JsonObject in = object(body(request));
        Long start = number(in, "start_step");
        ForkOptions options =
            ForkOptions.DEFAULT
                .withNewWorkflowId(string(in, "new_workflow_id"))
                .withApplicationVersion(string(in, "application_version"));
        String forked =
            dbos.forkWorkflow(workflowId, start == null ? 1 : Math.toIntExact(start), options)
                .workflowId();
        json(response, 200, Json.createObjectBuilder().add("workflow_id", forked).build());
      }
    }
  }

  private ListWorkflowsInput filters(HttpServletRequest request, boolean queued)
      throws IOException {
    return filters(object(body(request)), request.getParameter("all_applications"), queued);
  }

  /**
   * The listing a request asks for: the filters of its JSON body, as the DBOS SDKs name them, and
   * the query parameter {@code all_applications} ({@code true}: every application's workflows, not
   * only this application's and unclaimed ones).
   */
  static ListWorkflowsInput filters(JsonObject in, String allApplications, boolean queued) {
    ListWorkflowsInput input = ListWorkflowsInput.ALL;
    List<String> ids = stringOrList(in, "workflow_ids");
    if (!ids.isEmpty()) {
      input = input.withWorkflowIds(ids.toArray(String[]::new));
    }
    List<WorkflowState> states = new ArrayList<>();
    for (String s : stringOrList(in, "status")) {
      try {
        states.add(WorkflowState.valueOf(s));
      } catch (IllegalArgumentException e) {
        throw new BadRequest(
            "Unknown status '" + s + "'; use one of " + List.of(WorkflowState.values()));
      }
    }
    Long limit = number(in, "limit");
    Long offset = number(in, "offset");
    input =
        input
            .withStatuses(states)
            .withName(string(in, "name"))
            .withApplicationVersion(string(in, "application_version"))
            .withExecutorId(string(in, "executor_id"))
            .withParentWorkflowId(string(in, "parent_workflow_id"))
            .withWorkflowIdPrefix(string(in, "workflow_id_prefix"))
            .withQueueName(string(in, "queue_name"))
            .withStartTime(time(in, "start_time"))
            .withEndTime(time(in, "end_time"))
            .withLimit(limit == null ? null : Math.toIntExact(limit))
            .withOffset(offset == null ? null : Math.toIntExact(offset))
            .withSortDescending(bool(in, "sort_desc", false))
            .withLoadInput(bool(in, "load_input", true))
            .withLoadOutput(bool(in, "load_output", !queued))
            .withApplicationNames(stringOrList(in, "application_name").toArray(String[]::new));
    if (allApplications != null) {
      if (!allApplications.equals("true") && !allApplications.equals("false")) {
        throw new BadRequest(
            "all_applications must be true or false, got '" + allApplications + "'");
      }
      // Throws (400) when the body names applications too: the two ask for different things.
      input = input.withAllApplications(allApplications.equals("true"));
    }
    return input;
  }

  private JsonArray queues() {
    DBOSEngine engine = CDI.current().select(DBOSRuntime.class).get().engine();
    JsonArrayBuilder all = Json.createArrayBuilder();
    for (String name : new TreeSet<>(engine.queueNames())) {
      all.add(queueMetadata(engine.queue(name).orElseThrow()));
    }
    return all.build();
  }

  /** One queue's metadata: its limits (those not set left out), priority and partitioning. */
  static JsonObject queueMetadata(QueueDefinition q) {
    JsonObjectBuilder b = Json.createObjectBuilder().add("name", q.name());
    if (q.concurrency() > 0) {
      b.add("concurrency", q.concurrency());
    }
    if (q.workerConcurrency() > 0) {
      b.add("workerConcurrency", q.workerConcurrency());
    }
    if (q.rateLimitMax() > 0) {
      b.add("rateLimit", rateLimit(q.rateLimitMax(), q.rateLimitPeriod()));
    }
    b.add("priorityEnabled", q.priorityEnabled()).add("partitionQueue", q.partitioned());
    PartitionLimits p = q.partitionLimits();
    if (p.concurrency() > 0) {
      b.add("partitionConcurrency", p.concurrency());
    }
    if (p.workerConcurrency() > 0) {
      b.add("partitionWorkerConcurrency", p.workerConcurrency());
    }
    if (p.rateLimitMax() > 0) {
      b.add("partitionRateLimit", rateLimit(p.rateLimitMax(), p.rateLimitPeriod()));
    }
    return b.build();
  }

  private static JsonObjectBuilder rateLimit(int max, Duration period) {
    return Json.createObjectBuilder().add("limit", max).add("period", period.toMillis() / 1000.0);
  }

  /** One workflow as the DBOS SDKs' admin servers write it. */
  static JsonObject status(WorkflowStatus s) {
    JsonObjectBuilder b = Json.createObjectBuilder();
    put(b, "workflow_id", s.workflowId());
    put(b, "status", s.state().name());
    put(b, "name", s.name());
    put(b, "class_name", s.className());
    put(b, "config_name", s.configName());
    put(b, "authenticated_user", s.authenticatedUser());
    put(b, "input", s.input());
    put(b, "output", s.output());
    put(b, "error", s.error());
    put(b, "created_at", s.createdAt());
    put(b, "updated_at", s.updatedAt());
    put(b, "queue_name", s.queueName());
    put(b, "executor_id", s.executorId());
    put(b, "app_version", s.applicationVersion());
    put(b, "recovery_attempts", s.recoveryAttempts());
    Duration timeout = s.timeout();
    put(b, "workflow_timeout_ms", timeout == null ? null : timeout.toMillis());
    put(b, "workflow_deadline_epoch_ms", s.deadline());
    put(b, "deduplication_id", s.deduplicationId());
    put(b, "priority", (long) s.priority());
    put(b, "queue_partition_key", s.partitionKey());
    put(b, "forked_from", s.forkedFrom());
    put(b, "parent_workflow_id", s.parentWorkflowId());
    put(b, "dequeued_at", s.dequeuedAt());
    put(b, "completed_at", s.completedAt());
    put(b, "serialization", s.serialization());
    put(b, "application_name", s.applicationName());
    return b.build();
  }

  private static JsonObject step(StepInfo s) {
    JsonObjectBuilder b = Json.createObjectBuilder();
    b.add("function_id", s.functionId());
    put(b, "function_name", s.functionName());
    put(b, "output", s.output());
    put(b, "error", s.error());
    put(b, "child_workflow_id", s.childWorkflowId());
    put(b, "started_at_epoch_ms", s.startedAt());
    put(b, "completed_at_epoch_ms", s.completedAt());
    return b.build();
  }

  private static JsonArray statuses(List<WorkflowStatus> list) {
    JsonArrayBuilder all = Json.createArrayBuilder();
    list.forEach(s -> all.add(status(s)));
    return all.build();
  }

  private static JsonArray strings(List<String> list) {
    JsonArrayBuilder all = Json.createArrayBuilder();
    list.forEach(all::add);
    return all.build();
  }

  private static void put(JsonObjectBuilder b, String key, Object value) {
    if (value == null) {
      b.addNull(key);
    } else if (value instanceof Instant i) {
      b.add(key, i.toEpochMilli());
    } else if (value instanceof Long l) {
      b.add(key, l);
    } else {
      b.add(key, value.toString());
    }
  }

  private static DBOS dbos() {
    return CDI.current().select(DBOS.class).get();
  }

  private static JsonStructure body(HttpServletRequest request) throws IOException {
    String text;
    try (InputStream in = request.getInputStream()) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    }
    if (text.isEmpty()) {
      return JsonValue.EMPTY_JSON_OBJECT;
    }
    try (var reader = Json.createReader(new StringReader(text))) {
      return reader.read();
    } catch (JsonException e) {
      throw new BadRequest("Invalid JSON input: " + e.getMessage());
    }
  }

  private static JsonObject object(JsonStructure body) {
    if (body instanceof JsonObject o) {
      return o;
    }
    throw new BadRequest("Expected a JSON object, got " + body.getValueType());
  }

  private static JsonArray array(JsonStructure body) {
    if (body instanceof JsonArray a) {
      return a;
    }
    throw new BadRequest("Expected a JSON array of executor ids, got " + body.getValueType());
  }

  private static String text(JsonValue v, String what) {
    if (v instanceof JsonString s) {
      return s.getString();
    }
    throw new BadRequest("Expected a string " + what + ", got " + v);
  }

  private static String string(JsonObject in, String key) {
    JsonValue v = in.get(key);
    return v == null || v == JsonValue.NULL ? null : text(v, key);
  }

  private static Long number(JsonObject in, String key) {
    JsonValue v = in.get(key);
    if (v == null || v == JsonValue.NULL) {
      return null;
    }
    if (v instanceof JsonNumber n) {
      return n.longValueExact();
    }
    throw new BadRequest("Expected a number for " + key + ", got " + v);
  }

  private static boolean bool(JsonObject in, String key, boolean otherwise) {
    JsonValue v = in.get(key);
    if (v == null || v == JsonValue.NULL) {
      return otherwise;
    }
    if (v == JsonValue.TRUE || v == JsonValue.FALSE) {
      return v == JsonValue.TRUE;
    }
    throw new BadRequest("Expected true or false for " + key + ", got " + v);
  }

  private static List<String> stringOrList(JsonObject in, String key) {
    JsonValue v = in.get(key);
    List<String> values = new ArrayList<>();
    if (v == null || v == JsonValue.NULL) {
      return values;
    }
    if (v instanceof JsonArray a) {
      a.forEach(e -> values.add(text(e, key)));
    } else {
      values.add(text(v, key));
    }
    return values;
  }

  /** An ISO-8601 time (as the DBOS SDKs send) or epoch milliseconds. */
  private static Instant time(JsonObject in, String key) {
    JsonValue v = in.get(key);
    if (v == null || v == JsonValue.NULL) {
      return null;
    }
    if (v instanceof JsonNumber n) {
      return Instant.ofEpochMilli(n.longValueExact());
    }
    String s = text(v, key);
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      try {
        return java.time.OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeParseException e2) {
        throw new BadRequest(
            key + " must be an ISO-8601 time such as 2026-11-01T00:00:00Z, got '" + s + "'");
      }
    }
  }

  private static void json(HttpServletResponse response, int status, JsonValue value)
      throws IOException {
    byte[] bytes = value.toString().getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  private static void error(HttpServletResponse response, int status, String message)
      throws IOException {
    json(response, status, Json.createObjectBuilder().add("error", message).build());
  }
}
