package org.stellaops.orchestrator.citrust;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.stellaops.orchestrator.auth.Permission;
import org.stellaops.orchestrator.auth.Roles;
import org.stellaops.orchestrator.platform.Json;

/**
 * Trust in the CI jobs whose OIDC ID tokens, issued by {@code issuer} for {@code audience}, carry
 * claims matching every one of {@code claims} (see {@link ClaimPatterns}): such a job acts with
 * {@code roles} and {@code permissions}, and, with {@code bindSourceRef}, creates releases only
 * of the commit its token names. With {@code components} (null: every component), its releases
 * may pin only those components.
 */
public record CiTrustPolicy(
    UUID id,
    String name,
    String issuer,
    String audience,
    Map<String, String> claims,
    List<String> roles,
    List<Permission> permissions,
    boolean bindSourceRef,
    List<UUID> components,
    OffsetDateTime createdAt,
    String createdBy) {

  /** A claim of this policy the token does not satisfy; {@code got} is null when the token lacks it. */
  public record Mismatch(String claim, String expected, String got) {

    JsonObject toJson() {
      return new JsonObject().put("claim", claim).put("expected", expected).put("got", got);
    }

    @Override
    public String toString() {
      return claim + " expected '" + expected + "', got " + (got == null ? "nothing" : "'" + got + "'");
    }
  }

  /** The longest claim value an error message repeats. */
  private static final int MAX_ECHOED = 200;

  static CiTrustPolicy fromRow(Row row) {
    JsonObject stored = (JsonObject) row.getValue("claims");
    Map<String, String> claims = new LinkedHashMap<>();
    stored.forEach(e -> claims.put(e.getKey(), String.valueOf(e.getValue())));
    return new CiTrustPolicy(
        row.getUUID("id"),
        row.getString("name"),
        row.getString("issuer"),
        row.getString("audience"),
        claims,
        Arrays.asList(row.getArrayOfStrings("roles")),
        Arrays.stream(row.getArrayOfStrings("permissions")).map(Permission::of).toList(),
        row.getBoolean("bind_source_ref"),
        row.getArrayOfUUIDs("components") == null ? null : List.of(row.getArrayOfUUIDs("components")),
        row.getOffsetDateTime("created_at"),
        row.getString("created_by"));
  }

  public Set<Permission> effectivePermissions() {
    return Roles.expand(roles, permissions);
  }

  /**
   * What keeps a token with {@code audience} ({@code aud}: a string, or an array holding exactly
   * one value) and {@code claims} from matching this policy; empty when it matches. A claim is
   * compared as text when it is a string, number or boolean; any other value never matches. Pure.
   */
  public List<Mismatch> mismatches(Object audience, JsonObject tokenClaims) {
    List<Mismatch> problems = new ArrayList<>();
    String aud = audience instanceof String s ? s
        : audience instanceof JsonArray a && a.size() == 1 && a.getValue(0) instanceof String s ? s : null;
    if (!this.audience.equals(aud)) {
      problems.add(new Mismatch("aud", this.audience, audience == null ? null : echo(String.valueOf(audience))));
    }
    claims.forEach((claim, pattern) -> {
      Object value = tokenClaims.getValue(claim);
      String text = value instanceof String || value instanceof Number || value instanceof Boolean
          ? String.valueOf(value) : null;
      if (text == null || !ClaimPatterns.matches(pattern, text)) {
        problems.add(new Mismatch(claim, pattern, text == null ? null : echo(text)));
      }
    });
    return problems;
  }

  private static String echo(String value) {
    return value.length() <= MAX_ECHOED ? value : value.substring(0, MAX_ECHOED) + "…";
  }

  public JsonObject toJson() {
    JsonArray perms = new JsonArray();
    permissions.forEach(p -> perms.add(new JsonObject().put("resource", p.resource()).put("action", p.action())));
    JsonObject claimsJson = new JsonObject();
    claims.forEach(claimsJson::put);
    return new JsonObject()
        .put("id", id.toString())
        .put("name", name)
        .put("issuer", issuer)
        .put("audience", audience)
        .put("claims", claimsJson)
        .put("roles", new JsonArray(roles))
        .put("permissions", perms)
        .put("effectivePermissions", new JsonArray(effectivePermissions().stream()
            .map(Permission::toString).sorted().collect(Collectors.toList())))
        .put("bindSourceRef", bindSourceRef)
        .put("components", components == null ? null : new JsonArray(components.stream().map(UUID::toString).toList()))
        .put("createdAt", Json.time(createdAt))
        .put("createdBy", createdBy);
  }
}
