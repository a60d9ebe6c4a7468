package io.dbosee.internal.admin;

import io.dbosee.internal.engine.WorkflowDefinition;

/**
 * Names for people: the stored names stay as the DBOS SDKs write them (so that every SDK's tools
 * read them), and the console shows these next to them.
 */
final class ReadableNames {
  /** Where a generated class's name departs from the written one's. */
  private static final String[] GENERATED = {"$Proxy$", "$$", "_$$_"};

  private ReadableNames() {}

  /**
   * A workflow's name as a person reads it: a step enqueued on its own runs as a one-step workflow
   * stored as {@code <temp>.stepName} (the SDKs' convention), shown as {@code Bean.stepName}; a
   * workflow shows as {@code Bean.workflowName}. Generated class names (CDI proxies, lambdas) are
   * cut back to the class that was written.
   */
  static String workflow(String name, String className) {
    if (name == null) {
      return null;
    }
    String bare =
        name.startsWith(WorkflowDefinition.STEP_WRAPPER_PREFIX)
            ? name.substring(WorkflowDefinition.STEP_WRAPPER_PREFIX.length())
            : name;
    String owner = simpleClass(className);
    return owner == null ? bare : owner + "." + bare;
  }

  /**
   * What kind of workflow the stored name says it is: "step" for an enqueued step, else "workflow".
   */
  static String kind(String name) {
    return name != null && name.startsWith(WorkflowDefinition.STEP_WRAPPER_PREFIX)
        ? "step"
        : "workflow";
  }

  /**
   * The class as written: no package, no CDI proxy suffix ({@code $Proxy$_$$_WeldSubclass}), no
   * lambda suffix ({@code $$Lambda$12/0x...}), a nested class as {@code Outer.Inner}; null for
   * none.
   */
  static String simpleClass(String className) {
    if (className == null || className.isBlank()) {
      return null;
    }
    String simple = className.substring(className.lastIndexOf('.') + 1);
    for (String generated : GENERATED) {
      int at = simple.indexOf(generated);
      if (at > 0) {
        simple = simple.substring(0, at);
      }
    }
    return simple.replace('$', '.');
  }
}
