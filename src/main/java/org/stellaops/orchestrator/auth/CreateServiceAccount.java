package org.stellaops.orchestrator.auth;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.stellaops.orchestrator.platform.Validator;

/** Create a service account holding at least one role or permission; {@code expiresAt} null: it never expires. */
public record CreateServiceAccount(String name, String description, List<String> roles, List<Permission> permissions,
    OffsetDateTime expiresAt) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  /**
   * The body of {@code POST /api/v1/service-accounts}; every bad field is reported in one 400. A relative
   * {@code expiresIn} counts from {@code now}.
   */
  public static CreateServiceAccount parse(JsonObject body, Instant now) {
    Validator v = new Validator(body);
    String name = v.matching("name", v.requiredString("name", 100), NAME,
        "1-100 letters, digits, '.', '_' or '-', starting with a letter or digit");
    String description = v.optionalString("description", 1000);
    List<String> roles = GrantFields.roles(v);
    List<Permission> permissions = GrantFields.permissions(v);
    if (roles.isEmpty() && permissions.isEmpty() && v.isValid()) {
      v.error("roles", "give at least one role or permission", "REQUIRED");
    }
    OffsetDateTime expiresAt = null;
    String expiresIn = v.optionalString("expiresIn", 32);
    if (expiresIn != null) {
      Optional<Instant> at = ExpiresIn.expiresAt(expiresIn, now);
      if (at.isEmpty()) {
        v.error("expiresIn", "must be a positive duration of at most 10 years such as 365d, 12h, 30m "
            + "or ISO-8601 (P90D, PT12H)", "INVALID_FORMAT");
      } else {
        expiresAt = at.get().atOffset(ZoneOffset.UTC);
      }
    }
    v.throwIfInvalid();
    return new CreateServiceAccount(name, description, roles, permissions, expiresAt);
  }
}
