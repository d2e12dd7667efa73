package org.stellaops.orchestrator.auth;

import io.vertx.core.Future;
import java.util.Optional;

/**
 * Makes sure a bootstrap admin token exists. A configured token replaces the stored hash; with
 * none configured and none stored, one is generated and only its hash is kept. Replicas
 * starting together race on one row: exactly one generates, the others adopt its hash.
 */
public final class AdminBootstrap {

  private final ServiceAccountRepository repository;

  public AdminBootstrap(ServiceAccountRepository repository) {
    this.repository = repository;
  }

  /** The admin hash to verify against, and the generated token if this call generated one. */
  public record Result(byte[] hash, Optional<String> generatedToken) {}

  public Future<Result> ensure(Optional<String> configured) {
    if (configured.isPresent()) {
      byte[] hash = Tokens.hash(configured.get());
      return repository.setAdminHash(hash).map(v -> new Result(hash, Optional.empty()));
    }
    return repository.adminHash().compose(stored -> {
      if (stored.isPresent()) {
        return Future.succeededFuture(new Result(stored.get(), Optional.empty()));
      }
      String token = Tokens.newAdminToken();
      return repository.initAdminHash(Tokens.hash(token)).compose(won -> won
          ? Future.succeededFuture(new Result(Tokens.hash(token), Optional.of(token)))
          : repository.adminHash().map(winner -> new Result(winner.orElseThrow(), Optional.empty())));
    });
  }
}
