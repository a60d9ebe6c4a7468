package io.dbosee.internal.admin;

import static io.dbosee.internal.admin.AdminJson.bool;
import static io.dbosee.internal.admin.AdminJson.number;
import static io.dbosee.internal.admin.AdminJson.put;
import static io.dbosee.internal.admin.AdminJson.string;
import static io.dbosee.internal.admin.AdminJson.stringOrList;
import static io.dbosee.internal.admin.AdminJson.time;

import io.dbosee.DBOS;
import io.dbosee.DBOSNonExistentWorkflowException;
import io.dbosee.ForkOptions;
import io.dbosee.ListWorkflowsInput;
import io.dbosee.StepInfo;
import io.dbosee.WorkflowState;
import io.dbosee.WorkflowStatus;
import io.dbosee.internal.admin.AdminJson.BadRequest;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The workflow endpoints, with the DBOS SDKs' paths and JSON shapes (snake case, epoch
 * milliseconds): listing, one workflow, its steps, cancel, resume, fork and delete.
 */
final class WorkflowEndpoints {
  private static final Pattern WORKFLOW =
      Pattern.compile("/workflows/([^/]+)(/(steps|cancel|resume|fork|delete))?");

  private WorkflowEndpoints() {}

  /** Answers {@code call} if its path is one of these endpoints; false if it is not. */
  static boolean serve(AdminCall call) throws IOException {
    switch (call.path()) {
      case "/workflows", "/queues" -> {
        if (!call.post()) {
          call.notAllowed("POST");
          return true;
        }
        boolean queued = call.path().equals("/queues");
        ListWorkflowsInput input =
            filters(call.bodyObject(), call.request().getParameter("all_applications"), queued);
        call.json(
            200,
            statuses(queued ? dbos().listQueuedWorkflows(input) : dbos().listWorkflows(input)));
        return true;
      }
      default -> {
        Matcher m = WORKFLOW.matcher(call.path());
        if (!m.matches()) {
          return false;
        }
        workflow(call, m.group(1), m.group(3));
        return true;
      }
    }
  }

  private static void workflow(AdminCall call, String workflowId, String action)
      throws IOException {
    DBOS dbos = dbos();
    if (action == null || action.equals("steps")) {
      if (!call.get()) {
        call.notAllowed("GET");
      } else if (action == null) {
        WorkflowStatus status =
            dbos.getWorkflowStatus(workflowId)
                .orElseThrow(() -> new DBOSNonExistentWorkflowException(workflowId));
        call.json(200, status(status));
      } else {
        JsonArrayBuilder steps = Json.createArrayBuilder();
        for (StepInfo step : dbos.listWorkflowSteps(workflowId)) {
          steps.add(step(step));
        }
        call.json(200, steps.build());
      }
      return;
    }
    if (!call.post()) {
      call.notAllowed("POST");
      return;
    }
    switch (action) {
      case "cancel" -> {
        dbos.cancelWorkflow(workflowId);
        call.noContent();
      }
      case "resume" -> {
        dbos.resumeWorkflow(workflowId);
        call.noContent();
      }
      case "delete" -> {
        boolean children = bool(call.bodyObject(), "delete_children", false);
        call.json(200, AdminJson.strings(dbos.deleteWorkflow(workflowId, children)));
      }
      default -> {
        JsonObject in = call.bodyObject();
        Long start = number(in, "start_step");
        ForkOptions options =
            ForkOptions.DEFAULT
                .withNewWorkflowId(string(in, "new_workflow_id"))
                .withApplicationVersion(string(in, "application_version"));
        String forked =
            dbos.forkWorkflow(workflowId, start == null ? 1 : Math.toIntExact(start), options)
                .workflowId();
        call.json(200, Json.createObjectBuilder().add("workflow_id", forked).build());
      }
    }
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

  /**
   * One workflow as the DBOS SDKs' admin servers write it, with {@code display_name} and {@code
   * kind} ({@link ReadableNames}) added for people.
   */
  static JsonObject status(WorkflowStatus s) {
    JsonObjectBuilder b = Json.createObjectBuilder();
    put(b, "workflow_id", s.workflowId());
    put(b, "status", s.state().name());
    put(b, "name", s.name());
    put(b, "display_name", ReadableNames.workflow(s.name(), s.className()));
    put(b, "kind", ReadableNames.kind(s.name()));
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

  static JsonArray statuses(List<WorkflowStatus> list) {
    JsonArrayBuilder all = Json.createArrayBuilder();
    list.forEach(s -> all.add(status(s)));
    return all.build();
  }

  static DBOS dbos() {
    return CDI.current().select(DBOS.class).get();
  }
}
