package org.stellaops.orchestrator.auth;

import io.vertx.core.Future;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.Set;
import org.stellaops.orchestrator.citrust.CiTokens;
import org.stellaops.orchestrator.platform.ApiException;

/**
 * Turns a bearer token into a {@link Principal}, or fails with a 401 that never says which
 * check failed for a token that is not ours (no oracle for guessing). Service-account tokens
 * are recognised by prefix, checked against their stored hash in constant time, and refused
 * once expired or revoked — revocation takes effect on the next request because nothing is
 * cached. Other tokens are compared to the bootstrap admin's hash, then tried as JWTs: a JWT
 * whose {@code iss} is the issuer of a CI trust policy is verified against that issuer's keys and
 * policies ({@link CiTokens}); any other goes to the identity provider's verifier.
 */
public final class Authenticator {

  private static final Principal ADMIN = new Principal(Principal.ADMIN, "admin", "admin",
      Set.of(Permission.of("*:*")));

  private final ServiceAccountRepository accounts;
  private final byte[] adminHash;
  private final Optional<JwtVerifier> jwt;
  private final CiTokens ciTokens;

  public Authenticator(ServiceAccountRepository accounts, byte[] adminHash, Optional<JwtVerifier> jwt,
      CiTokens ciTokens) {
    this.accounts = accounts;
    this.adminHash = adminHash.clone();
    this.jwt = jwt;
    this.ciTokens = ciTokens;
  }

  public Future<Principal> authenticate(String token) {
    String lookup = Tokens.lookupOf(token);
    if (lookup != null) {
      return serviceAccount(token, lookup);
    }
    if (Tokens.matches(token, adminHash)) {
      return Future.succeededFuture(ADMIN);
    }
    if (token.chars().filter(c -> c == '.').count() == 2) {
      return ciTokens.policiesFor(token).compose(trusting -> !trusting.isEmpty() ? ciTokens.verify(token, trusting)
          : jwt.isPresent() ? jwt.get().verify(token).recover(e -> Future.failedFuture(
              ApiException.unauthorized("bearer JWT is invalid or expired")))
          : Future.failedFuture(ApiException.unauthorized("bearer token is not valid")));
    }
    return Future.failedFuture(ApiException.unauthorized("bearer token is not valid"));
  }

  private Future<Principal> serviceAccount(String token, String lookup) {
    return accounts.findByLookup(lookup).map(found -> {
      if (found.isEmpty() || !Tokens.matches(token, found.get().tokenHash())) {
        throw ApiException.unauthorized("bearer token is not valid");
      }
      ServiceAccount account = found.get().account();
      if (account.revokedAt() != null) {
        throw ApiException.unauthorized("service account token has been revoked");
      }
      if (account.expired(OffsetDateTime.now())) {
        throw ApiException.unauthorized("service account token expired at " + account.expiresAt());
      }
      return new Principal(Principal.SERVICE_ACCOUNT, account.id().toString(), account.name(),
          account.effectivePermissions());
    });
  }
}
