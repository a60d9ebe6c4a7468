package io.dbosee.internal.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbosee.ListWorkflowsInput;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Which applications' workflows the {@code /workflows} and {@code /queues} endpoints list. */
class AdminWorkflowFiltersTest {
  private static final JsonObject EMPTY = Json.createObjectBuilder().build();

  @Test
  void withoutAnOptionTheListingIsThisApplications() {
    ListWorkflowsInput input = WorkflowEndpoints.filters(EMPTY, null, false);

    assertThat(input.allApplications()).isFalse();
    assertThat(input.applicationNames()).isEmpty();
  }

  @Test
  void theQueryParameterAsksForEveryApplication() {
    assertThat(WorkflowEndpoints.filters(EMPTY, "true", true).allApplications()).isTrue();
    assertThat(WorkflowEndpoints.filters(EMPTY, "false", true).allApplications()).isFalse();
  }

  @Test
  void theBodyNamesApplicationsAsTheSdksFilterDoes() {
    JsonObject one = Json.createObjectBuilder().add("application_name", "billing").build();
    JsonObject two =
        Json.createObjectBuilder()
            .add("application_name", Json.createArrayBuilder().add("billing").add("orders"))
            .build();

    assertThat(WorkflowEndpoints.filters(one, null, false).applicationNames())
        .containsExactly("billing");
    assertThat(WorkflowEndpoints.filters(two, null, false).applicationNames())
        .containsExactly("billing", "orders");
  }

  @Test
  void aBadOptionIsABadRequest() {
    JsonObject named = Json.createObjectBuilder().add("application_name", "billing").build();

    assertThatThrownBy(() -> WorkflowEndpoints.filters(EMPTY, "yes", false))
        .satisfies(e -> assertThat(AdminServlet.statusOf((RuntimeException) e)).isEqualTo(400))
        .hasMessageContaining("all_applications must be true or false, got 'yes'");
    assertThatThrownBy(() -> WorkflowEndpoints.filters(named, "true", false))
        .satisfies(e -> assertThat(AdminServlet.statusOf((RuntimeException) e)).isEqualTo(400))
        .hasMessageContaining("not both");
  }
}
