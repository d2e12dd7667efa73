package org.stellaops.orchestrator.release;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.stellaops.orchestrator.platform.Json;

/**
 * An immutable, digest-pinned set of components. Nothing changes its components after creation.
 * {@code createdByIdentity} is the verified CI identity that created it, when a CI job trusted
 * through a CI trust policy did (null otherwise).
 */
public record Release(
    UUID id,
    String name,
    String status,
    List<Pinned> components,
    JsonObject sourceRef,
    JsonObject metadata,
    String createdBy,
    JsonObject createdByIdentity,
    OffsetDateTime createdAt) {

  /** One component pinned by digest; {@code tag} and {@code semver} are the human aliases at creation. */
  public record Pinned(UUID componentId, String componentName, String imageRepository, String digest, String tag,
      String semver) {

    public JsonObject toJson() {
      return new JsonObject()
          .put("componentId", componentId.toString())
          .put("componentName", componentName)
          .put("imageRepository", imageRepository)
          .put("digest", digest)
          .put("tag", tag)
          .put("semver", semver)
          .put("imageRef", imageRepository + "@" + digest);
    }
  }

  public JsonObject toJson() {
    JsonArray pinned = new JsonArray();
    components.forEach(c -> pinned.add(c.toJson()));
    return new JsonObject()
        .put("id", id.toString())
        .put("name", name)
        .put("status", status)
        .put("components", pinned)
        .put("sourceRef", sourceRef)
        .put("metadata", metadata == null ? new JsonObject() : metadata)
        .put("createdBy", createdBy)
        .put("createdByIdentity", createdByIdentity)
        .put("createdAt", Json.time(createdAt));
  }
}
