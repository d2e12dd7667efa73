package org.stellaops.orchestrator.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.stellaops.orchestrator.platform.Json;

/** A non-human caller. Its token is never part of this record: only its hash is stored. */
public record ServiceAccount(
    UUID id,
    String name,
    String description,
    List<String> roles,
    List<Permission> permissions,
    OffsetDateTime createdAt,
    String createdBy,
    OffsetDateTime expiresAt,
    OffsetDateTime revokedAt) {

  static ServiceAccount fromRow(Row row) {
    return new ServiceAccount(
        row.getUUID("id"),
        row.getString("name"),
        row.getString("description"),
        Arrays.asList(row.getArrayOfStrings("roles")),
        Arrays.stream(row.getArrayOfStrings("permissions")).map(Permission::of).toList(),
        row.getOffsetDateTime("created_at"),
        row.getString("created_by"),
        row.getOffsetDateTime("expires_at"),
        row.getOffsetDateTime("revoked_at"));
  }

  public Set<Permission> effectivePermissions() {
    return Roles.expand(roles, permissions);
  }

  public boolean expired(OffsetDateTime now) {
    return expiresAt != null && !expiresAt.isAfter(now);
  }

  public String status(OffsetDateTime now) {
    return revokedAt != null ? "revoked" : expired(now) ? "expired" : "active";
  }

  public JsonObject toJson() {
    OffsetDateTime now = OffsetDateTime.now();
    JsonArray perms = new JsonArray();
    permissions.forEach(p -> perms.add(new JsonObject().put("resource", p.resource()).put("action", p.action())));
    return new JsonObject()
        .put("id", id.toString())
        .put("name", name)
        .put("description", description)
        .put("roles", new JsonArray(roles))
        .put("permissions", perms)
        .put("effectivePermissions", new JsonArray(effectivePermissions().stream()
            .map(Permission::toString).sorted().collect(Collectors.toList())))
        .put("status", status(now))
        .put("createdAt", Json.time(createdAt))
        .put("createdBy", createdBy)
        .put("expiresAt", Json.time(expiresAt))
        .put("revokedAt", Json.time(revokedAt));
  }
}
