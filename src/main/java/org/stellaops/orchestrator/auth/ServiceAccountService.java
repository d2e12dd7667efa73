package org.stellaops.orchestrator.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.Ids;
import org.stellaops.orchestrator.platform.Cursor;
import org.stellaops.orchestrator.platform.Json;
import org.stellaops.orchestrator.platform.Page;
import org.stellaops.orchestrator.platform.Validator;

/** Creating, listing and revoking service accounts; the token exists in clear only in the create answer. */
public final class ServiceAccountService {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  private final ServiceAccountRepository repository;

  public ServiceAccountService(ServiceAccountRepository repository) {
    this.repository = repository;
  }

  /** Validates the request body and creates the account; answers {id, name, token, expiresAt}. */
  public Future<JsonObject> create(JsonObject body, Principal caller) {
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
      Optional<Instant> at = ExpiresIn.expiresAt(expiresIn, Instant.now());
      if (at.isEmpty()) {
        v.error("expiresIn", "must be a positive duration of at most 10 years such as 365d, 12h, 30m "
            + "or ISO-8601 (P90D, PT12H)", "INVALID_FORMAT");
      } else {
        expiresAt = at.get().atOffset(ZoneOffset.UTC);
      }
    }
    v.throwIfInvalid();
    Grants.firstNotGrantable(caller, roles, permissions).ifPresent(p -> {
      throw ApiException.forbiddenToGrant(p.toString());
    });
    Tokens.Issued token = Tokens.newServiceAccountToken();
    return repository.insert(new ServiceAccountRepository.NewAccount(
            name, description, roles, permissions, token, caller.actor(), expiresAt))
        .recover(e -> Future.failedFuture(Ids.uniqueViolation(e)
            ? ApiException.conflict("an active service account named '" + name + "' already exists")
            : e))
        .map(account -> new JsonObject()
            .put("id", account.id().toString())
            .put("name", account.name())
            .put("token", token.token())
            .put("expiresAt", Json.time(account.expiresAt())));
  }

  public Future<Page<ServiceAccount>> list(String cursor, String limit) {
    return repository.list(cursor == null ? null : Cursor.decode(ServiceAccountRepository.CURSOR_LIST, cursor), Cursor.limit(limit));
  }

  public Future<ServiceAccount> get(String id) {
    return repository.find(parseId(id))
        .map(found -> found.orElseThrow(() -> ApiException.notFound("service account " + id)));
  }

  public Future<Void> revoke(String id) {
    return repository.revoke(parseId(id)).map(existed -> {
      if (!existed) {
        throw ApiException.notFound("service account " + id);
      }
      return null;
    });
  }

  static UUID parseId(String id) {
    return Ids.uuidOr404(id, "service account");
  }

}
