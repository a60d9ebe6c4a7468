package io.dbosee.internal.engine;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The workflows this application registers, by {@code className/name}: what recovery can run. */
final class WorkflowRegistry {
  private final Map<String, WorkflowDefinition> registry = new ConcurrentHashMap<>();

  void register(WorkflowDefinition definition) {
    WorkflowDefinition previous = registry.putIfAbsent(definition.key(), definition);
    if (previous != null && previous != definition) {
      throw new IllegalArgumentException(
          "Two workflows are registered as '" + definition.key() + "'; give one another name");
    }
  }

  /** The workflow registered as {@code className/name}, or null. */
  WorkflowDefinition get(String className, String name) {
    return registry.get(WorkflowDefinition.key(className, name));
  }

  /** Whether {@code definition} is the one registered under its key (not a stand-in). */
  boolean isRegistered(WorkflowDefinition definition) {
    return registry.get(definition.key()) == definition;
  }

  List<String> keys() {
    return List.copyOf(registry.keySet());
  }

  int size() {
    return registry.size();
  }
}
