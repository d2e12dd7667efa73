package org.stellaops.orchestrator.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.ValidationError;

/** An environment merge patch as the route parses it, applied to a stored environment. */
class EnvironmentPatchTest {

  static final UUID DEV = UUID.fromString("0190a0b0-0000-7000-8000-000000000001");
  static final Environment STORED = new Environment(UUID.fromString("0190a0b0-0000-7000-8000-000000000002"), "qa",
      "Quality", 2, "https://qa.example.com", 1, true, DEV,
      new JsonArray().add(new JsonObject().put("start", "2026-12-24T00:00:00Z").put("end", "2026-12-27T00:00:00Z")),
      600, new JsonArray().add(new JsonObject().put("id", "ok").put("type", "approval")),
      OffsetDateTime.parse("2026-01-01T00:00:00Z"), OffsetDateTime.parse("2026-01-02T00:00:00Z"), "alice");

  static Environment patched(JsonObject body) {
    return EnvironmentService.apply(STORED, EnvironmentPatch.parse(body));
  }

  @Test
  @DisplayName("an empty patch keeps every stored field, the workflow as the very array stored (so it is not re-sealed)")
  void absentKeeps() {
    Environment e = patched(new JsonObject());
    assertThat(e).isEqualTo(STORED);
    assertThat(e.workflow()).isSameAs(STORED.workflow());
  }

  @Test
  @DisplayName("null clears displayName, url and autoPromoteFrom, empties the arrays and turns autoPromote off")
  void nullClears() {
    Environment e = patched(new JsonObject().putNull("displayName").putNull("url").putNull("autoPromoteFrom")
        .putNull("freezeWindows").putNull("workflow").putNull("autoPromote"));
    assertThat(e.displayName()).isNull();
    assertThat(e.url()).isNull();
    assertThat(e.autoPromoteFrom()).isNull();
    assertThat(e.freezeWindows()).isEmpty();
    assertThat(e.workflow()).isEmpty();
    assertThat(e.autoPromote()).isFalse();
    assertThat(e.name()).isEqualTo("qa");
    assertThat(e.requiredApprovals()).isEqualTo(1);
  }

  @Test
  @DisplayName("a value sets its field only")
  void valueSets() {
    Environment e = patched(new JsonObject().put("requiredApprovals", 3).put("name", "qa-eu")
        .put("deploymentTimeout", 1200));
    assertThat(e.requiredApprovals()).isEqualTo(3);
    assertThat(e.name()).isEqualTo("qa-eu");
    assertThat(e.deploymentTimeout()).isEqualTo(1200);
    assertThat(e).usingRecursiveComparison().ignoringFields("requiredApprovals", "name", "deploymentTimeout")
        .isEqualTo(STORED);
  }

  @Test
  @DisplayName("name and the numbers sent as null are one 400 naming each, before anything is loaded")
  void requiredCannotBeCleared() {
    ApiException e = catchThrowableOfType(ApiException.class, () -> EnvironmentPatch.parse(new JsonObject()
        .putNull("name").putNull("orderIndex").putNull("requiredApprovals").putNull("deploymentTimeout")));
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.validationErrors()).extracting(ValidationError::field)
        .containsExactly("name", "orderIndex", "requiredApprovals", "deploymentTimeout");
  }
}
