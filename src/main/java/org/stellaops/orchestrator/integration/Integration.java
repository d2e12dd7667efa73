package org.stellaops.orchestrator.integration;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.stellaops.orchestrator.platform.Json;

/**
 * A configured CI system, registry or SCM. Credentials stay encrypted in this record;
 * {@link #toJson()} says only which credential keys are set, never their values.
 */
public record Integration(
    UUID id,
    IntegrationType type,
    String name,
    JsonObject config,
    byte[] sealedCredentials,
    List<String> credentialKeys,
    String healthStatus,
    OffsetDateTime lastHealthCheck,
    OffsetDateTime createdAt,
    OffsetDateTime updatedAt,
    String createdBy) {

  static Integration fromRow(Row row) {
    return new Integration(
        row.getUUID("id"),
        IntegrationType.of(row.getString("type")).orElseThrow(),
        row.getString("name"),
        (JsonObject) row.getValue("config"),
        row.getBuffer("credentials") == null ? null : row.getBuffer("credentials").getBytes(),
        Arrays.asList(row.getArrayOfStrings("credential_keys")),
        row.getString("health_status"),
        row.getOffsetDateTime("last_health_check"),
        row.getOffsetDateTime("created_at"),
        row.getOffsetDateTime("updated_at"),
        row.getString("created_by"));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id.toString())
        .put("type", type.wire())
        .put("name", name)
        .put("config", config)
        .put("credentialsSet", new JsonArray(credentialKeys.stream().sorted().toList()))
        .put("healthStatus", healthStatus)
        .put("lastHealthCheck", Json.time(lastHealthCheck))
        .put("createdAt", Json.time(createdAt))
        .put("updatedAt", Json.time(updatedAt))
        .put("createdBy", createdBy);
  }
}
