package io.dbosee.internal.engine;

import io.dbosee.internal.engine.db.QueueDatabase;
import java.util.List;
import java.util.Map;

/** What {@link EngineMetrics} read at their collection times: parked workflows, queue depths. */
final class EngineReadings implements EngineMetrics.Readings {
  private final ParkedWorkflows parked;
  private final QueueDatabase queueDb;
  private final QueueRegistry queues;

  EngineReadings(ParkedWorkflows parked, QueueDatabase queueDb, QueueRegistry queues) {
    this.parked = parked;
    this.queueDb = queueDb;
    this.queues = queues;
  }

  @Override
  public int parkedWorkflows() {
    return parked.size();
  }

  @Override
  public Map<String, Long> queueDepths() {
    List<String> names = queues.queueNames().stream().sorted().toList();
    return names.isEmpty() ? Map.of() : queueDb.depths(names);
  }
}
