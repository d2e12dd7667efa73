package org.stellaops.orchestrator.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.Ids;
import org.stellaops.orchestrator.platform.Cursor;
import org.stellaops.orchestrator.platform.Json;
import org.stellaops.orchestrator.platform.Page;

/** Creating, listing and revoking service accounts; the token exists in clear only in the create answer. */
public final class ServiceAccountService {

  private final ServiceAccountRepository repository;

  public ServiceAccountService(ServiceAccountRepository repository) {
    this.repository = repository;
  }

  /** Creates the account; answers {id, name, token, expiresAt}. */
  public Future<JsonObject> create(CreateServiceAccount command, Principal caller) {
    Grants.firstNotGrantable(caller, command.roles(), command.permissions()).ifPresent(p -> {
      throw ApiException.forbiddenToGrant(p.toString());
    });
    Tokens.Issued token = Tokens.newServiceAccountToken();
    return repository.insert(new ServiceAccountRepository.NewAccount(command, token, caller.actor()))
        .recover(e -> Future.failedFuture(Ids.uniqueViolation(e)
            ? ApiException.conflict("an active service account named '" + command.name() + "' already exists")
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
