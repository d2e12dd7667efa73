package org.stellaops.orchestrator.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.ValidationError;

/** A component merge patch as the route parses it, applied to a stored component. */
class ComponentPatchTest {

  static final UUID REGISTRY = UUID.fromString("0190a0b0-0000-7000-8000-000000000002");
  static final Component STORED = new Component(UUID.fromString("0190a0b0-0000-7000-8000-000000000001"), "api",
      "The API", "registry.example.com/shop/api", REGISTRY, "semver", "^api-(.*)$", "beta",
      new JsonObject().put("team", "shop"), new JsonObject().put("enabled", true).put("nameTemplate", "{tag}"),
      OffsetDateTime.parse("2026-01-01T00:00:00Z"), OffsetDateTime.parse("2026-01-02T00:00:00Z"), "alice");

  static Component patched(JsonObject body) {
    return ComponentService.apply(STORED, ComponentPatch.parse(body));
  }

  @Test
  @DisplayName("an empty patch keeps every stored field")
  void absentKeeps() {
    assertThat(patched(new JsonObject())).isEqualTo(STORED);
  }

  @Test
  @DisplayName("null clears the optional fields, resets the strategy to semver and empties metadata")
  void nullClears() {
    Component c = patched(new JsonObject().putNull("displayName").putNull("registryIntegrationId")
        .putNull("versioningStrategy").putNull("metadata").putNull("autoRelease"));
    assertThat(c.displayName()).isNull();
    assertThat(c.registryIntegrationId()).isNull();
    assertThat(c.versioningStrategy()).isEqualTo("semver");
    assertThat(c.tagPattern()).isNull();
    assertThat(c.metadata()).isEqualTo(new JsonObject());
    assertThat(c.autoRelease()).isNull();
    assertThat(c.name()).isEqualTo("api");
    assertThat(c.defaultChannel()).isEqualTo("beta");
  }

  @Test
  @DisplayName("a value sets its field only: a strategy name drops the stored tag pattern, an image is canonicalised")
  void valueSets() {
    Component c = patched(new JsonObject().put("name", "api-v2").put("imageRepository", "Registry.Example.com/Shop/API2")
        .put("versioningStrategy", "date"));
    assertThat(c.name()).isEqualTo("api-v2");
    assertThat(c.imageRepository()).isEqualTo("registry.example.com/shop/api2");
    assertThat(c.versioningStrategy()).isEqualTo("date");
    assertThat(c.tagPattern()).isNull();
    assertThat(c).usingRecursiveComparison()
        .ignoringFields("name", "imageRepository", "versioningStrategy", "tagPattern").isEqualTo(STORED);
  }

  @Test
  @DisplayName("name and imageRepository sent as null are a 400 naming both, before anything is loaded")
  void requiredCannotBeCleared() {
    ApiException e = catchThrowableOfType(ApiException.class,
        () -> ComponentPatch.parse(new JsonObject().putNull("name").putNull("imageRepository")));
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.validationErrors()).extracting(ValidationError::field, ValidationError::code)
        .containsExactly(tuple("name", "REQUIRED"),
            tuple("imageRepository", "REQUIRED"));
  }
}
