package io.dbosee.internal.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReadableNamesTest {

  @Test
  void anEnqueuedStepShowsAsItsBeanAndStepName() {
    assertThat(ReadableNames.workflow("<temp>.queueStep", "io.dbosee.sample.QueueWorkflows"))
        .isEqualTo("QueueWorkflows.queueStep");
    assertThat(ReadableNames.kind("<temp>.queueStep")).isEqualTo("step");
  }

  @Test
  void aWorkflowShowsAsItsBeanAndName() {
    assertThat(ReadableNames.workflow("checkout", "com.example.Orders"))
        .isEqualTo("Orders.checkout");
    assertThat(ReadableNames.kind("checkout")).isEqualTo("workflow");
    assertThat(ReadableNames.workflow("checkout", null)).isEqualTo("checkout");
  }

  @Test
  void generatedClassNamesAreCutBackToTheWrittenClass() {
    assertThat(ReadableNames.simpleClass("com.example.Orders$Proxy$_$$_WeldSubclass"))
        .isEqualTo("Orders");
    assertThat(ReadableNames.simpleClass("com.example.Jobs$$Lambda$41/0x0000000801001000"))
        .isEqualTo("Jobs");
    assertThat(ReadableNames.simpleClass("com.example.Outer$Inner")).isEqualTo("Outer.Inner");
    assertThat(ReadableNames.simpleClass(" ")).isNull();
  }
}
