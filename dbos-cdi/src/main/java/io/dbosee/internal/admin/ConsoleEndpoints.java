package io.dbosee.internal.admin;

import static io.dbosee.internal.admin.AdminJson.put;

import io.dbosee.DBOS;
import io.dbosee.DBOSNonExistentWorkflowException;
import io.dbosee.ListWorkflowsInput;
import io.dbosee.ScheduleStatus;
import io.dbosee.WorkflowHandle;
import io.dbosee.WorkflowSchedule;
import io.dbosee.WorkflowState;
import io.dbosee.internal.admin.AdminJson.BadRequest;
import io.dbosee.internal.engine.CronSchedule;
import io.dbosee.internal.engine.DBOSEngine;
import io.dbosee.internal.engine.db.OperationsOverview;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operations console's own JSON, under {@code /console-api/}: what the SDKs' endpoints do not
 * answer (counts by status, a workflow's relations and communication, queue depth, schedules,
 * versions and servers).
 */
final class ConsoleEndpoints {
  static final String PREFIX = "/console-api";
  private static final Pattern RELATED = Pattern.compile(PREFIX + "/workflows/([^/]+)/related");
  private static final Pattern SCHEDULE =
      Pattern.compile(PREFIX + "/schedules/([^/]+)/(pause|resume|trigger|backfill)");

  private ConsoleEndpoints() {}

  /** Answers {@code call} if its path is one of these endpoints; false if it is not. */
  static boolean serve(AdminCall call) throws IOException {
    if (!call.path().startsWith(PREFIX + "/")) {
      return false;
    }
    switch (call.path().substring(PREFIX.length())) {
      case "/counts" -> {
        if (call.post()) {
          call.json(200, counts(call));
        } else {
          call.notAllowed("POST");
        }
        return true;
      }
      case "/queues" -> {
        return answerGet(call, () -> ConsoleQueues.queues(engine()));
      }
      case "/schedules" -> {
        return answerGet(call, ConsoleEndpoints::schedules);
      }
      case "/servers" -> {
        return answerGet(call, ConsoleEndpoints::servers);
      }
      default -> {
        Matcher related = RELATED.matcher(call.path());
        if (related.matches()) {
          return answerGet(call, () -> related(related.group(1)));
        }
        Matcher schedule = SCHEDULE.matcher(call.path());
        if (schedule.matches()) {
          if (call.post()) {
            call.json(200, scheduleAction(schedule.group(1), schedule.group(2), call));
          } else {
            call.notAllowed("POST");
          }
          return true;
        }
        return false;
      }
    }
  }

  /** A read-only answer. */
  private interface Read {
    JsonObject read() throws IOException;
  }

  private static boolean answerGet(AdminCall call, Read read) throws IOException {
    if (call.get()) {
      call.json(200, read.read());
    } else {
      call.notAllowed("GET");
    }
    return true;
  }

  /** How many workflows of each status the listing's other filters select. */
  private static JsonObject counts(AdminCall call) throws IOException {
    ListWorkflowsInput input =
        WorkflowEndpoints.filters(
            call.bodyObject(), call.request().getParameter("all_applications"), false);
    Map<WorkflowState, Long> counts = engine().management().countByStatus(input);
    JsonObjectBuilder b = Json.createObjectBuilder();
    long total = 0;
    for (WorkflowState state : WorkflowState.values()) {
      long n = counts.getOrDefault(state, 0L);
      b.add(state.name(), n);
      total += n;
    }
    return b.add("total", total).build();
  }

  /** A workflow's children, forks, and the messages, events and streams it holds. */
  private static JsonObject related(String workflowId) {
    DBOS dbos = WorkflowEndpoints.dbos();
    if (dbos.getWorkflowStatus(workflowId).isEmpty()) {
      throw new DBOSNonExistentWorkflowException(workflowId);
    }
    OperationsOverview overview = engine().overview();
    ListWorkflowsInput children =
        ListWorkflowsInput.ALL
            .withParentWorkflowId(workflowId)
            .withAllApplications(true)
            .withLoadInput(false)
            .withLoadOutput(false);
    return Json.createObjectBuilder()
        .add("children", WorkflowEndpoints.statuses(dbos.listWorkflows(children)))
        .add(
            "forks",
            rows(
                overview.forks(workflowId),
                f ->
                    Json.createObjectBuilder()
                        .add("workflow_id", f.workflowId())
                        .add("status", f.status())
                        .add("created_at", f.createdAt())))
        .add(
            "messages",
            rows(
                overview.messages(workflowId),
                m ->
                    Json.createObjectBuilder()
                        .add("topic", m.topic())
                        .add("message", m.message())
                        .add("created_at", m.createdAt())
                        .add("consumed", m.consumed())))
        .add(
            "events",
            rows(
                overview.events(workflowId),
                e -> Json.createObjectBuilder().add("key", e.key()).add("value", e.value())))
        .add(
            "streams",
            rows(
                overview.streams(workflowId),
                s ->
                    Json.createObjectBuilder()
                        .add("key", s.key())
                        .add("values", s.values())
                        .add("closed", s.closed())))
        .build();
  }

  /** A JSON array of one object per item. */
  static <T> JsonArrayBuilder rows(List<T> items, Function<T, JsonObjectBuilder> row) {
    JsonArrayBuilder all = Json.createArrayBuilder();
    items.forEach(item -> all.add(row.apply(item)));
    return all;
  }

  private static JsonObject schedules() {
    JsonArrayBuilder all = Json.createArrayBuilder();
    Instant now = Instant.now();
    for (ScheduleStatus s : WorkflowEndpoints.dbos().listSchedules()) {
      WorkflowSchedule def = s.schedule();
      JsonObjectBuilder b = Json.createObjectBuilder();
      put(b, "name", def.name());
      put(b, "workflow_name", def.workflowName());
      put(b, "display_name", ReadableNames.workflow(def.workflowName(), def.className()));
      put(b, "class_name", def.className());
      put(b, "cron", def.cron());
      put(b, "time_zone", def.timeZone().getId());
      put(b, "queue_name", def.queueName());
      b.add("automatic_backfill", def.automaticBackfill()).add("paused", s.paused());
      put(b, "last_tick_at", s.lastFiredAt().orElse(null));
      put(
          b,
          "next_tick_at",
          s.paused()
              ? null
              : CronSchedule.parse(def.cron(), def.timeZone()).next(now).orElse(null));
      all.add(b);
    }
    return Json.createObjectBuilder().add("schedules", all).build();
  }

  private static JsonObject scheduleAction(String name, String action, AdminCall call)
      throws IOException {
    DBOS dbos = WorkflowEndpoints.dbos();
    JsonObjectBuilder b = Json.createObjectBuilder().add("schedule", name);
    switch (action) {
      case "pause" -> dbos.pauseSchedule(name);
      case "resume" -> dbos.resumeSchedule(name);
      case "trigger" -> b.add("workflow_id", dbos.triggerSchedule(name).workflowId());
      default -> {
        JsonObject in = call.bodyObject();
        Instant start = AdminJson.time(in, "start");
        Instant end = AdminJson.time(in, "end");
        if (start == null || end == null || !start.isBefore(end)) {
          throw new BadRequest(
              "A backfill needs start and end (ISO-8601 times or epoch milliseconds), start"
                  + " before end, such as {\"start\": \"2026-11-01T00:00:00Z\", \"end\":"
                  + " \"2026-11-02T00:00:00Z\"}.");
        }
        List<WorkflowHandle<Object, Exception>> handles = dbos.backfillSchedule(name, start, end);
        b.add(
            "workflow_ids",
            AdminJson.strings(handles.stream().map(WorkflowHandle::workflowId).toList()));
      }
    }
    return b.build();
  }

  /** This server, the application versions, and the servers holding failover leases. */
  private static JsonObject servers() {
    DBOS dbos = WorkflowEndpoints.dbos();
    OperationsOverview overview = engine().overview();
    long now = System.currentTimeMillis();
    JsonObjectBuilder b = Json.createObjectBuilder();
    put(b, "executor_id", dbos.executorId());
    put(b, "application_version", dbos.applicationVersion());
    put(b, "application_name", dbos.applicationName().orElse(null));
    return b.add(
            "versions",
            rows(
                overview.applicationVersions(),
                v ->
                    Json.createObjectBuilder()
                        .add("name", v.name())
                        .add("timestamp", v.timestamp())
                        .add("created_at", v.createdAt())))
        .add(
            "executors",
            rows(
                overview.executorLeases(),
                l ->
                    Json.createObjectBuilder()
                        .add("executor_id", l.executorId())
                        .add("application_name", l.applicationName())
                        .add("application_version", l.applicationVersion())
                        .add("started_at", l.startedAt())
                        .add("renewed_at", l.renewedAt())
                        .add("lease_until", l.leaseUntil())
                        .add("live", l.leaseUntil() > now)))
        .build();
  }

  static DBOSEngine engine() {
    return OperationsEndpoints.engine();
  }
}
