package io.dbosee.internal.admin;

import static io.dbosee.internal.admin.AdminJson.number;

import io.dbosee.internal.admin.AdminJson.BadRequest;
import io.dbosee.internal.cdi.DBOSRuntime;
import io.dbosee.internal.engine.DBOSEngine;
import io.dbosee.internal.engine.PartitionLimits;
import io.dbosee.internal.engine.QueueDefinition;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The DBOS SDKs' operations endpoints: health, queue metadata, recovery, garbage collection and the
 * global timeout.
 */
final class OperationsEndpoints {
  private OperationsEndpoints() {}

  /** Answers {@code call} if its path is one of these endpoints; false if it is not. */
  static boolean serve(AdminCall call) throws IOException {
    switch (call.path()) {
      case "/dbos-healthz" -> {
        if (call.get()) {
          call.json(200, Json.createObjectBuilder().add("status", "healthy").build());
        } else {
          call.notAllowed("GET");
        }
      }
      case "/dbos-workflow-queues-metadata" -> {
        if (call.get()) {
          call.json(200, queues());
        } else {
          call.notAllowed("GET");
        }
      }
      case "/dbos-workflow-recovery" -> {
        if (call.post()) {
          List<String> executors = new ArrayList<>();
          for (JsonValue v : AdminJson.array(call.body(), "executor ids")) {
            executors.add(AdminJson.text(v, "executor id"));
          }
          call.json(
              200, AdminJson.strings(WorkflowEndpoints.dbos().recoverPendingWorkflows(executors)));
        } else {
          call.notAllowed("POST");
        }
      }
      case "/dbos-garbage-collect" -> {
        if (call.post()) {
          JsonObject in = call.bodyObject();
          Long cutoff = number(in, "cutoff_epoch_timestamp_ms");
          Long rows = number(in, "rows_threshold");
          WorkflowEndpoints.dbos()
              .garbageCollect(
                  cutoff == null ? null : Instant.ofEpochMilli(cutoff),
                  rows == null ? null : Math.toIntExact(rows));
          call.noContent();
        } else {
          call.notAllowed("POST");
        }
      }
      case "/dbos-global-timeout" -> {
        if (call.post()) {
          globalTimeout(call.bodyObject());
          call.noContent();
        } else {
          call.notAllowed("POST");
        }
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  private static void globalTimeout(JsonObject in) {
    Long cutoff = number(in, "cutoff_epoch_timestamp_ms");
    Long timeout = number(in, "timeout_ms");
    if (cutoff == null && timeout == null) {
      throw new BadRequest(
          "Give cutoff_epoch_timestamp_ms (cancel what was created before it) or"
              + " timeout_ms (cancel what is older than that).");
    }
    Instant before =
        cutoff != null ? Instant.ofEpochMilli(cutoff) : Instant.now().minusMillis(timeout);
    WorkflowEndpoints.dbos().cancelWorkflowsCreatedBefore(before);
  }

  private static JsonArray queues() {
    DBOSEngine engine = engine();
    JsonArrayBuilder all = Json.createArrayBuilder();
    for (String name : new TreeSet<>(engine.queueNames())) {
      all.add(queueMetadata(engine.queue(name).orElseThrow()));
    }
    return all.build();
  }

  /** One queue's metadata: its limits (those not set left out), priority and partitioning. */
  static JsonObject queueMetadata(QueueDefinition q) {
    return queueMetadataBuilder(q).build();
  }

  static JsonObjectBuilder queueMetadataBuilder(QueueDefinition q) {
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
    return b;
  }

  private static JsonObjectBuilder rateLimit(int max, Duration period) {
    return Json.createObjectBuilder().add("limit", max).add("period", period.toMillis() / 1000.0);
  }

  static DBOSEngine engine() {
    return CDI.current().select(DBOSRuntime.class).get().engine();
  }
}
