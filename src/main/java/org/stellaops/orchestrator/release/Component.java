package org.stellaops.orchestrator.release;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.stellaops.orchestrator.platform.Json;

/**
 * A deployable image. {@code imageRepository} is kept in canonical form
 * ({@link ImageRepositories#normalize}) and is unique. {@code autoRelease} is null when off.
 */
public record Component(
    UUID id,
    String name,
    String displayName,
    String imageRepository,
    UUID registryIntegrationId,
    String versioningStrategy,
    String tagPattern,
    String defaultChannel,
    JsonObject metadata,
    JsonObject autoRelease,
    OffsetDateTime createdAt,
    OffsetDateTime updatedAt,
    String createdBy) {

  static Component fromRow(Row row) {
    return new Component(
        row.getUUID("id"),
        row.getString("name"),
        row.getString("display_name"),
        row.getString("image_repository"),
        row.getUUID("registry_integration_id"),
        row.getString("versioning_strategy"),
        row.getString("tag_pattern"),
        row.getString("default_channel"),
        (JsonObject) row.getValue("metadata"),
        (JsonObject) row.getValue("auto_release"),
        row.getOffsetDateTime("created_at"),
        row.getOffsetDateTime("updated_at"),
        row.getString("created_by"));
  }

  public Versioning.Derived derive(String tag, String explicitChannel) {
    return Versioning.derive(versioningStrategy, tagPattern, defaultChannel, tag, explicitChannel);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id.toString())
        .put("name", name)
        .put("displayName", displayName)
        .put("imageRepository", imageRepository)
        .put("registryIntegrationId", registryIntegrationId == null ? null : registryIntegrationId.toString())
        .put("versioningStrategy", new JsonObject().put("type", versioningStrategy).put("tagPattern", tagPattern))
        .put("defaultChannel", defaultChannel)
        .put("metadata", metadata == null ? new JsonObject() : metadata)
        .put("autoRelease", autoRelease == null ? new JsonObject().put("enabled", false) : autoRelease)
        .put("createdAt", Json.time(createdAt))
        .put("updatedAt", Json.time(updatedAt))
        .put("createdBy", createdBy);
  }
}
