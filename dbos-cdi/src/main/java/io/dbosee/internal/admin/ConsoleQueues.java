package io.dbosee.internal.admin;

import static io.dbosee.internal.admin.AdminJson.put;

import io.dbosee.internal.engine.DBOSEngine;
import io.dbosee.internal.engine.db.OperationsOverview.QueueActivity;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Queue depth: each queue's limits with its counts, by partition. */
final class ConsoleQueues {
  private ConsoleQueues() {}

  static JsonObject queues(DBOSEngine engine) {
    Map<String, List<QueueActivity>> activity = new TreeMap<>();
    for (QueueActivity a : engine.overview().queueActivity()) {
      activity.computeIfAbsent(a.queueName(), k -> new ArrayList<>()).add(a);
    }
    TreeSet<String> names = new TreeSet<>(engine.queueNames());
    names.addAll(activity.keySet());
    long now = System.currentTimeMillis();
    JsonArrayBuilder all = Json.createArrayBuilder();
    for (String name : names) {
      JsonObjectBuilder q =
          engine
              .queue(name)
              .map(OperationsEndpoints::queueMetadataBuilder)
              .orElseGet(() -> Json.createObjectBuilder().add("name", name));
      all.add(withActivity(q, activity.getOrDefault(name, List.of()), now));
    }
    return Json.createObjectBuilder().add("queues", all).build();
  }

  static JsonObjectBuilder withActivity(JsonObjectBuilder q, List<QueueActivity> rows, long now) {
    long enqueued = 0;
    long running = 0;
    Long oldest = null;
    JsonArrayBuilder partitions = Json.createArrayBuilder();
    for (QueueActivity a : rows) {
      enqueued += a.enqueued();
      running += a.running();
      if (a.oldestEnqueuedAt() != null && (oldest == null || a.oldestEnqueuedAt() < oldest)) {
        oldest = a.oldestEnqueuedAt();
      }
      if (a.partitionKey() != null) {
        JsonObjectBuilder p =
            Json.createObjectBuilder()
                .add("partition_key", a.partitionKey())
                .add("enqueued", a.enqueued())
                .add("running", a.running());
        put(p, "oldest_wait_ms", a.oldestEnqueuedAt() == null ? null : now - a.oldestEnqueuedAt());
        partitions.add(p);
      }
    }
    q.add("enqueued", enqueued).add("running", running).add("partitions", partitions);
    put(q, "oldest_wait_ms", oldest == null ? null : now - oldest);
    return q;
  }
}
