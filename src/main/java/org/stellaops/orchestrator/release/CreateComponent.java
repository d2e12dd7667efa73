package org.stellaops.orchestrator.release;

import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.stellaops.orchestrator.platform.Validator;

/** Create a component: its names, its image, how its tags are versioned, and free-form string metadata. */
public record CreateComponent(String name, String displayName, Image image, Versioning versioning,
    JsonObject metadata) {

  /** The image repository in canonical form, and the registry integration serving it (null when none). */
  public record Image(String repository, UUID registryIntegrationId) {}

  /** How tags become versions and channels, and which pushed tags create releases ({@code autoRelease} null: none). */
  public record Versioning(String strategy, String tagPattern, String defaultChannel, JsonObject autoRelease) {}

  /** The body of {@code POST /api/v1/components}; every bad field is reported in one 400. */
  public static CreateComponent parse(JsonObject body) {
    Validator v = new Validator(body);
    v.requiredString("name", 64);
    v.requiredString("imageRepository", 255);
    Component defaults = new Component(null, null, null, null, null, "semver", null, "stable", new JsonObject(),
        null, null, null, null);
    ComponentPatch fields = ComponentPatch.read(v);
    v.throwIfInvalid();
    Component c = ComponentService.apply(defaults, fields);
    return new CreateComponent(c.name(), c.displayName(), new Image(c.imageRepository(), c.registryIntegrationId()),
        new Versioning(c.versioningStrategy(), c.tagPattern(), c.defaultChannel(), c.autoRelease()), c.metadata());
  }
}
