package org.stellaops.orchestrator.citrust;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.stellaops.orchestrator.auth.Grants;
import org.stellaops.orchestrator.auth.Permission;
import org.stellaops.orchestrator.auth.Principal;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.Cursor;
import org.stellaops.orchestrator.platform.Ids;
import org.stellaops.orchestrator.platform.Page;
import org.stellaops.orchestrator.platform.ValidationError;

/** Creating, listing, reading and deleting CI trust policies. */
public final class CiTrustPolicyService {

  /** Creating a policy mints identities, so it needs what only the admin role holds. */
  private static final Permission ADMIN = Permission.of("*:*");

  /** Which of the given component ids name existing components. */
  @FunctionalInterface
  public interface ExistingComponents {
    Future<Set<UUID>> of(List<UUID> ids);
  }

  private final CiTrustPolicyRepository repository;
  private final ExistingComponents existingComponents;

  public CiTrustPolicyService(CiTrustPolicyRepository repository, ExistingComponents existingComponents) {
    this.repository = repository;
    this.existingComponents = existingComponents;
  }

  /** Refuses a caller other than the admin role, before its request body is even read. */
  public static void requireCreator(Principal caller) {
    if (!caller.can(ADMIN)) {
      throw ApiException.of(403, "FORBIDDEN", "creating a CI trust policy needs the admin role: a policy lets "
          + "every job it matches act with its rights, without any stored token");
    }
  }

  public Future<CiTrustPolicy> create(CreateCiTrustPolicy command, Principal caller) {
    requireCreator(caller);
    Grants.firstNotGrantable(caller, command.roles(), command.permissions()).ifPresent(p -> {
      throw ApiException.forbiddenToGrant(p.toString());
    });
    return requireKnown(command.components())
        .compose(v -> repository.insert(new CiTrustPolicyRepository.NewPolicy(command, caller.actor())))
        .recover(e -> Future.failedFuture(Ids.uniqueViolation(e)
            ? ApiException.conflict("a CI trust policy named '" + command.name() + "' already exists")
            : e));
  }

  /** A 422 naming each id of {@code components} that is no component; nothing to check for null. */
  private Future<Void> requireKnown(List<UUID> components) {
    if (components == null) {
      return Future.succeededFuture();
    }
    return existingComponents.of(components).map(existing -> {
      List<ValidationError> unknown = new ArrayList<>();
      for (int i = 0; i < components.size(); i++) {
        if (!existing.contains(components.get(i))) {
          unknown.add(new ValidationError("components[" + i + "]", "unknown component " + components.get(i),
              "UNKNOWN_COMPONENT"));
        }
      }
      if (!unknown.isEmpty()) {
        throw ApiException.unprocessable("UNKNOWN_COMPONENT", unknown.size() == 1
            ? unknown.get(0).message() : unknown.size() + " components are unknown", unknown);
      }
      return null;
    });
  }

  public Future<Page<CiTrustPolicy>> list(String cursor, String limit) {
    return repository.list(cursor == null ? null : Cursor.decode(CiTrustPolicyRepository.CURSOR_LIST, cursor),
        Cursor.limit(limit));
  }

  public Future<CiTrustPolicy> get(String id) {
    return repository.find(parseId(id))
        .map(found -> found.orElseThrow(() -> ApiException.notFound("CI trust policy " + id)));
  }

  public Future<Void> delete(String id) {
    return repository.delete(parseId(id)).map(existed -> {
      if (!existed) {
        throw ApiException.notFound("CI trust policy " + id);
      }
      return null;
    });
  }

  private static UUID parseId(String id) {
    return Ids.uuidOr404(id, "CI trust policy");
  }
}
